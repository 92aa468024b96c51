"""Full-text search folds case and accents and matches word forms (SQLite FTS5 / PostgreSQL)."""

import pytest

from balcao.cases.models import Case
from balcao.cases.search import filter_search

pytestmark = pytest.mark.django_db


@pytest.fixture
def cases(open_case):
    return {
        "gru": open_case(subject="Faturação da GRU em duplicidade"),
        "marca": open_case(subject="Registro de marca", description="Quero registrar o logotipo"),
        "copia": open_case(subject="Cópia do processo administrativo"),
    }


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("faturacao", {"gru"}),
        ("FATURAÇÃO gru", {"gru"}),
        ("copia processo", {"copia"}),
        ("logotipo", {"marca"}),
        ("registr", {"marca"}),
        ("inexistente", set()),
    ],
)
def test_search_finds_by_folded_words(cases, text, expected):
    found = set(filter_search(Case.objects.all(), text).values_list("pk", flat=True))
    assert found == {cases[key].pk for key in expected}


def test_search_by_protocol_number(cases):
    protocol = cases["copia"].protocol
    found = list(filter_search(Case.objects.all(), protocol))
    assert found == [cases["copia"]]


def test_search_follows_edits(cases):
    case = cases["gru"]
    Case.objects.filter(pk=case.pk).update(subject="Boleto vencido")
    assert list(filter_search(Case.objects.all(), "boleto")) == [case]
    assert not filter_search(Case.objects.all(), "faturacao").exists()


def test_empty_search_keeps_everything(cases):
    assert filter_search(Case.objects.all(), "  !! ").count() == 3
