"""Protocol numbers (números de protocolo): pure formatting and check digits.

A pattern is a ``str.format`` template over these fields:

- ``year`` (int), ``seq`` (int, the sequence within the scope), ``unit`` (int, the
  agency's unit code);
- ``dv``: one mod-11 check digit over the digits of every numeric field before it;
- ``nup_dv``: the two check digits of the NUP (Número Único de Protocolo,
  Portaria Interministerial MP/MCTI 11/2019), mod 11 with weights 2..16 over
  unit+seq+year, then over those 15 digits plus the first check digit.

Default ``{year:04d}.{seq:06d}-{dv}`` gives ``2026.000123-7``; the NUP pattern
``{unit:05d}.{seq:06d}/{year:04d}-{nup_dv}`` gives ``00000.000001/2026-XX``.
The sequence restarts every year when the pattern uses ``year``.
"""

from __future__ import annotations

import string


def mod11_digit(digits: str) -> int:
    """One mod-11 check digit (weights 2, 3, … from the right; 10 and 11 → 0)."""
    total = sum(int(d) * w for w, d in enumerate(reversed(digits), start=2))
    rest = 11 - (total % 11)
    return 0 if rest >= 10 else rest


def nup_check_digits(unit: int, seq: int, year: int) -> str:
    """The two NUP check digits for ``unit.seq/year`` (17-digit NUP)."""
    base = f"{unit:05d}{seq:06d}{year:04d}"
    first = mod11_digit(base)
    second = mod11_digit(base + str(first))
    return f"{first}{second}"


def _fields_used(pattern: str) -> list[str]:
    return [name for _, name, _, _ in string.Formatter().parse(pattern) if name]


def validate_pattern(pattern: str) -> None:
    """Raise ValueError naming the problem when ``pattern`` cannot number cases."""
    fields = _fields_used(pattern)
    unknown = set(fields) - {"year", "seq", "unit", "dv", "nup_dv"}
    if unknown:
        raise ValueError(f"campos desconhecidos no padrão de protocolo: {sorted(unknown)}")
    if "seq" not in fields:
        raise ValueError("o padrão de protocolo precisa do campo {seq}")
    format_protocol(pattern, year=2026, seq=1, unit=0)


def uses_year(pattern: str) -> bool:
    return "year" in _fields_used(pattern)


def format_protocol(pattern: str, *, year: int, seq: int, unit: int = 0) -> str:
    """Render ``pattern`` for one case; the check digits are computed here."""
    values: dict[str, object] = {"year": year, "seq": seq, "unit": unit}
    if "nup_dv" in _fields_used(pattern):
        values["nup_dv"] = nup_check_digits(unit, seq, year)
    if "dv" in _fields_used(pattern):
        # Check digit over every digit rendered before the {dv} field.
        head = pattern.split("{dv")[0]
        digits = "".join(ch for ch in head.format(**values, dv="") if ch.isdigit())
        values["dv"] = mod11_digit(digits)
    return pattern.format(**values)


def is_valid(protocol: str, pattern: str, *, unit: int = 0) -> bool:
    """Whether ``protocol``'s check digit(s) are right for ``pattern``."""
    digits = "".join(ch for ch in protocol if ch.isdigit())
    fields = _fields_used(pattern)
    if "nup_dv" in fields and len(digits) == 17:
        return (
            nup_check_digits(int(digits[:5]), int(digits[5:11]), int(digits[11:15])) == digits[15:]
        )
    if "dv" in fields and len(digits) >= 2:
        return mod11_digit(digits[:-1]) == int(digits[-1])
    return True


def digits_of(typed: str) -> str:
    return "".join(ch for ch in typed if ch.isdigit())


def reshape(typed: str, pattern: str, *, unit: int = 0) -> str | None:
    """``typed`` written the way ``pattern`` writes protocols, whatever punctuation (or none)
    the person used: ``2026000123-7``, ``2026/000123.7`` and ``2026.000123-7`` all give
    ``2026.000123-7`` for the default pattern. None when the digits cannot fit the pattern's
    shape (fixed-width fields; a sequence past its width is then looked up as typed)."""
    digits = digits_of(typed)
    sample = format_protocol(pattern, year=2026, seq=1, unit=unit)
    slots = sum(ch.isdigit() for ch in sample)
    if not digits or len(digits) != slots:
        return None
    given = iter(digits)
    return "".join(next(given) if ch.isdigit() else ch for ch in sample)
