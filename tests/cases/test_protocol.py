"""Protocol numbers: pure formatting and check digits."""

import pytest

from balcao.cases import protocol

DEFAULT = "{year:04d}.{seq:06d}-{dv}"
NUP = "{unit:05d}.{seq:06d}/{year:04d}-{nup_dv}"


def test_default_pattern_shape_and_check_digit():
    number = protocol.format_protocol(DEFAULT, year=2026, seq=123)
    assert number.startswith("2026.000123-")
    # mod 11 over 2026000123 computed by hand: weights 2..11 from the right
    digits = "2026000123"
    total = sum(int(d) * w for w, d in enumerate(reversed(digits), start=2))
    assert int(number[-1]) == (0 if 11 - total % 11 >= 10 else 11 - total % 11)
    assert protocol.is_valid(number, DEFAULT)


def test_a_typo_in_the_number_breaks_the_check_digit():
    number = protocol.format_protocol(DEFAULT, year=2026, seq=4567)
    wrong = number[:-3] + str((int(number[-3]) + 1) % 10) + number[-2:]
    assert not protocol.is_valid(wrong, DEFAULT)


def test_nup_pattern_is_expressible():
    number = protocol.format_protocol(NUP, year=2026, seq=1, unit=52400)
    assert number[:18] == "52400.000001/2026-"
    assert len(number) == 20
    assert protocol.is_valid(number, NUP)


@pytest.mark.parametrize("pattern", ["{year}", "{seq}-{nope}"])
def test_bad_patterns_are_refused_with_a_reason(pattern):
    with pytest.raises(ValueError, match="seq|desconhecidos"):
        protocol.validate_pattern(pattern)
