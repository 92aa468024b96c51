"""Masking of transcripts: MGI seed 002 — "nunca solicitarão senhas"; CPF, CNPJ, NIF, cards."""

from __future__ import annotations

import pytest

from balcao.masking import (
    MASK_CARD,
    MASK_CNPJ,
    MASK_CPF,
    MASK_NIF,
    MASK_SECRET,
    is_card_number,
    mask,
)


def test_card_numbers_need_luhn_and_13_to_19_digits() -> None:
    assert is_card_number("4111111111111111")
    assert not is_card_number("4111111111111112")
    assert not is_card_number("0" * 12)  # passes Luhn, too short for a card
    assert not is_card_number("4111 1111 1111 1111")  # digits only: the caller strips


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
    ("text", "expected"),
    [
        # the example of IN RFB 2.229/2024 (letters allowed in the first 12 positions)
        ("CNPJ 12.ABC.345/01DE-35.", f"CNPJ {MASK_CNPJ}."),
        ("cnpj 12.abc.345/01de-35", f"cnpj {MASK_CNPJ}"),  # typed in lower case
        ("empresa 12ABC34501DE35, filial", f"empresa {MASK_CNPJ}, filial"),
    ],
)
def test_alphanumeric_cnpj_of_2026_is_masked(text: str, expected: str) -> None:
    assert mask(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "código 12ABC34501DE36",  # wrong check digits
        "CNPJ 12.ABC.345/01DE-36",
        "login JOAOSILVA19801",  # 14 capitals and digits, not a CNPJ
        "pedido 12abc34501de35",  # bare and in lower case: a login or a code, not a CNPJ
    ],
)
def test_alphanumeric_look_alikes_are_kept(text: str) -> None:
    assert mask(text) == text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("NIF 501964843", f"NIF {MASK_NIF}"),
        ("o meu NIF é 123 456 789.", f"o meu NIF é {MASK_NIF}."),
        ("número de contribuinte: 501.964.843", f"número de contribuinte: {MASK_NIF}"),
        ("NIPC 501964843", f"NIPC {MASK_NIF}"),
        ("fatura para PT 501 964 843", f"fatura para {MASK_NIF}"),
        ("VAT PT501964843", f"VAT {MASK_NIF}"),
        ("NIF: PT501964843", f"NIF: {MASK_NIF}"),
    ],
)
def test_portuguese_nif_is_masked(text: str, expected: str) -> None:
    assert mask(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "NIF 501964842",  # wrong check digit
        "processo 501964843",  # valid NIF digits, but 9 digits alone are a process number
        "telemóvel 912 345 678",
        "NIF 5019648431",  # 10 digits: not a NIF
    ],
)
def test_nine_digit_numbers_that_are_not_a_nif_are_kept(text: str) -> None:
    assert mask(text) == text


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
