"""Mask personal and secret data in chat transcripts before they are stored on a case.

No Django settings or models (tested with plain pytest). Seed ``002_…txt`` (MGI chatbot):
"os atendentes nunca solicitarão senhas, logins ou dados pessoais pelo chatbot" — so when a
person types a password anyway, it must never reach the transcript; and a transcript kept on
a case (LGPD art. 6 III: necessity) should not carry document or card numbers in clear.

What is masked (check digits by python-stdnum, through :mod:`balcao.documents`, the
same rules the case forms apply):

* **CPF** written with punctuation (``123.456.789-09``) always; as 11 bare digits only when the
  check digits are valid (11 digits are also phone numbers).
* **CNPJ** with numeric punctuation (``12.345.678/0001-95``) always; with letters, the
  alphanumeric CNPJ from July 2026 (``12.ABC.345/01DE-35``, IN RFB 2.229/2024), when its
  check digits are valid; 14 bare characters (``12ABC34501DE35``, capitals and digits) when
  valid.
* **NIF** (Portugal), 9 digits with a valid check digit, when written as a VAT number
  (``PT 501 964 843``) or after "NIF", "NIPC" or "contribuinte". A bare 9-digit number is
  kept: Portuguese phone numbers and INPI process numbers have 9 digits too, and about one
  in eleven of them passes the NIF check.
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

from stdnum import luhn

from balcao.documents import is_valid_cnpj, is_valid_cpf, is_valid_nif

MASK_CPF = "[CPF]"
MASK_CNPJ = "[CNPJ]"
MASK_NIF = "[NIF]"
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
_CNPJ_ALPHANUMERIC_FORMATTED = re.compile(
    r"(?<![0-9A-Za-z.])[0-9A-Z]{2}\.[0-9A-Z]{3}\.[0-9A-Z]{3}/[0-9A-Z]{4}-\d{2}(?![\d-])",
    re.IGNORECASE,
)
# 14 capitals and digits with at least one letter (all-digit runs are _DIGIT_RUN's).
_CNPJ_ALPHANUMERIC_BARE = re.compile(
    r"(?<![0-9A-Za-z])(?=\d*[A-Z])[0-9A-Z]{12}\d{2}(?![0-9A-Za-z])"
)
_NIF_VAT_NUMBER = re.compile(r"(?<![0-9A-Za-z])PT ?\d{3} ?\d{3} ?\d{3}(?!\d)", re.IGNORECASE)
_NIF_AFTER_KEYWORD = re.compile(
    r"(?P<lead>\b(?:NIF|NIPC|contribuinte)(?![^\W\d_])[^\d\n]{0,20}?)"
    r"(?P<number>\d{3}[ .]?\d{3}[ .]?\d{3})(?![\d.-]?\d)",
    re.IGNORECASE,
)
_DIGIT_RUN = re.compile(r"(?<![\d])\d(?:[ -]?\d){10,18}(?![\d])")


def is_card_number(digits: str) -> bool:
    """A payment card number: 13 to 19 digits passing the Luhn check (ISO/IEC 7812-1)."""
    return digits.isdigit() and 13 <= len(digits) <= 19 and luhn.is_valid(digits)


def _mask_digit_run(match: re.Match[str]) -> str:
    run = match.group(0)
    digits = re.sub(r"\D", "", run)
    if len(digits) == 11 and is_valid_cpf(digits):
        return MASK_CPF
    if len(digits) == 14 and is_valid_cnpj(digits):
        return MASK_CNPJ
    if is_card_number(digits):
        return MASK_CARD
    return run


def _mask_if_valid_cnpj(match: re.Match[str]) -> str:
    return MASK_CNPJ if is_valid_cnpj(match.group(0)) else match.group(0)


def _mask_if_valid_nif(match: re.Match[str]) -> str:
    return MASK_NIF if is_valid_nif(match.group(0)) else match.group(0)


def _mask_nif_after_keyword(match: re.Match[str]) -> str:
    if not is_valid_nif(match.group("number").replace(".", "")):
        return match.group(0)
    return f"{match.group('lead')}{MASK_NIF}"


def _mask_password(match: re.Match[str]) -> str:
    value = match.group("value")
    if value.lower().strip("?.!") in _NOT_A_SECRET or value.endswith("?"):
        return match.group(0)
    return f"{match.group('key')}{match.group('sep')}{MASK_SECRET}"


def mask(text: str) -> str:
    """``text`` with CPF, CNPJ, NIF, card numbers and password values replaced by
    placeholders (what and when: see the module's docstring)."""
    text = _PASSWORD_RE.sub(_mask_password, text)
    text = _CNPJ_FORMATTED.sub(MASK_CNPJ, text)
    text = _CNPJ_ALPHANUMERIC_FORMATTED.sub(_mask_if_valid_cnpj, text)
    text = _CNPJ_ALPHANUMERIC_BARE.sub(_mask_if_valid_cnpj, text)
    text = _CPF_FORMATTED.sub(MASK_CPF, text)
    text = _NIF_VAT_NUMBER.sub(_mask_if_valid_nif, text)
    text = _NIF_AFTER_KEYWORD.sub(_mask_nif_after_keyword, text)
    return _DIGIT_RUN.sub(_mask_digit_run, text)
