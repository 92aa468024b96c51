"""Bad input is the client's error, never a 500, and no public text ties up a worker.

Findings #3 (length caps, 413 for oversized bodies, 400 for unreadable multipart) and
#6 (nulls, ids and numeric filters, an agent's create checked before it writes).
"""

from __future__ import annotations

import json

import pytest

from balcao.api.models import ApiToken
from balcao.cases.models import Case, Team, TeamMembership

pytestmark = pytest.mark.django_db

ALL_SCOPES = ["cases:read", "cases:write", "requesters:read", "requesters:write", "queues:read"]
TOO_BIG = 5 * 1024 * 1024 + 1024  # just past DATA_UPLOAD_MAX_MEMORY_SIZE
BEYOND_64_BITS = "99999999999999999999"


@pytest.fixture(autouse=True)
def _no_public_throttle(monkeypatch):
    """These tests call public endpoints more often than the public rate allows."""
    from balcao.apikit.throttling import PublicRateThrottle

    monkeypatch.setattr(PublicRateThrottle, "allow_request", lambda self, request: True)


@pytest.fixture
def auth(staff):
    def make(role="supervisor"):
        _, raw = ApiToken.issue(
            name=f"b-{role}-{ApiToken.objects.count()}", user=staff[role], scopes=ALL_SCOPES
        )
        return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}

    return make


def post_json(client, url, data, **headers):
    body = data if isinstance(data, str) else json.dumps(data)
    return client.post(url, body, content_type="application/json", **headers)


def error(response) -> dict:
    body = response.json()
    assert set(body) == {"error"}, body
    return body["error"]


# --- #3: caps on public text, oversized and unreadable bodies ---------------------------


@pytest.mark.parametrize(
    ("url", "payload"),
    [
        ("/api/v1/triage", {"text": "marca " * 400}),  # 2400 characters
        ("/api/v1/bot/ask", {"text": "marca " * 400}),
        ("/api/v1/triage", {"text": "marca", "language": "x" * 100}),
        ("/api/v1/bot/ask", {"text": "marca", "language": "x" * 100}),
        ("/api/v1/triage/choice", {"outcome": 1, "chosen": "x" * 1000}),
    ],
)
def test_public_texts_have_the_forms_limits(client, url, payload):
    response = post_json(client, url, payload)
    assert response.status_code == 422, response.content
    assert error(response)["code"] == "validation_error"


def test_triage_refuses_a_megabyte_at_once(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(0):  # refused before the recommender or a write
        response = post_json(client, "/api/v1/triage", {"text": "a" * 1024 * 1024})
    assert response.status_code == 422
    assert "text" in error(response)["fields"]


@pytest.mark.parametrize("url", ["/api/v1/triage", "/api/v1/bot/ask"])
def test_a_body_over_five_megabytes_is_413_with_the_error_body(client, url):
    response = post_json(client, url, json.dumps({"text": "a" * TOO_BIG}))
    assert response.status_code == 413
    assert error(response)["code"] == "too_large"


def test_an_authenticated_body_over_five_megabytes_is_413(client, auth, helpdesk_channel):
    response = post_json(
        client,
        "/api/v1/cases",
        {"channel": "fale-conosco", "subject": "x", "description": "a" * TOO_BIG},
        **auth(),
    )
    assert response.status_code == 413
    assert not Case.objects.exists()


def test_multipart_without_a_boundary_is_400(client, auth, open_case):
    case = open_case()
    response = client.post(
        f"/api/v1/cases/{case.pk}/messages",
        b"body=ok",
        content_type="multipart/form-data",
        **auth(),
    )
    assert response.status_code == 400
    assert error(response)["code"] == "bad_request"
    assert not case.messages.exists()


def test_public_ids_beyond_64_bits_are_422(client):
    response = post_json(
        client, "/api/v1/triage/choice", {"outcome": int(BEYOND_64_BITS), "chosen": "fale-conosco"}
    )
    assert response.status_code == 422 and "outcome" in error(response)["fields"]


def test_bot_conversation_language_is_capped(client):
    response = client.post("/api/v1/bot/conversations?language=" + "x" * 100)
    assert response.status_code == 422


# --- #6: nulls, ids and numeric filters ----------------------------------------------------


@pytest.mark.parametrize("field", ["description", "priority", "subject", "tags"])
def test_patch_refuses_null_for_a_not_null_field(client, auth, open_case, field):
    case = open_case(description="Antes")
    response = client.patch(
        f"/api/v1/cases/{case.pk}",
        json.dumps({field: None}),
        content_type="application/json",
        **auth(),
    )
    assert response.status_code == 422, response.content
    assert field in error(response)["fields"]
    case.refresh_from_db()
    assert (case.description, case.priority) == ("Antes", Case.Priority.NORMAL)


def test_patch_null_service_still_clears_it(client, auth, open_case):
    case = open_case()
    response = client.patch(
        f"/api/v1/cases/{case.pk}",
        json.dumps({"service": None}),
        content_type="application/json",
        **auth(),
    )
    assert response.status_code == 200 and response.json()["service"] is None


@pytest.mark.parametrize("value", ["²", "٣", BEYOND_64_BITS, "-1", "x"])
def test_assignee_filter_that_is_no_user_id_is_422(client, auth, open_case, value):
    open_case()
    response = client.get("/api/v1/cases", {"assignee": value}, **auth())
    assert response.status_code == 422, response.content
    assert "assignee" in error(response)["fields"]


def test_assignee_filter_by_id_me_and_none_still_work(client, auth, open_case, staff):
    mine = open_case()
    mine.assignee = staff["supervisor"]
    mine.save(update_fields=["assignee"])
    unassigned = open_case()
    headers = auth()

    def ids(value):
        response = client.get("/api/v1/cases", {"assignee": value}, **headers)
        assert response.status_code == 200
        return [c["id"] for c in response.json()["items"]]

    assert ids(str(staff["supervisor"].pk)) == ids("me") == [mine.pk]
    assert ids("none") == [unassigned.pk]


@pytest.mark.parametrize(
    "path",
    [
        f"/api/v1/cases/{BEYOND_64_BITS}",
        f"/api/v1/cases/{BEYOND_64_BITS}/history",
        f"/api/v1/cases/1/attachments/{BEYOND_64_BITS}",
        f"/api/v1/requesters/{BEYOND_64_BITS}",
        "/api/v1/cases/0",
    ],
)
def test_path_ids_outside_the_database_range_are_422(client, auth, path):
    response = client.get(path, **auth())
    assert response.status_code == 422, response.content


def test_a_cursor_not_made_by_the_api_starts_from_the_newest(client, auth, open_case):
    import base64

    case = open_case()
    for raw in (f"2026-01-01T00:00:00+00:00|{BEYOND_64_BITS}", "2026-01-01T00:00:00|1", "x|²"):
        cursor = base64.urlsafe_b64encode(raw.encode()).decode()
        response = client.get("/api/v1/cases", {"cursor": cursor}, **auth())
        assert response.status_code == 200, (raw, response.content)
        assert [c["id"] for c in response.json()["items"]] == [case.pk]


def test_an_agent_cannot_open_a_case_in_a_team_it_is_not_in(client, auth, helpdesk_channel, staff):
    Team.objects.create(slug="outra", name="Outra")
    mine = Team.objects.create(slug="minha", name="Minha")
    TeamMembership.objects.create(team=mine, user=staff["agent"])
    headers = auth("agent")
    response = post_json(
        client,
        "/api/v1/cases",
        {"channel": "fale-conosco", "subject": "x", "team": "outra"},
        **headers,
    )
    assert response.status_code == 403, response.content
    assert "team" in error(response)["fields"]
    assert not Case.objects.exists()  # refused before anything was written
    for team in ("minha", None):
        response = post_json(
            client,
            "/api/v1/cases",
            {"channel": "fale-conosco", "subject": "x", "team": team},
            **headers,
        )
        assert response.status_code == 201, response.content
    assert Case.objects.count() == 2


def test_a_supervisor_opens_a_case_in_any_team(client, auth, helpdesk_channel):
    Team.objects.create(slug="outra", name="Outra")
    response = post_json(
        client,
        "/api/v1/cases",
        {"channel": "fale-conosco", "subject": "x", "team": "outra"},
        **auth(),
    )
    assert response.status_code == 201
