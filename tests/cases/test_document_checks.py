"""Yes/no document checks and the made-up CPF of demo and benchmark data (python-stdnum)."""

from __future__ import annotations

import random

from stdnum.br import cpf as br_cpf

from balcao.documents import generate_cpf, is_valid_cnpj, is_valid_cpf, is_valid_nif


def test_cpf_check() -> None:
    assert is_valid_cpf("52998224725")
    assert is_valid_cpf("529.982.247-25")
    assert not is_valid_cpf("52998224726")
    assert not is_valid_cpf("5299822472")


def test_cnpj_check_numeric_and_alphanumeric() -> None:
    assert is_valid_cnpj("11222333000181")
    assert is_valid_cnpj("12.ABC.345/01DE-35")
    assert is_valid_cnpj("12ABC34501DE35")
    assert not is_valid_cnpj("11222333000182")
    assert not is_valid_cnpj("12ABC34501DE36")


def test_nif_check() -> None:
    assert is_valid_nif("501964843")
    assert is_valid_nif("PT 501 964 843")
    assert not is_valid_nif("501964842")
    assert not is_valid_nif("012345678")  # a NIF never starts with 0


def test_generated_cpfs_are_valid_and_follow_the_seed() -> None:
    cpfs = [generate_cpf(random.Random(7)) for _ in range(2)]
    assert cpfs[0] == cpfs[1]
    rng = random.Random(2026)
    for _ in range(2000):
        cpf = generate_cpf(rng)
        assert len(cpf) == 11 and cpf.isdigit()
        assert br_cpf.validate(cpf) == cpf
        assert cpf[:9] != cpf[0] * 9


def test_generated_cpfs_never_repeat_one_digit() -> None:
    class AllOnesFirst(random.Random):
        calls = 0

        def randrange(self, *args, **kwargs):  # type: ignore[override]
            self.calls += 1
            return 111_111_111 if self.calls == 1 else super().randrange(*args, **kwargs)

    rng = AllOnesFirst(1)
    assert generate_cpf(rng) != "11111111111"
    assert rng.calls == 2
