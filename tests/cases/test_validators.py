import pytest
from django.core.exceptions import ValidationError

from balcao.documents import mask_cpf, normalise_cnpj, normalise_cpf, normalise_nif


def test_cpf_is_normalised():
    assert normalise_cpf("529.982.247-25") == "52998224725"


def test_cpf_with_wrong_check_digit_is_refused_clearly():
    with pytest.raises(ValidationError, match="dígitos verificadores"):
        normalise_cpf("529.982.247-24")


def test_alphanumeric_cnpj_of_2026_is_accepted():
    assert normalise_cnpj("12.ABC.345/01DE-35") == "12ABC34501DE35"


def test_numeric_cnpj_still_works_and_wrong_one_is_refused():
    assert normalise_cnpj("16.727.230/0001-97") == "16727230000197"
    with pytest.raises(ValidationError):
        normalise_cnpj("16.727.230/0001-98")


def test_portuguese_nif():
    assert normalise_nif("PT 501 964 843") == "501964843"
    with pytest.raises(ValidationError):
        normalise_nif("501964842")


def test_cpf_mask_hides_the_ends():
    assert mask_cpf("52998224725") == "***.982.247-**"
