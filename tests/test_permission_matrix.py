"""Every staff page and API endpoint, driven with every role: allowed or denied.

The expectations are written out here on purpose (not derived from
accounts.roles), so a change to the role table that opens or closes a door
fails this test until the matrix is updated knowingly.
"""

from __future__ import annotations

import json

import pytest

from balcao.accounts.roles import ROLES
from balcao.api.models import ApiToken

pytestmark = pytest.mark.django_db

AG, SU, QM, OM, KM, MA, AD = ("agent", "supervisor", "quality_manager", "ombudsman",
                              "knowledge_manager", "manager", "admin")
VIEWERS = {AG, SU, QM, OM, MA, AD}
WORKERS = {AG, SU, OM, MA, AD}
ASSIGNERS = {SU, OM, MA, AD}

MULTIPART = "__multipart__"

# name: (method, url template, payload, roles allowed)
CONSOLE = {
    "case list": ("get", "/console/", None, VIEWERS),
    "case new": ("get", "/console/atendimentos/novo/", None, WORKERS),
    "case detail": ("get", "/console/atendimentos/{case}/", None, VIEWERS),
    "reply": ("post", "/console/atendimentos/{case}/responder/", {"body": "ok"}, WORKERS),
    "note": ("post", "/console/atendimentos/{case}/nota/", {"body": "ok"}, WORKERS | {QM}),
    "change state": ("post", "/console/atendimentos/{case}/situacao/",
                     {"target": "{next_state}"}, WORKERS),
    "assign": ("post", "/console/atendimentos/{case}/atribuir/", {}, ASSIGNERS),
    "audit log": ("get", "/console/auditoria/", None, {AD}),
    "catalog list": ("get", "/console/catalogo/", None, {MA, AD}),
    "catalog edit": ("get", "/console/catalogo/fale-conosco/", None, {MA, AD}),
    "kb list": ("get", "/console/conhecimento/", None, {KM, AD}),
    "kb new": ("get", "/console/conhecimento/novo/", None, {KM, AD}),
    "kb edit": ("get", "/console/conhecimento/{article}/", None, {KM, AD}),
    "kb state": ("post", "/console/conhecimento/{article}/situacao/", {"state": "review"},
                 {KM, AD}),
    "gap inbox": ("get", "/console/conhecimento/lacunas/", None, {KM, AD}),
    "extend deadline": ("post", "/console/atendimentos/{case}/prorrogar/",
                        {"justification": "Consulta a outra unidade"}, ASSIGNERS),
}

API = {
    "list cases": ("get", "/api/v1/cases", None, VIEWERS),
    "create case": ("post", "/api/v1/cases", {"channel": "fale-conosco", "subject": "x"},
                    WORKERS),
    "get case": ("get", "/api/v1/cases/{case}", None, VIEWERS),
    "patch case": ("patch", "/api/v1/cases/{case}", {"priority": 3}, WORKERS),
    "list messages": ("get", "/api/v1/cases/{case}/messages", None, VIEWERS),
    "add message": ("post", "/api/v1/cases/{case}/messages", {"body": "ok", MULTIPART: 1},
                    WORKERS),
    "list transitions": ("get", "/api/v1/cases/{case}/transitions", None, VIEWERS),
    "change state": ("post", "/api/v1/cases/{case}/transitions",
                     {"state": "em-atendimento"}, WORKERS),
    "assign": ("post", "/api/v1/cases/{case}/assignment", {}, ASSIGNERS),
    "history": ("get", "/api/v1/cases/{case}/history", None, VIEWERS),
    "extend deadline": ("post", "/api/v1/cases/{case}/extensions",
                        {"justification": "Consulta a outra unidade"}, ASSIGNERS),
    "create requester": ("post", "/api/v1/requesters", {"name": "Maria"}, WORKERS),
    "get requester": ("get", "/api/v1/requesters/{requester}", None, WORKERS),
    "queues": ("get", "/api/v1/queues", None, VIEWERS),
}

ALL_SCOPES = ["cases:read", "cases:write", "requesters:read", "requesters:write", "queues:read"]


@pytest.fixture
def world(open_case, staff):
    from balcao.cases.services import do_find_or_create_requester

    requester = do_find_or_create_requester(name="Maria", cpf="52998224725")
    case = open_case(requester=requester)
    case.deadline_policy = "lai"  # a policy with one extension
    case.save(update_fields=["deadline_policy"])
    target = case.state.outgoing.get(target__slug="em-atendimento").target
    from balcao.kb.models import Article

    article = Article.objects.create(slug="a", question="Q?", answer="A.", state="draft")
    return {"case": case.pk, "requester": requester.pk, "next_state": target.pk,
            "article": article.pk}


def _fill(value, world):
    if isinstance(value, str):
        return value.format(**world)
    if isinstance(value, dict):
        return {k: _fill(v, world) for k, v in value.items()}
    return value


@pytest.mark.parametrize("role", sorted(ROLES))
@pytest.mark.parametrize("page", sorted(CONSOLE))
def test_console(page, role, world, staff, verified_client):
    method, url, payload, allowed = CONSOLE[page]
    client = verified_client(staff[role])
    call = getattr(client, method)
    response = call(_fill(url, world), _fill(payload, world)) if payload is not None else \
        call(_fill(url, world))
    if role in allowed:
        assert response.status_code in (200, 302), (page, role, response.status_code)
        if response.status_code == 302:
            assert "/conta/entrar/" not in response.url
    else:
        assert response.status_code == 403, (page, role, response.status_code)


@pytest.mark.parametrize("role", sorted(ROLES))
@pytest.mark.parametrize("endpoint", sorted(API))
def test_api(endpoint, role, world, staff, client, helpdesk_channel):
    method, url, payload, allowed = API[endpoint]
    _, raw = ApiToken.issue(name=f"{endpoint}-{role}", user=staff[role], scopes=ALL_SCOPES)
    kwargs = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    call = getattr(client, method)
    if payload is not None and MULTIPART in payload:
        data = {k: v for k, v in payload.items() if k != MULTIPART}
        response = call(_fill(url, world), data, **kwargs)
    elif payload is not None:
        response = call(_fill(url, world), json.dumps(_fill(payload, world)),
                        content_type="application/json", **kwargs)
    else:
        response = call(_fill(url, world), **kwargs)
    if role in allowed:
        assert response.status_code in (200, 201), (endpoint, role, response.content)
    else:
        assert response.status_code == 403, (endpoint, role, response.status_code)


@pytest.mark.parametrize("page", sorted(CONSOLE))
def test_console_needs_a_verified_second_factor(page, world, staff, client):
    method, url, payload, _ = CONSOLE[page]
    client.force_login(staff["admin"])  # password only, no OTP verification
    response = getattr(client, method)(_fill(url, world), _fill(payload, world) or {})
    assert response.status_code == 302 and "/conta/entrar/" in response.url
