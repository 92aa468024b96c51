"""API v1: every cases endpoint, token auth and scopes, error bodies, query counts."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from balcao.api.models import ApiToken
from balcao.audit.models import PersonalDataAccess
from balcao.cases.models import Case, Team, TeamMembership

pytestmark = pytest.mark.django_db

ALL_SCOPES = ["cases:read", "cases:write", "requesters:read", "requesters:write", "queues:read"]
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n"


@pytest.fixture
def api(client, staff):
    """A client calling the API with a token of the supervisor holding ``scopes``."""

    def make(scopes=ALL_SCOPES, role="supervisor"):
        _, raw = ApiToken.issue(
            name=f"t-{role}-{len(scopes)}-{ApiToken.objects.count()}",
            user=staff[role],
            scopes=scopes,
        )
        headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}

        class Caller:
            def get(self, url, **kw):
                return client.get(url, **headers, **kw)

            def post(self, url, data=None, **kw):
                if "content_type" not in kw and not _has_files(data):
                    return client.post(
                        url,
                        json.dumps(data or {}),
                        content_type="application/json",
                        **headers,
                        **kw,
                    )
                return client.post(url, data, **headers, **kw)

            def patch(self, url, data):
                return client.patch(
                    url, json.dumps(data), content_type="application/json", **headers
                )

        return Caller()

    return make


def _has_files(data) -> bool:
    if not isinstance(data, dict):
        return False
    values = [x for v in data.values() for x in (v if isinstance(v, list) else [v])]
    return any(hasattr(v, "read") for v in values)


def _error_fields(response):
    body = response.json()
    assert set(body) == {"error"} and {"code", "message", "fields"} <= set(body["error"])
    return body["error"]["fields"]


def test_no_token_is_401_with_an_error_body(client):
    response = client.get("/api/v1/cases")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthorized"


def test_revoked_token_is_refused(client, staff):
    token, raw = ApiToken.issue(name="x", user=staff["supervisor"], scopes=["cases:read"])
    token.revoked = True
    token.save()
    assert client.get("/api/v1/cases", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401


def test_missing_scope_is_403(api, open_case):
    response = api(scopes=["queues:read"]).get("/api/v1/cases")
    assert response.status_code == 403
    assert "cases:read" in response.json()["error"]["message"]


def test_create_get_and_list_cases(api, helpdesk_channel):
    caller = api()
    response = caller.post(
        "/api/v1/cases", {"channel": "fale-conosco", "subject": "GRU paga", "tags": ["gru"]}
    )
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["state"] == "novo" and created["tags"] == ["gru"]
    assert caller.get(f"/api/v1/cases/{created['id']}").json()["protocol"] == created["protocol"]
    listed = caller.get("/api/v1/cases?q=gru").json()
    assert [c["id"] for c in listed["items"]] == [created["id"]]
    assert caller.get(f"/api/v1/cases?protocol={created['protocol']}").json()["items"]


def test_create_case_errors_name_the_field(api, helpdesk_channel):
    caller = api()
    response = caller.post("/api/v1/cases", {"channel": "nao-existe", "subject": "x"})
    assert response.status_code == 422 and "channel" in _error_fields(response)
    response = caller.post("/api/v1/cases", {"channel": "fale-conosco", "subject": ""})
    assert response.status_code == 422 and "subject" in _error_fields(response)
    response = caller.post("/api/v1/cases", "{not json", content_type="application/json")
    assert response.status_code in (400, 422)


def test_keyset_pagination_walks_every_case_once(api, open_case):
    created = {open_case(subject=f"caso {i}").pk for i in range(7)}
    caller, seen, cursor = api(), [], ""
    while True:
        page = caller.get(f"/api/v1/cases?limit=3&cursor={cursor}").json()
        seen += [c["id"] for c in page["items"]]
        if not page["next_cursor"]:
            break
        cursor = page["next_cursor"]
    assert len(seen) == len(set(seen)) == 7 and set(seen) == created


def test_list_query_count_is_flat(api, open_case, django_assert_max_num_queries):
    caller = api()
    for i in range(30):
        open_case(subject=f"caso {i}")
    caller.get("/api/v1/cases?limit=1")  # loads this process's name snapshots
    # the token, its user, roles and teams (compiled once, balcao.db.prepared), then
    # the page (assignees joined, names from cases.lookups): independent of the page size
    with django_assert_max_num_queries(5):
        assert len(caller.get("/api/v1/cases?limit=30").json()["items"]) == 30


def test_patch_records_history(api, open_case):
    case = open_case()
    caller = api()
    response = caller.patch(f"/api/v1/cases/{case.pk}", {"subject": "Novo assunto", "priority": 3})
    assert response.status_code == 200 and response.json()["priority"] == 3
    history = caller.get(f"/api/v1/cases/{case.pk}/history").json()
    assert {"subject", "priority"} <= {e["field"] for e in history}


def test_messages_with_attachment_and_download(api, open_case):
    case = open_case()
    caller = api()
    response = caller.post(
        f"/api/v1/cases/{case.pk}/messages",
        {"body": "Segue", "files": [SimpleUploadedFile("a.pdf", PDF)]},
    )
    assert response.status_code == 201, response.content
    attachment = response.json()["attachments"][0]
    download = caller.get(attachment["url"])
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    assert download["X-Content-Type-Options"] == "nosniff"
    listed = caller.get(f"/api/v1/cases/{case.pk}/messages").json()
    assert [m["body"] for m in listed] == ["Segue"]


def test_bad_attachment_is_422_on_files(api, open_case):
    case = open_case()
    response = api().post(
        f"/api/v1/cases/{case.pk}/messages",
        {"body": "x", "files": [SimpleUploadedFile("a.pdf", b"MZ" + b"\0" * 99)]},
    )
    assert response.status_code == 422 and "files" in _error_fields(response)
    assert not case.messages.exists()


def test_transitions_list_and_illegal_move(api, open_case):
    case = open_case()
    caller = api()
    allowed = {t["state"] for t in caller.get(f"/api/v1/cases/{case.pk}/transitions").json()}
    assert "em-atendimento" in allowed and "encerrado" not in allowed
    response = caller.post(f"/api/v1/cases/{case.pk}/transitions", {"state": "encerrado"})
    assert response.status_code == 422 and "state" in _error_fields(response)
    response = caller.post(f"/api/v1/cases/{case.pk}/transitions", {"state": "em-atendimento"})
    assert response.status_code == 200 and response.json()["state"] == "em-atendimento"


def test_assignment(api, open_case, staff):
    team = Team.objects.create(slug="marcas", name="Marcas")
    TeamMembership.objects.create(team=team, user=staff["agent"])
    case = open_case()
    response = api().post(
        f"/api/v1/cases/{case.pk}/assignment",
        {"team": "marcas", "assignee": staff["agent"].username},
    )
    assert response.status_code == 200
    assert (response.json()["team"], response.json()["assignee"]) == ("marcas", "t.agent")
    response = api().post(f"/api/v1/cases/{case.pk}/assignment", {"assignee": "ninguem"})
    assert response.status_code == 422 and "assignee" in _error_fields(response)


def test_requesters_are_validated_and_every_read_is_audited(api):
    caller = api()
    response = caller.post("/api/v1/requesters", {"name": "Maria", "cpf": "529.982.247-24"})
    assert response.status_code == 422 and "cpf" in _error_fields(response)
    response = caller.post(
        "/api/v1/requesters",
        {"name": "Maria", "cpf": "529.982.247-25", "email": "maria@exemplo.invalid"},
    )
    assert response.status_code == 201
    requester_id = response.json()["id"]
    before = PersonalDataAccess.objects.count()
    data = caller.get(f"/api/v1/requesters/{requester_id}").json()
    assert data["cpf"] == "529.982.247-25" and data["revealed"]
    access = PersonalDataAccess.objects.latest("at")
    assert PersonalDataAccess.objects.count() == before + 1
    assert access.kind == "api" and access.requester_id == requester_id
    assert access.token_name.startswith("t-supervisor")


def test_queues(api, staff):
    team = Team.objects.create(slug="n1", name="Nível 1")
    TeamMembership.objects.create(team=team, user=staff["agent"])
    assert api().get("/api/v1/queues").json() == [
        {"slug": "n1", "name": "Nível 1", "strategy": "manual", "members": ["t.agent"]}
    ]


def test_openapi_schema_is_served(client):
    schema = client.get("/api/v1/openapi.json").json()
    assert schema["info"]["version"] == "1"
    assert "/api/v1/cases" in schema["paths"]


def test_an_agent_token_sees_only_its_teams_cases(api, open_case, staff):
    team = Team.objects.create(slug="outra", name="Outra")
    hidden = open_case(team=team)
    response = api(role="agent").get(f"/api/v1/cases/{hidden.pk}")
    assert response.status_code == 404
    assert Case.objects.filter(pk=hidden.pk).exists()


def test_unknown_api_paths_answer_with_the_error_body():
    from django.test import Client

    client = Client(enforce_csrf_checks=True)  # as a real anonymous caller: no CSRF page
    for path in ("/api/v1/nao-existe", "/api/v2/cases", "/api/v1/public/nada"):
        response = client.post(path, "{}", content_type="application/json")
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"
