"""The console's case list: filters, search, keyset pages, flat query count."""

import pytest

from balcao.cases.models import Team

pytestmark = pytest.mark.django_db


@pytest.fixture
def supervisor_client(staff, verified_client):
    return verified_client(staff["supervisor"])


def test_query_count_does_not_grow_with_the_page(
    open_case, supervisor_client, django_assert_max_num_queries
):
    team = Team.objects.create(slug="n1", name="N1")
    for i in range(60):
        open_case(subject=f"Caso {i}", team=team)
    supervisor_client.get("/console/")  # loads the name snapshots, refreshes the session
    # session, user, OTP device, roles, cases page (names come from the snapshots)
    # + the calendar (deadline colours), the six capped view counts, the bulk form's staff
    with django_assert_max_num_queries(14):
        response = supervisor_client.get("/console/")
    assert response.status_code == 200
    assert response.content.decode().count('<td><a href="/console/atendimentos/') == 50
    assert "cursor=" in response.content.decode()


def test_next_page_continues_where_the_first_ended(open_case, supervisor_client):
    for i in range(55):
        open_case(subject=f"Caso {i}")
    first = supervisor_client.get("/console/")
    cursor = first.context["next_cursor"]
    second = supervisor_client.get("/console/", {"cursor": cursor})
    first_ids = {c["pk"] for c in first.context["cases"]}
    second_ids = {c["pk"] for c in second.context["cases"]}
    assert len(second_ids) == 5 and not first_ids & second_ids


def test_search_and_filters(open_case, supervisor_client, staff):
    open_case(subject="Faturação da GRU")
    open_case(subject="Registro de marca")
    response = supervisor_client.get("/console/", {"q": "faturacao"})
    assert [c["subject"] for c in response.context["cases"]] == ["Faturação da GRU"]
    response = supervisor_client.get("/console/", {"assignee": "none", "category": "open"})
    assert len(response.context["cases"]) == 2


def test_htmx_requests_get_only_the_rows(open_case, supervisor_client):
    open_case()
    response = supervisor_client.get("/console/", HTTP_HX_REQUEST="true")
    assert "<html" not in response.content.decode() and "<table" in response.content.decode()


@pytest.mark.parametrize(
    "params",
    [
        {"state": "²"},
        {"assignee": "²"},
        {"state": "99999999999999999999"},
        {"assignee": "99999999999999999999"},
    ],
)
def test_filter_values_that_are_no_ids_are_ignored(open_case, supervisor_client, params):
    """``str.isdigit`` accepts "²", which ``int`` refuses, and SQLite cannot bind an
    integer past 64 bits: both were server errors."""
    open_case()
    response = supervisor_client.get("/console/", params)
    assert response.status_code == 200
    assert len(response.context["cases"]) == 1
