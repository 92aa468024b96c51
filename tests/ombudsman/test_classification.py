"""Classified information (issue 21; INPI Portaria arts. 46–51): who may classify, terms,
the CIDIC and what the requester sees. Pure: no database."""

from __future__ import annotations

from datetime import date

import pytest

from balcao.ombudsman.classification import (
    Authority,
    ClassificationError,
    Degree,
    authority_refusal,
    classify,
    public_view,
    reduce_term,
)

PRESIDENT = Authority(president=True)
HEAD_15 = Authority(level=15)
HEAD_13 = Authority(level=13)


def _tci(**given):
    fields = {
        "nup": "52400.012345/2026-11",
        "degree": "reservado",
        "category": "06",
        "legal_ground": "Lei 12.527/2011, art. 23, VIII",
        "produced_on": date(2026, 3, 2),
        "classified_on": date(2026, 3, 10),
        "years": 5,
        "reasons": "Investigação em andamento sobre fraude em pedidos.",
        "authority": HEAD_15,
    }
    fields.update(given)
    return classify(**fields)


@pytest.mark.parametrize(
    ("degree", "authority", "allowed"),
    [
        (Degree.RESERVADO, HEAD_15, True),
        (Degree.RESERVADO, Authority(level=17), True),
        (Degree.RESERVADO, PRESIDENT, True),
        (Degree.RESERVADO, HEAD_13, False),
        (Degree.RESERVADO, Authority(), False),
        (Degree.SECRETO, PRESIDENT, True),
        (Degree.SECRETO, Authority(level=18), False),
        (Degree.ULTRASSECRETO, PRESIDENT, False),
    ],
)
def test_only_the_portarias_authorities_classify(degree, authority, allowed):
    assert (authority_refusal(degree, authority) is None) is allowed


def test_a_classification_by_someone_without_the_authority_is_refused():
    with pytest.raises(ClassificationError) as refused:
        _tci(degree="secreto", years=10, authority=HEAD_15)
    assert refused.value.field == "authority" and "Presidente" in refused.value.message


@pytest.mark.parametrize(("degree", "most"), [("reservado", 5), ("secreto", 15)])
def test_the_term_is_at_most_the_laws_and_counts_from_production(degree, most):
    authority = PRESIDENT
    tci = _tci(degree=degree, years=most, authority=authority)
    assert tci.declassified_on == date(2026 + most, 3, 2)
    with pytest.raises(ClassificationError) as refused:
        _tci(degree=degree, years=most + 1, authority=authority)
    assert refused.value.field == "years"


def test_the_cidic_is_the_nup_then_the_second_part():
    tci = _tci()
    assert tci.cidic == "52400.012345/2026-11.R.06.02/03/2026.02/03/2031.N"
    shorter = reduce_term(tci, 2)
    assert shorter.cidic == "52400.012345/2026-11.R.06.02/03/2026.02/03/2028.S"
    with pytest.raises(ClassificationError):
        reduce_term(tci, 5)  # not shorter


def test_a_leap_day_production_ends_on_the_28th():
    tci = _tci(produced_on=date(2024, 2, 29), classified_on=date(2024, 3, 1), years=5)
    assert tci.declassified_on == date(2029, 2, 28)


@pytest.mark.parametrize(
    ("given", "field"),
    [
        ({"nup": "52400012345202611"}, "nup"),
        ({"category": "6"}, "category"),
        ({"legal_ground": " "}, "legal_ground"),
        ({"reasons": ""}, "reasons"),
        ({"degree": "confidencial"}, "degree"),
        ({"produced_on": date(2026, 4, 1)}, "produced_on"),
        ({"produced_on": date(2019, 1, 1), "years": 5}, "years"),
    ],
)
def test_each_wrong_field_is_named(given, field):
    with pytest.raises(ClassificationError) as refused:
        _tci(**given)
    assert refused.value.field == field and refused.value.message


def test_the_requester_never_sees_the_reasons():
    tci = _tci()
    shown = public_view(tci)
    assert tci.reasons not in " ".join(shown.values())
    assert shown["cidic"] == tci.cidic and shown["degree"] == "reservado"
