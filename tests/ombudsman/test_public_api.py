"""The person's public API for ombudsman manifestations (issue 21's contract)."""

from __future__ import annotations

import json

import pytest
from django.core.cache import cache
from django.utils import timezone

from balcao.cases import services as cases
from balcao.cases.models import Case
from balcao.ombudsman.models import Manifestation

pytestmark = pytest.mark.django_db

URL = "/api/v1/public/manifestations"
PERSON = {"name": "Maria Exemplo", "email": "maria@example.org", "cpf": "529.982.247-25"}


@pytest.fixture(autouse=True)
def _fresh_limits(settings):
    cache.clear()
    settings.BALCAO_PUBLIC_FORM_RATE = "100/10m"


def post(client, body):
    response = client.post(URL, json.dumps(body), content_type="application/json")
    return response.status_code, response.json()


def body(kind="reclamacao", identity="identified", **extra):
    data = {
        "type": kind,
        "identity": identity,
        "subject": "Atendimento no balcão",
        "description": "Fui mal atendido na unidade do centro.",
        "requester": dict(PERSON),
    }
    if identity == "anonymous":
        data.pop("requester")
    data.update(extra)
    return data


@pytest.mark.parametrize("kind", list(Manifestation.Type.values))
def test_every_type_is_filed_with_its_clock(client, kind):
    status, got = post(client, body(kind))
    assert status == 201, got
    assert list(got) == ["protocol", "access_code", "due", "policy"]
    case = Case.objects.get(protocol=got["protocol"])
    assert got["policy"] == ("lai" if kind == "acesso-informacao" else "inpi-ouvidoria")
    assert case.deadline_policy == got["policy"]
    assert got["due"] == timezone.localdate(case.due_at).isoformat()
    assert case.manifestation.type == kind
    assert case.channel.slug == ("sic" if kind == "acesso-informacao" else "ouvidoria")
    assert case.requester.unverified and case.requester.claimed_cpf == "52998224725"


def test_the_ombudsman_channel_is_confidential(client, staff):
    _, got = post(client, body("denuncia", "preserved"))
    case = Case.objects.get(protocol=got["protocol"])
    assert case.channel.confidential
    assert not cases.visible_cases(staff["supervisor"]).filter(pk=case.pk).exists()
    assert cases.visible_cases(staff["ombudsman"]).filter(pk=case.pk).exists()


def test_an_anonymous_denuncia_keeps_nothing_personal_and_cannot_be_followed(client):
    status, got = post(client, body("denuncia", "anonymous"))
    assert status == 201 and got["access_code"] is None
    case = Case.objects.get(protocol=got["protocol"])
    assert case.requester is None and not hasattr(case, "access")
    assert case.manifestation.identity == "anonymous"
    assert client.get(f"{URL}/{got['protocol']}").status_code == 404


def test_bad_input_names_every_bad_field_at_once(client):
    data = body()
    data["requester"]["cpf"] = "529.982.247-24"
    data.pop("description")
    data["type"] = "queixa-magica"
    status, got = post(client, data)
    assert status == 422
    assert set(got["error"]["fields"]) == {"cpf", "description", "type"}
    status, got = post(client, {k: v for k, v in body().items() if k != "requester"})
    assert status == 422 and "requester" in got["error"]["fields"]
    response = client.post(
        URL, b'{"type": "reclamacao", "subject": ', content_type="application/json"
    )
    assert response.status_code == 400
    assert Case.objects.count() == 0


def test_following_with_protocol_and_code(client, staff):
    _, got = post(client, body("reclamacao", "identified"))
    case = Case.objects.get(protocol=got["protocol"])
    cases.do_add_message(
        case, "Registramos sua reclamação e vamos apurar.", actor=staff["ombudsman"]
    )
    cases.do_add_message(
        case, "nota interna: ligar para a unidade", actor=staff["ombudsman"], internal=True
    )
    response = client.get(f"{URL}/{got['protocol']}", {"code": got["access_code"]})
    assert response.status_code == 200
    view = response.json()
    assert view["due"] == got["due"] and view["status"] == case.state.name
    assert [a["text"] for a in view["answers"]] == ["Registramos sua reclamação e vamos apurar."]
    assert view["history"][0]["event"] == "opened"
    assert "Maria" not in response.content.decode()  # nothing personal in the follow-up


def test_a_wrong_code_and_an_unknown_protocol_look_the_same_then_are_limited(client):
    _, got = post(client, body())
    protocol = got["protocol"]
    wrong = client.get(f"{URL}/{protocol}", {"code": "AAAA-BBBB"})
    unknown = client.get(f"{URL}/{protocol.replace('0', '7')}", {"code": "AAAA-BBBB"})
    missing = client.get(f"{URL}/{protocol}")
    assert wrong.status_code == unknown.status_code == missing.status_code == 404
    assert wrong.json() == unknown.json() == missing.json()
    for _ in range(10):
        client.get(f"{URL}/{protocol}", {"code": "AAAA-BBBB"})
    limited = client.get(f"{URL}/{protocol}", {"code": got["access_code"]})
    assert limited.status_code == 429
