"""Masking of transcripts: MGI seed 002 — "nunca solicitarão senhas"; CPF, CNPJ, cards."""

from __future__ import annotations

import pytest

from balcao.bot.masking import (
    MASK_CARD,
    MASK_CNPJ,
    MASK_CPF,
    MASK_SECRET,
    cnpj_is_valid,
    cpf_is_valid,
    luhn_is_valid,
    mask,
)


def test_check_digit_validators() -> None:
    assert cpf_is_valid("52998224725")
    assert not cpf_is_valid("52998224726")
    assert not cpf_is_valid("11111111111")
    assert cnpj_is_valid("11222333000181")
    assert not cnpj_is_valid("11222333000182")
    assert luhn_is_valid("4111111111111111")
    assert not luhn_is_valid("4111111111111112")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("meu cpf é 529.982.247-25", f"meu cpf é {MASK_CPF}"),
        ("cpf 52998224725", f"cpf {MASK_CPF}"),
        ("CNPJ 11.222.333/0001-81.", f"CNPJ {MASK_CNPJ}."),
        ("cnpj 11222333000181", f"cnpj {MASK_CNPJ}"),
        ("cartão 4111 1111 1111 1111 ok", f"cartão {MASK_CARD} ok"),
        ("card 5500-0000-0000-0004", f"card {MASK_CARD}"),
    ],
)
def test_documents_and_cards_are_masked(text: str, expected: str) -> None:
    assert mask(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "meu telefone é 21987654321",  # 11 digits, not a valid CPF
        "processo 912345678",
        "número 1234 5678 9012 3456",  # 16 digits failing Luhn
        "o prazo é de 60 dias",
        "meu e-mail é joao@exemplo.com",  # e-mail kept: the case needs it
    ],
)
def test_ordinary_numbers_and_emails_are_kept(text: str) -> None:
    assert mask(text) == text


@pytest.mark.parametrize(
    "text",
    [
        "minha senha é Abc@12345",
        "Minha senha e joao.silva@gmail.com",  # an e-mail-looking password
        "senha: xyz987",
        "senha:xyz987",
        "a senha do sistema é Pa55w0rd",
        "password: hunter2",
        "my password is s3cr3t!",
        "login joao senha 1234",
        "PIN 4321",
    ],
)
def test_passwords_are_masked(text: str) -> None:
    masked = mask(text)
    assert MASK_SECRET in masked
    for secret in (
        "Abc@12345",
        "joao.silva@gmail.com",
        "xyz987",
        "Pa55w0rd",
        "hunter2",
        "s3cr3t",
        "1234",
        "4321",
    ):
        assert secret not in masked


@pytest.mark.parametrize(
    "text",
    [
        "Esqueci minha senha do e-INPI. Como recupero?",
        "qual a senha?",
        "como troco a senha",
        "I forgot my password for e-INPI",
    ],
)
def test_questions_about_passwords_are_kept(text: str) -> None:
    assert mask(text) == text


def test_everything_in_one_transcript_line() -> None:
    line = "sou 529.982.247-25, senha: Segredo1, cartão 4111111111111111, email a@b.com"
    masked = mask(line)
    assert "529.982.247-25" not in masked and "Segredo1" not in masked
    assert "4111111111111111" not in masked and "a@b.com" in masked
