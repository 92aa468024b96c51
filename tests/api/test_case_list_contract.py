"""GET /api/v1/cases builds its JSON by hand (the hot path, docs/benchmarks.md) while the
OpenAPI schema documents it as CasePage: real pages are validated against CasePage here, so
a field added, dropped, renamed or retyped on one side only fails the suite."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from balcao.api.models import ApiToken
from balcao.cases.api import CaseOut, CasePage
from balcao.cases.models import Case, Team
from balcao.catalog.models import Service

pytestmark = pytest.mark.django_db


@pytest.fixture
def headers(staff):
    _, raw = ApiToken.issue(name="contract", user=staff["supervisor"], scopes=["cases:read"])
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


@pytest.fixture
def cases(open_case, staff):
    """One case with every optional field filled (service, team, assignee, closed, paused
    deadline) and one with none of them, so both the values and the nulls are checked."""
    full, bare = open_case(subject="Com tudo"), open_case(subject="Sem nada")
    now = timezone.now()
    Case.objects.filter(pk=full.pk).update(
        service=Service.objects.create(slug="marcas", name="Marcas"),
        team=Team.objects.create(slug="n1", name="Nível 1"),
        assignee=staff["agent"],
        closed_at=now,
        due_at=now + timedelta(days=5),
        deadline_paused_at=now,
    )
    Case.objects.filter(pk=bare.pk).update(due_at=None)
    return full, bare


def _validated(response) -> CasePage:
    """The body as CasePage, with no key CasePage does not know (pydantic ignores them)."""
    assert response.status_code == 200, response.content
    body = response.json()
    page = CasePage.model_validate(body)
    assert set(body) == set(CasePage.model_fields)
    for item in body["items"]:
        assert set(item) == set(CaseOut.model_fields), set(item) ^ set(CaseOut.model_fields)
    return page


def test_every_page_of_the_list_is_a_case_page(cases, client, headers):
    first = _validated(client.get("/api/v1/cases", {"limit": 1}, **headers))
    assert first.next_cursor and len(first.items) == 1
    second = _validated(
        client.get("/api/v1/cases", {"limit": 1, "cursor": first.next_cursor}, **headers)
    )
    assert {first.items[0].id, second.items[0].id} == {c.pk for c in cases}


def test_a_list_item_says_what_the_validated_detail_says(cases, client, headers):
    """The detail endpoint goes through django-ninja's validation (CaseDetailOut, a
    CaseOut): a list item must carry the same JSON for the same fields (so also no "3"
    for 3 and the same datetime format, which validating alone would coerce away)."""
    response = client.get("/api/v1/cases", **headers)
    _validated(response)
    items = {item["id"]: item for item in response.json()["items"]}
    for case in cases:
        detail = client.get(f"/api/v1/cases/{case.pk}", **headers).json()
        assert items[case.pk] == {name: detail[name] for name in CaseOut.model_fields}
    full = items[cases[0].pk]
    assert (full["service"], full["team"], full["assignee"], full["deadline_paused"]) == (
        "marcas",
        "n1",
        "t.agent",
        True,
    )
    assert items[cases[1].pk]["service"] is None and items[cases[1].pk]["due_at"] is None


def test_the_openapi_schema_documents_the_list_as_a_case_page(client):
    operation = client.get("/api/v1/openapi.json").json()["paths"]["/api/v1/cases"]["get"]
    schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert schema == {"$ref": "#/components/schemas/CasePage"}
