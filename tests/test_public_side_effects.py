"""Every public path that opens a case, driven with someone else's CPF and e-mail: the
person on file and their cases stay exactly as they were (security issue #17, finding 1).

"Unauthenticated input (bot, portal, any public endpoint) never writes contact data onto
an existing requester and never reopens or appends to an existing case: it creates an
unverified contact for the new case … Acknowledgements go to the address typed."

A new public case-opening path is added to ``PATHS``; the test then proves it too.
"""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.cache import cache

from balcao.cases import intake
from balcao.cases.models import Case, Requester, State
from balcao.cases.services import PermissionDenied, do_change_state, do_open_case
from balcao.cases.text import clean_line
from balcao.catalog import services as catalog
from balcao.catalog.models import Channel

pytestmark = pytest.mark.django_db

OWNER_CPF = "52998224725"
ATTACKER_EMAIL = "atacante@example.org"


@pytest.fixture
def world(staff, settings):
    """Ana (CPF on file, no e-mail) and Bruno (e-mail on file, a recently resolved case)."""
    settings.BALCAO_PUBLIC_FORM_RATE = "100/m"
    cache.clear()
    catalog.load_demo_catalog()
    ana = Requester.objects.create(name="Ana Titular", cpf=OWNER_CPF)
    bruno = Requester.objects.create(name="Bruno Titular", email="bruno@example.com")
    channel = Channel.objects.get(slug="fale-conosco")
    case = do_open_case(
        channel=channel,
        subject="problema no pagamento da anuidade",
        requester=bruno,
        actor=staff["supervisor"],
    )
    resolved = State.objects.filter(
        workflow=case.state.workflow, category=State.Category.RESOLVED
    ).first()
    do_change_state(case, resolved, actor=staff["supervisor"])
    return {"ana": ana, "bruno": bruno}


def snapshot() -> dict:
    people = {
        r.pk: (r.name, r.email, r.phone, r.cpf, r.cnpj, r.nif, r.linked_to_id)
        for r in Requester.objects.filter(unverified=False)
    }
    cases = {
        c.pk: (
            c.requester_id,
            c.representative_id,
            c.state_id,
            c.closed_at,
            c.messages.count(),
            c.history.count(),
        )
        for c in Case.objects.all()
    }
    return {"people": people, "cases": cases}


def portal_form(client, *, cpf="", email=ATTACKER_EMAIL, **extra):
    return client.post(
        "/canais/fale-conosco/",
        {
            "name": "Alguém",
            "email": email,
            "cpf": cpf,
            "service": "",
            "subject": "problema no pagamento da anuidade",
            "description": "De novo.",
            "website": "",
        },
        **extra,
    )


def web_chatbot(client, *, cpf="", email=ATTACKER_EMAIL, **extra):
    client.post("/chatbot/mensagem/", {"text": "problema no pagamento da anuidade"}, **extra)
    return client.post("/chatbot/chamado/", {"name": "Alguém", "email": email, "cpf": cpf}, **extra)


def bot_api(client, *, cpf="", email=ATTACKER_EMAIL, **extra):
    token = client.post("/api/v1/bot/conversations", **extra).json()["token"]
    client.post(
        f"/api/v1/bot/conversations/{token}/messages",
        {"text": "problema no pagamento da anuidade"},
        content_type="application/json",
        **extra,
    )
    return client.post(
        f"/api/v1/bot/conversations/{token}/case",
        {"name": "Alguém", "email": email, "cpf": cpf},
        content_type="application/json",
        **extra,
    )


PATHS = {"portal form": portal_form, "web chatbot": web_chatbot, "bot API": bot_api}


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("claim", ["cpf", "email"])
def test_public_input_never_changes_a_person_on_file(
    client, world, path, claim, django_capture_on_commit_callbacks
):
    before = snapshot()
    cases_before = Case.objects.count()
    typed = {"cpf": OWNER_CPF} if claim == "cpf" else {"email": "bruno@example.com"}
    with django_capture_on_commit_callbacks(execute=True):
        response = PATHS[path](client, **typed)
    assert response.status_code in (200, 302), response.content[:300]
    assert Case.objects.count() == cases_before + 1
    new_case = Case.objects.order_by("-pk").select_related("requester").first()
    contact = new_case.requester
    assert contact.unverified and contact.pk not in before["people"]
    assert contact.cpf is None  # a typed CPF is a claim, never the unique document
    assert snapshot() == {
        "people": before["people"],
        "cases": {**before["cases"], new_case.pk: snapshot()["cases"][new_case.pk]},
    }
    # The acknowledgement (when the path sends one) goes to the address typed, only.
    for message in mail.outbox:
        assert message.to == [contact.email]


def test_staff_link_moves_the_case_and_records_who(world, staff, client):
    web_chatbot(client, cpf=OWNER_CPF, email="ana.nova@example.com")
    contact = Requester.objects.get(unverified=True)
    assert list(intake.possible_matches(contact)) == [world["ana"]]
    case = contact.cases.get()
    with pytest.raises(PermissionDenied):  # staff only; a person proves by e-mail code
        intake.do_link_contact(contact, world["ana"], actor=None)
    with pytest.raises(PermissionDenied):
        intake.do_link_contact(contact, world["ana"], actor=staff["knowledge_manager"])
    assert (
        intake.do_link_contact(
            contact, world["ana"], actor=staff["supervisor"], reason="confirmado por telefone"
        )
        == 1
    )
    case.refresh_from_db()
    contact.refresh_from_db()
    assert case.requester == world["ana"] and contact.linked_to == world["ana"]
    event = case.history.get(action="requester_linked")
    assert event.actor == staff["supervisor"] and event.reason == "confirmado por telefone"
    world["ana"].refresh_from_db()
    assert world["ana"].email == ""  # linking moves cases; it never copies typed data
    with pytest.raises(intake.IntakeError):
        intake.do_link_contact(contact, world["ana"], actor=staff["supervisor"])


def test_link_command(world, staff, client):
    from io import StringIO

    from django.core.management import call_command

    portal_form(client, cpf=OWNER_CPF)
    contact = Requester.objects.get(unverified=True)
    out = StringIO()
    call_command("requester", "unverified", stdout=out)
    assert f"{contact.pk}\t" in out.getvalue() and f"possible={world['ana'].pk}" in out.getvalue()
    assert "Ana" not in out.getvalue() and OWNER_CPF not in out.getvalue()
    call_command(
        "requester",
        "link",
        str(contact.pk),
        str(world["ana"].pk),
        "--by",
        staff["supervisor"].username,
        stdout=out,
    )
    assert world["ana"].cases.count() == 1


@pytest.mark.parametrize("path", ["web chatbot", "bot API", "portal form"])
def test_every_public_case_path_shares_the_per_address_limit(client, world, path, settings):
    """Finding 4: the web chatbot opened 8 cases out of 8 from one address."""
    settings.BALCAO_PUBLIC_FORM_RATE = "3/10m"
    statuses = []
    for _ in range(5):
        client.cookies.clear()  # a new visitor each time, from the same address
        statuses.append(PATHS[path](client).status_code)
    assert statuses[:3] == [statuses[0]] * 3 and statuses[0] in (200, 302)
    assert statuses[3:] == [429, 429]
    assert Case.objects.filter(requester__unverified=True).count() == 3
    # The limit is per address, across paths: another path from the same address waits.
    other = next(p for p in PATHS if p != path)
    client.cookies.clear()
    assert PATHS[other](client).status_code == 429
    # Another address is not slowed by the first one.
    client.cookies.clear()
    assert PATHS[other](client, REMOTE_ADDR="203.0.113.9").status_code in (200, 302)


def test_the_limit_ignores_a_forged_forwarded_for(client, world, settings):
    settings.BALCAO_PUBLIC_FORM_RATE = "2/10m"
    codes = [
        client.post(
            "/canais/fale-conosco/",
            {
                "name": "Alguém",
                "email": ATTACKER_EMAIL,
                "subject": "x",
                "description": "y",
                "website": "",
            },
            HTTP_X_FORWARDED_FOR=f"198.51.100.{n}",
        ).status_code
        for n in range(4)
    ]
    assert codes == [302, 302, 429, 429]


def test_a_conversation_opens_one_case_through_the_api(client, world):
    token = client.post("/api/v1/bot/conversations").json()["token"]
    client.post(
        f"/api/v1/bot/conversations/{token}/messages",
        {"text": "ajuda"},
        content_type="application/json",
    )
    url = f"/api/v1/bot/conversations/{token}/case"
    first = client.post(
        url, {"name": "A", "email": ATTACKER_EMAIL}, content_type="application/json"
    )
    again = client.post(
        url, {"name": "A", "email": ATTACKER_EMAIL}, content_type="application/json"
    )
    assert first.status_code == 200 and again.status_code == 409
    assert first.json()["protocol"] in again.json()["error"]["message"]
    assert Case.objects.filter(requester__unverified=True).count() == 1


def test_the_web_chatbot_confirmation_survives_a_reload(client, world):
    response = web_chatbot(client)
    assert response.status_code == 302
    case = Case.objects.get(requester__unverified=True)
    for _ in range(2):
        page = client.get(response["Location"])
        assert page.status_code == 200 and case.protocol in page.content.decode()
    again = client.post("/chatbot/chamado/", {"name": "Alguém", "email": ATTACKER_EMAIL})
    assert again.status_code == 302 and Case.objects.filter(requester__unverified=True).count() == 1


@pytest.mark.parametrize(
    "typed, kept",
    [
        ("Maria\u202eanilorac", "Mariaanilorac"),
        ("Ana\u200b Souza\u2066", "Ana Souza"),
        ("  José \t da   Silva ", "José da Silva"),
        ("Linha\nquebrada", "Linha quebrada"),
        ("Zero\u200dwidth\u00ad joiner", "Zerowidth joiner"),
    ],
)
def test_format_characters_are_removed_from_public_lines(typed, kept):
    assert clean_line(typed, 200) == kept


def test_right_to_left_override_never_reaches_a_case(client, world):
    portal_form(client)
    client.post(
        "/canais/fale-conosco/",
        {
            "name": "Eve\u202eliame",
            "email": ATTACKER_EMAIL,
            "subject": "fatura\u202efdp.exe",
            "description": "a\u202eb\nc",
            "website": "",
        },
    )
    case = Case.objects.order_by("-pk").select_related("requester").first()
    assert "\u202e" not in case.subject + case.description + case.requester.name
    assert case.subject == "faturafdp.exe"


def test_staff_input_is_cleaned_too(open_case, staff):
    from balcao.cases.services import do_find_or_create_requester, do_update_case

    case = open_case(subject="Dúvida\u202e sobre GRU")
    assert case.subject == "Dúvida sobre GRU"
    do_update_case(case, actor=staff["supervisor"], subject="nova\u2066 fatura")
    case.refresh_from_db()
    assert case.subject == "nova fatura"
    assert do_find_or_create_requester(name="Eve\u202eevE").name == "EveevE"


OTHER_PUBLIC = {
    "bot ask": (
        "post",
        "/api/v1/bot/ask",
        {"text": f"meu CPF é {OWNER_CPF}, e-mail bruno@example.com: quero a anuidade"},
    ),
    "triage API": ("post", "/api/v1/triage", {"text": f"reclamação, CPF {OWNER_CPF}"}),
    "triage choice": ("post", "/api/v1/triage/choice", {"outcome": 1, "chosen": "ouvidoria"}),
    "deadline": ("get", "/api/v1/deadlines/compute?policy=lai&received=2026-03-02T10:00", None),
    "triage page": ("post", "/encontre-o-atendimento/", {"text": f"CPF {OWNER_CPF} recurso"}),
    "chat message": ("post", "/chatbot/mensagem/", {"text": f"sou {OWNER_CPF} bruno@example.com"}),
    "chat end": ("post", "/chatbot/encerrar/", {}),
    "click-to-call": (
        "post",
        "/api/v1/telephony/click-to-call",
        {"number": "+351912345678", "consent": True},
    ),
}


@pytest.mark.parametrize("name", OTHER_PUBLIC)
def test_other_public_endpoints_leave_people_and_cases_alone(client, world, name):
    method, url, data = OTHER_PUBLIC[name]
    before = snapshot()
    if url.startswith("/api/") and data is not None:
        response = getattr(client, method)(url, data, content_type="application/json")
    else:
        response = getattr(client, method)(url, data) if data is not None else client.get(url)
    assert response.status_code < 500
    assert snapshot() == before
    assert not Requester.objects.filter(unverified=True).exists()


def test_console_links_an_unverified_contact(client, world, staff, verified_client):
    """The agent sees that the contact is unverified, which people on file it may be,
    and links it after confirming; the link is in the case history."""
    portal_form(client, cpf=OWNER_CPF)
    case = Case.objects.get(requester__unverified=True)
    agent = verified_client(staff["supervisor"])
    page = agent.get(f"/console/atendimentos/{case.pk}/").content.decode()
    assert "contato não verificado" in page and f'value="{world["ana"].pk}"' in page
    refused = agent.post(
        f"/console/atendimentos/{case.pk}/vincular-requerente/",
        {"person": "99999999999999999999", "reason": "x"},
    )
    assert refused.status_code == 302 and Case.objects.get(pk=case.pk).requester.unverified
    agent.post(
        f"/console/atendimentos/{case.pk}/vincular-requerente/",
        {"person": world["ana"].pk, "reason": "confirmado por telefone"},
    )
    case.refresh_from_db()
    assert case.requester == world["ana"]
    page = agent.get(f"/console/atendimentos/{case.pk}/").content.decode()
    assert "Vincular a um cadastro" not in page and "confirmado por telefone" in page


def test_console_link_needs_the_capability(client, world, staff, verified_client):
    portal_form(client, cpf=OWNER_CPF)
    case = Case.objects.get(requester__unverified=True)
    viewer = verified_client(staff["quality_manager"])
    page = viewer.get(f"/console/atendimentos/{case.pk}/").content.decode()
    assert "Vincular a um cadastro" not in page
    response = viewer.post(
        f"/console/atendimentos/{case.pk}/vincular-requerente/",
        {"person": world["ana"].pk, "reason": "x"},
    )
    assert response.status_code == 403
    assert Case.objects.get(pk=case.pk).requester.unverified


def test_console_refuses_a_team_the_agent_is_not_in_before_writing(
    staff, verified_client, helpdesk_channel
):
    """Finding 6, console side: the case was created, then the agent got a 404."""
    from balcao.cases.models import Team

    other = Team.objects.create(slug="outra", name="Outra")
    agent = verified_client(staff["agent"])
    response = agent.post(
        "/console/atendimentos/novo/",
        {
            "channel": helpdesk_channel.pk,
            "subject": "Ligação",
            "team": other.pk,
            "requester_name": "Carla",
            "requester_email": "carla@example.com",
        },
    )
    assert response.status_code == 200 and "não faz parte desta equipe" in response.content.decode()
    assert not Case.objects.exists() and not Requester.objects.filter(name="Carla").exists()
