"""Mask personal and secret data in chat transcripts before they are stored on a case.

Pure Python (no Django). Seed ``002_…txt`` (MGI chatbot): "os atendentes nunca solicitarão
senhas, logins ou dados pessoais pelo chatbot" — so when a person types a password anyway, it
must never reach the transcript; and a transcript kept on a case (LGPD: necessity) should not
carry document or card numbers in clear.

What is masked:

* **CPF** written with punctuation (``123.456.789-09``) always; as 11 bare digits only when the
  check digits are valid (11 digits are also phone numbers).
* **CNPJ** with punctuation (``12.345.678/0001-95``) always; as 14 bare digits when valid.
* **Card numbers**: 13–19 digits, optionally grouped by spaces or hyphens, passing the Luhn
  check.
* **Passwords**: the value after "senha", "password", "pwd", "pass", "passcode", "PIN",
  "código de acesso" (with "é", "eh", "is", ":", "=" or nothing between), including values
  that look like e-mail addresses ("minha senha é joao@2024") — the whole value is replaced.

E-mail addresses themselves are kept: the case needs them to identify the person (MGI: "o
usuário insere nome, e-mail e CPF").
"""

from __future__ import annotations

import re

MASK_CPF = "[CPF]"
MASK_CNPJ = "[CNPJ]"
MASK_CARD = "[CARTÃO]"
MASK_SECRET = "[SENHA]"  # noqa: S105 (a placeholder, not a password)

_PASSWORD_RE = re.compile(
    r"(?P<key>\b(?:senhas?|password|passwd|pwd|pass ?code|passcode|pass|pin|"
    r"c[oó]digo de acesso|palavra[- ]passe)\b)"
    r"(?P<sep>(?:\s*(?:atual|nova|antiga|do e-?inpi|do sistema|de acesso|new|old|current))?"
    r"\s*(?:(?:[ée]|eh|era|ser[aá]|is|was|fica|:|=|-)\s*)?)"
    r"(?P<value>[^\s,;]*[^\W_][^\s,;]*)",
    re.IGNORECASE,
)
# Words that follow "senha" in ordinary questions and are not the secret itself.
_NOT_A_SECRET = frozenset(
    "do da de no na e o a para pra que nao não foi esta está expirou bloqueada bloqueou "
    "errada incorreta forte nova? reset recovery for of to my the is was".split()
)

_CPF_FORMATTED = re.compile(r"(?<![\d.])\d{3}\.\d{3}\.\d{3}-\d{2}(?![\d-])")
_CNPJ_FORMATTED = re.compile(r"(?<![\d.])\d{2}\.\d{3}\.\d{3}/\d{4}-\d{2}(?!\d)")
_DIGIT_RUN = re.compile(r"(?<![\d])\d(?:[ -]?\d){10,18}(?![\d])")


def cpf_is_valid(digits: str) -> bool:
    """Check digits of a CPF (11 digits; all-equal sequences are invalid)."""
    if len(digits) != 11 or not digits.isdigit() or digits == digits[0] * 11:
        return False
    for size in (9, 10):
        total = sum(int(d) * w for d, w in zip(digits[:size], range(size + 1, 1, -1), strict=True))
        check = (total * 10) % 11 % 10
        if check != int(digits[size]):
            return False
    return True


def cnpj_is_valid(digits: str) -> bool:
    """Check digits of a CNPJ (14 digits)."""
    if len(digits) != 14 or not digits.isdigit() or digits == digits[0] * 14:
        return False
    weights = [6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2]
    for size in (12, 13):
        total = sum(int(d) * w for d, w in zip(digits[:size], weights[13 - size :], strict=True))
        check = 11 - total % 11
        if (0 if check >= 10 else check) != int(digits[size]):
            return False
    return True


def luhn_is_valid(digits: str) -> bool:
    """The Luhn checksum used by payment cards."""
    if not digits.isdigit() or not 13 <= len(digits) <= 19:
        return False
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def _mask_digit_run(match: re.Match[str]) -> str:
    run = match.group(0)
    digits = re.sub(r"\D", "", run)
    if len(digits) == 11 and cpf_is_valid(digits):
        return MASK_CPF
    if len(digits) == 14 and cnpj_is_valid(digits):
        return MASK_CNPJ
    if luhn_is_valid(digits):
        return MASK_CARD
    return run


def _mask_password(match: re.Match[str]) -> str:
    value = match.group("value")
    if value.lower().strip("?.!") in _NOT_A_SECRET or value.endswith("?"):
        return match.group(0)
    return f"{match.group('key')}{match.group('sep')}{MASK_SECRET}"


def mask(text: str) -> str:
    """``text`` with CPF, CNPJ, card numbers and password values replaced by placeholders."""
    text = _PASSWORD_RE.sub(_mask_password, text)
    text = _CNPJ_FORMATTED.sub(MASK_CNPJ, text)
    text = _CPF_FORMATTED.sub(MASK_CPF, text)
    return _DIGIT_RUN.sub(_mask_digit_run, text)
