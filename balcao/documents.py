"""Identity documents: CPF, CNPJ (numeric and the 2026 alphanumeric format), NIF.

Validation and normalisation come from python-stdnum; the messages are for people.
"""

from __future__ import annotations

import random

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from stdnum import exceptions as stdnum_errors
from stdnum.br import cnpj as br_cnpj
from stdnum.br import cpf as br_cpf
from stdnum.pt import nif as pt_nif


def _normalise(module, value: str, label: str) -> str:
    try:
        return module.validate(value)
    except stdnum_errors.InvalidChecksum as exc:
        raise ValidationError(
            _("%(label)s inválido: os dígitos verificadores não conferem.") % {"label": label},
            code="invalid_checksum",
        ) from exc
    except stdnum_errors.InvalidLength as exc:
        raise ValidationError(
            _("%(label)s inválido: número de dígitos errado.") % {"label": label},
            code="invalid_length",
        ) from exc
    except stdnum_errors.ValidationError as exc:
        raise ValidationError(_("%(label)s inválido.") % {"label": label}, code="invalid") from exc


def normalise_cpf(value: str) -> str:
    """'123.456.789-09' → '12345678909', or ValidationError."""
    return _normalise(br_cpf, value, "CPF")


def normalise_cnpj(value: str) -> str:
    """'12.ABC.345/01DE-35' → '12ABC34501DE35' (alphanumeric CNPJ from July 2026)."""
    return _normalise(br_cnpj, value, "CNPJ")


def normalise_nif(value: str) -> str:
    """Portuguese NIF (número de identificação fiscal), 9 digits."""
    return _normalise(pt_nif, value, "NIF")


def is_valid_cpf(value: str) -> bool:
    """Whether ``value`` is a CPF with correct check digits (python-stdnum's rule; any
    punctuation allowed). For places that only need a yes or no, e.g. masking a transcript."""
    return br_cpf.is_valid(value)


def is_valid_cnpj(value: str) -> bool:
    """Whether ``value`` is a CNPJ with correct check digits, numeric or alphanumeric
    (Receita Federal, IN RFB 2.229/2024: letters in the first 12 positions from July 2026)."""
    return br_cnpj.is_valid(value)


def is_valid_nif(value: str) -> bool:
    """Whether ``value`` is a Portuguese NIF with a correct check digit (``PT`` prefix and
    spaces allowed)."""
    return pt_nif.is_valid(value)


def generate_cpf(rng: random.Random) -> str:
    """A made-up CPF, 11 digits with valid check digits, drawn from ``rng``.

    For demo and benchmark data only: nine random digits (not all equal, which the Receita
    Federal never issues) and the two check digits computed by python-stdnum. It may be a
    real person's number, so it never leaves test and demo databases.
    """
    while True:
        base = f"{rng.randrange(1, 10**9):09d}"
        if base != base[0] * 9:
            # stdnum 2.2 (pinned) exposes the CPF check digits only as this private helper;
            # tests/cases/test_document_checks.py validates its output with br_cpf.validate.
            return base + br_cpf._calc_check_digits(base)


def format_cpf(value: str) -> str:
    return br_cpf.format(value)


def mask_cpf(value: str | None) -> str:
    """Show only the middle digits, as gov.br does: ***.456.789-**."""
    if not value or len(value) != 11:
        return ""
    return f"***.{value[3:6]}.{value[6:9]}-**"
