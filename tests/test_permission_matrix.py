"""Every staff page and API endpoint, driven with every role: allowed or denied.

The expectations are written out here on purpose (not derived from
accounts.roles), so a change to the role table that opens or closes a door
fails this test until the matrix is updated knowingly.
"""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from balcao.accounts.roles import ROLES
from balcao.api.models import ApiToken
from balcao.mail.models import Unit
from balcao.telephony.models import CallbackRequest, Line, Occurrence, Recording

pytestmark = pytest.mark.django_db

AG, SU, QM, OM, KM, MA, AD = (
    "agent",
    "supervisor",
    "quality_manager",
    "ombudsman",
    "knowledge_manager",
    "manager",
    "admin",
)
VIEWERS = {AG, SU, QM, OM, MA, AD}
WORKERS = {AG, SU, OM, MA, AD}
ASSIGNERS = {SU, OM, MA, AD}

MULTIPART = "__multipart__"

# name: (method, url template, payload, roles allowed)
CONSOLE = {
    "case list": ("get", "/console/", None, VIEWERS),
    "case new": ("get", "/console/atendimentos/novo/", None, WORKERS),
    "case detail": ("get", "/console/atendimentos/{case}/", None, VIEWERS),
    "answer picker": (
        "get",
        "/console/atendimentos/{case}/respostas-prontas/",
        None,
        WORKERS | {QM},
    ),
    "reply": ("post", "/console/atendimentos/{case}/responder/", {"body": "ok"}, WORKERS),
    "note": ("post", "/console/atendimentos/{case}/nota/", {"body": "ok"}, WORKERS | {QM}),
    "change state": (
        "post",
        "/console/atendimentos/{case}/situacao/",
        {"target": "{next_state}"},
        WORKERS,
    ),
    "assign": ("post", "/console/atendimentos/{case}/atribuir/", {}, ASSIGNERS),
    "canned answers": ("get", "/console/respostas-prontas/", None, VIEWERS | {KM}),
    "canned answer new": ("get", "/console/respostas-prontas/nova/", None, {KM, SU, MA, AD}),
    "take case": ("post", "/console/atendimentos/{case}/assumir/", {}, WORKERS),
    "terminate case": (
        "post",
        "/console/atendimentos/{case}/terminativa/",
        {"ground": "conduct", "statement": "Ofensas."},
        WORKERS,
    ),
    "bulk action": ("post", "/console/atendimentos/lote/", {"action": "take"}, WORKERS),
    "audit log": ("get", "/console/auditoria/", None, {AD}),
    "catalog list": ("get", "/console/catalogo/", None, {MA, AD}),
    "catalog edit": ("get", "/console/catalogo/fale-conosco/", None, {MA, AD}),
    "catalog new": ("get", "/console/catalogo/novo/", None, {MA, AD}),
    "triage examples": ("get", "/console/catalogo/triagem/", None, {MA, AD}),
    "classified information": ("get", "/console/sigilo/", None, {OM, MA, AD}),
    "annual report": ("get", "/console/sigilo/relatorio-anual/", None, {OM, MA, AD}),
    "classified detail": ("get", "/console/sigilo/{tci}/", None, {OM, MA, AD}),
    "reassessment request": (
        "post",
        "/console/sigilo/{tci}/reavaliacao/",
        {"origin": "request", "asked": "declassify", "requester_name": "Maria", "text": "Peço."},
        {OM, MA, AD},
    ),
    # the ombudsman's advisory opinion (INPI Portaria art. 49): the ombudsman role only
    "classification opinion": (
        "post",
        "/console/sigilo/reavaliacao/{reassessment}/parecer/",
        {"text": "Parecer."},
        {OM},
    ),
    # the ombudsman's triage, forwarding and identity reveal: the ombudsman role only (on a
    # case that is not a manifestation: refused with a message, 302)
    "ombudsman triage": (
        "post",
        "/console/atendimentos/{case}/triagem/",
        {"outcome": "admissible", "reason": "ok"},
        {OM},
    ),
    "ombudsman forward": ("post", "/console/atendimentos/{case}/encaminhar/", {}, {OM}),
    "reveal identity": (
        "post",
        "/console/atendimentos/{case}/identidade/",
        {"reason": "Ofício 12"},
        {OM},
    ),
    "forwardings": ("get", "/console/encaminhamentos/", None, VIEWERS),
    "mail quarantine": ("get", "/console/email/quarentena/", None, {SU, MA, AD}),
    "contact centre report": ("get", "/console/telefonia/relatorio/", None, {SU, QM, OM, MA, AD}),
    "staffing planner": ("get", "/console/telefonia/dimensionamento/", None, {SU, QM, OM, MA, AD}),
    "contact centre monthly report": (
        "get",
        "/console/telefonia/relatorio/mensal/",
        None,
        {SU, QM, OM, MA, AD},
    ),  # fmt: skip
    "contact centre final report": (
        "get",
        "/console/telefonia/relatorio/final/",
        None,
        {SU, QM, OM, MA, AD},
    ),  # fmt: skip
    "telephony wallboard": ("get", "/console/telefonia/painel/", None, {SU, MA, AD}),
    "telephony wallboard fragment": (
        "get",
        "/console/telefonia/painel/ao-vivo/",
        None,
        {SU, MA, AD},
    ),  # fmt: skip
    "telephony screen-pop": ("get", "/console/telefonia/minha-chamada/", None, WORKERS),
    "telephony screen-pop fragment": (
        "get",
        "/console/telefonia/minha-chamada/ao-vivo/",
        None,
        WORKERS,
    ),  # fmt: skip
    # a call that is not the agent's: 302 back with an error
    "telephony open case from call": (
        "post",
        "/console/telefonia/minha-chamada/abrir/",
        {"callid": "x"},
        WORKERS,
    ),  # fmt: skip
    "agent phones": ("get", "/console/telefonia/ramais/", None, {SU, MA, AD}),
    # the contact centre's administration (lines, recordings, callbacks, occurrences,
    # suggestions)
    "telephony lines": ("get", "/console/telefonia/linhas/", None, {SU, MA, AD}),
    "telephony line new": ("get", "/console/telefonia/linhas/nova/", None, {SU, MA, AD}),
    "telephony line edit": ("get", "/console/telefonia/linhas/{line_id}/", None, {SU, MA, AD}),
    "recordings": ("get", "/console/telefonia/gravacoes/", None, {SU, QM, OM, MA, AD}),
    "recording audio": (
        "get",
        "/console/telefonia/gravacoes/{recording}/audio/",
        None,
        {SU, QM, OM, MA, AD},
    ),  # fmt: skip
    "recording sample": (
        "post",
        "/console/telefonia/gravacoes/amostra/",
        {"mes": "2026-11"},
        {SU, QM, OM, MA, AD},
    ),  # fmt: skip
    "callbacks": ("get", "/console/telefonia/retornos/", None, {SU, MA, AD}),
    "callback cancel": (
        "post",
        "/console/telefonia/retornos/{callback}/cancelar/",
        {},
        {SU, MA, AD},
    ),  # fmt: skip
    "occurrences": ("get", "/console/telefonia/ocorrencias/", None, {SU, MA, AD}),
    "occurrence close": (
        "post",
        "/console/telefonia/ocorrencias/{occurrence}/encerrar/",
        {},
        {SU, MA, AD},
    ),  # fmt: skip
    "suggestions": ("get", "/console/telefonia/sugestoes/", None, {SU, MA, AD}),
    "suggestion new": ("get", "/console/telefonia/sugestoes/nova/", None, WORKERS),
    # the live chat (issue 24): send, note, close and transfer are for the agent holding the
    # conversation only (404 for everyone else: tests/livechat/test_console_pages.py)
    "chat desk": ("get", "/console/chat/", None, WORKERS),
    "chat desk lists": ("get", "/console/chat/listas/", None, WORKERS),
    "chat presence": ("post", "/console/chat/presenca/", {"status": "paused"}, WORKERS),
    "chat accept": ("post", "/console/chat/{chat}/atender/", {}, WORKERS),
    "chat supervision": ("get", "/console/chat/supervisao/", None, {SU, MA, AD}),
    "chat supervision fragment": ("get", "/console/chat/supervisao/ao-vivo/", None, {SU, MA, AD}),
    "chat transfer page": ("get", "/console/chat/{chat}/transferir/", None, {SU, MA, AD}),
    "chat take over": ("post", "/console/chat/{chat}/assumir/", {}, {SU, MA, AD}),
    "scheduling sessions": ("get", "/console/agendamento/", None, WORKERS),
    "scheduling publish": (
        "post",
        "/console/agendamento/",
        {
            "channel": "{sessions_channel}",
            "first": "2027-03-01",
            "last": "2027-03-02",
            "times": "10:00",
            "capacity": "5",
            "pattern": "https://meet.jit.si/{{room}}",
        },
        {SU, MA, AD},
    ),  # fmt: skip
    "scheduling session": ("get", "/console/agendamento/{open_session}/", None, WORKERS),
    "scheduling attendance": ("post", "/console/agendamento/{open_session}/", {}, WORKERS),
    "scheduling report": ("get", "/console/agendamento/relatorio/", None, {SU, QM, OM, MA, AD}),
    "scheduling record": (
        "get",
        "/console/agendamento/atendimento/{session_request}/registro/",
        None,
        WORKERS,
    ),
    "direct contacts": ("get", "/console/contato-direto/", None, WORKERS),
    "direct contact": ("get", "/console/contato-direto/{direct_contact}/", None, WORKERS),
    "scheduling requests": ("get", "/console/agendamento/atendimentos/", None, WORKERS),
    "scheduling request": (
        "get",
        "/console/agendamento/atendimento/{session_request}/",
        None,
        WORKERS,
    ),
    "scheduling request refuse": (
        "post",
        "/console/agendamento/atendimento/{session_request}/",
        {"action": "refuse", "refuse-reason": "Revisão de mérito (art. 33)."},
        WORKERS,
    ),  # fmt: skip
    "mail advertising": ("get", "/console/email/publicidade/", None, {SU, MA, AD}),
    # on a case not opened by e-mail: refused with a message (302)
    "case is advertising": ("post", "/console/atendimentos/{case}/publicidade/", {}, WORKERS),
    "mailboxes": ("get", "/console/email/caixas/", None, {MA, AD}),
    "mailbox new": ("get", "/console/email/caixas/nova/", None, {MA, AD}),
    "units": ("get", "/console/email/unidades/", None, {MA, AD}),
    "unit new": ("get", "/console/email/unidades/nova/", None, {MA, AD}),
    "unit edit": ("get", "/console/email/unidades/{unit}/", None, {MA, AD}),
    "forward to unit": (
        "post",
        "/console/atendimentos/{case}/encaminhar-unidade/",
        {"unit": "{unit}", "note": "Confirmem o estado do pedido."},
        WORKERS,
    ),
    "reclame aqui new": ("get", "/console/reclame-aqui/nova/", None, WORKERS),
    # on a case that is not a Reclame Aqui complaint: refused with a message (302)
    "reclame aqui record": (
        "post",
        "/console/atendimentos/{case}/reclame-aqui/",
        {"action": "reply", "text": "Resposta."},
        WORKERS,
    ),
    "mediation": (
        "post",
        "/console/atendimentos/{case}/mediacao/",
        {"action": "deadline", "due_on": "2099-01-01", "how": "x"},
        {OM},
    ),
    # on a case that is not an access-to-information request: refused with a message (302)
    "lai answer": ("post", "/console/atendimentos/{case}/resposta-lai/", {}, WORKERS),
    "kb list": ("get", "/console/conhecimento/", None, {KM, AD}),
    "kb new": ("get", "/console/conhecimento/novo/", None, {KM, AD}),
    "kb edit": ("get", "/console/conhecimento/{article}/", None, {KM, AD}),
    "kb state": (
        "post",
        "/console/conhecimento/{article}/situacao/",
        {"state": "review"},
        {KM, AD},
    ),
    "kb review": (
        "post",
        "/console/conhecimento/{article}/revisao/",
        {"decision": "reject"},
        {KM, AD},
    ),
    "gap inbox": ("get", "/console/conhecimento/lacunas/", None, {KM, AD}),
    "extend deadline": (
        "post",
        "/console/atendimentos/{case}/prorrogar/",
        {"justification": "Consulta a outra unidade"},
        ASSIGNERS,
    ),
}

API = {
    "list cases": ("get", "/api/v1/cases", None, VIEWERS),
    "create case": ("post", "/api/v1/cases", {"channel": "fale-conosco", "subject": "x"}, WORKERS),
    "get case": ("get", "/api/v1/cases/{case}", None, VIEWERS),
    "patch case": (
        "patch",
        "/api/v1/cases/{case}",
        {"subject": "Outro assunto", "priority": 3},
        WORKERS,
    ),  # cases.edit
    "list messages": ("get", "/api/v1/cases/{case}/messages", None, VIEWERS),
    "add message": ("post", "/api/v1/cases/{case}/messages", {"body": "ok", MULTIPART: 1}, WORKERS),
    "list transitions": ("get", "/api/v1/cases/{case}/transitions", None, VIEWERS),
    "change state": (
        "post",
        "/api/v1/cases/{case}/transitions",
        {"state": "em-atendimento"},
        WORKERS,
    ),
    "assign": ("post", "/api/v1/cases/{case}/assignment", {}, ASSIGNERS),
    "history": ("get", "/api/v1/cases/{case}/history", None, VIEWERS),
    "extend deadline": (
        "post",
        "/api/v1/cases/{case}/extensions",
        {"justification": "Consulta a outra unidade"},
        ASSIGNERS,
    ),
    "create requester": ("post", "/api/v1/requesters", {"name": "Maria"}, WORKERS),
    "get requester": ("get", "/api/v1/requesters/{requester}", None, WORKERS),
    "queues": ("get", "/api/v1/queues", None, VIEWERS),
    # The PBX's dialplan (issue 23): any token with the telephony:hours scope, any role.
    "telephony open-now": ("get", "/api/v1/telephony/open-now?line={line}", None, set(ROLES)),
}

ALL_SCOPES = [
    "cases:read",
    "cases:write",
    "requesters:read",
    "requesters:write",
    "queues:read",
    "telephony:hours",
]


def _waiting_chat():
    """A person waiting in the live chat's queue (issue 24)."""
    from balcao.cases.models import Requester, Workflow
    from balcao.catalog.models import Channel
    from balcao.livechat import services as chat_services

    channel = Channel.objects.create(
        slug="chat", name="Chat", kind="chat", hours=Channel.Hours.ALWAYS,
        workflow=Workflow.objects.get(slug="chat"),
    )  # fmt: skip
    person = Requester.objects.create(name="Ana", email="ana@example.com", phone="4735311500")
    return chat_services.do_start_chat(person, channel, reason="Dúvida sobre a GRU.")


@pytest.fixture
def world(open_case, staff, settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "private")},
        },
    }
    from balcao.cases.services import do_find_or_create_requester

    requester = do_find_or_create_requester(name="Maria", cpf="52998224725")
    case = open_case(requester=requester)
    case.deadline_policy = "lai"  # a policy with one extension
    case.save(update_fields=["deadline_policy"])
    target = case.state.outgoing.get(target__slug="em-atendimento").target
    from balcao.kb.models import Article

    article = Article.objects.create(slug="a", question="Q?", answer="A.", state="draft")
    from balcao.ombudsman.models import ClassificationReassessment, ClassifiedInformation

    def tci(nup):
        return ClassifiedInformation.objects.create(
            nup=nup, degree="reservado", category="06", legal_ground="Lei 12.527, art. 23",
            produced_on=date(2026, 1, 5), classified_on=date(2026, 1, 6), years=5,
            reasons="Razões.", classified_by=staff[AD],
        )  # fmt: skip

    reassessment = ClassificationReassessment.objects.create(
        item=tci("52400.000002/2026-22"), origin="request", asked="declassify",
        requester_name="Maria", request_text="Peço.", registered_by=staff[OM],
        registered_at=timezone.now(),
    )  # fmt: skip
    line = Line.objects.create(slug="inpi", name="INPI", country="PT")
    chat = _waiting_chat()
    from balcao.catalog.models import Channel
    from balcao.scheduling.models import OpenSession

    sessions_channel = Channel.objects.create(
        slug="sessoes-abertas", name="Sessões abertas", entry=Channel.Entry.SCHEDULING,
        hours=Channel.Hours.SESSIONS,
    )  # fmt: skip
    open_session = OpenSession.objects.create(
        channel=sessions_channel, starts_at=timezone.now() + timedelta(days=1),
        ends_at=timezone.now() + timedelta(days=1, hours=1), capacity=10,
        video_url="https://meet.jit.si/balcao-teste",
    )  # fmt: skip
    presential_channel = Channel.objects.create(
        slug="presencial", name="Atendimento (tele)presencial", entry=Channel.Entry.SCHEDULING,
        hours=Channel.Hours.APPOINTMENT,
    )  # fmt: skip
    from balcao.cases.models import Team
    from balcao.scheduling.models import ContactUnit, DirectContact, Hypothesis, SessionRequest

    contact_unit = ContactUnit.objects.create(
        team=Team.objects.create(slug="unidade-contato", name="Unidade"),
        email="unidade@inpi.example", channel=presential_channel,
    )  # fmt: skip
    hypothesis = Hypothesis.objects.create(
        unit=contact_unit, title="Hipótese", requirements="R", preceito="P", premissa="P",
        conclusao="C",
    )  # fmt: skip
    direct_contact = DirectContact.objects.create(
        case=open_case(channel=presential_channel), hypothesis=hypothesis, process="BR 1",
        preceito="P", premissa="P", conclusao="C",
    )  # fmt: skip
    session_request = SessionRequest.objects.create(
        case=open_case(channel=presential_channel), requester_document="RG 1"
    )
    recording = Recording(
        callid="1764842400.1", filename="1764842400.1.wav", size=4, received_at=timezone.now()
    )
    recording.file.save("1764842400.1.wav", ContentFile(b"RIFF"), save=True)
    return {
        "case": case.pk,
        "requester": requester.pk,
        "next_state": target.pk,
        "article": article.pk,
        "tci": tci("52400.000001/2026-11").pk,
        "reassessment": reassessment.pk,
        "unit": Unit.objects.create(name="Patentes", address="patentes@inpi.example").pk,
        "line": line.slug,
        "line_id": line.pk,
        "chat": chat.pk,
        "open_session": open_session.pk,
        "sessions_channel": sessions_channel.pk,
        "session_request": session_request.pk,
        "direct_contact": direct_contact.pk,
        "recording": recording.pk,
        "callback": CallbackRequest.objects.create(number="+351912345678", source="web").pk,
        "occurrence": Occurrence.objects.create(
            kind="failure", started_at=timezone.now(), description="Central em baixo."
        ).pk,
    }


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
    response = (
        call(_fill(url, world), _fill(payload, world))
        if payload is not None
        else call(_fill(url, world))
    )
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
        response = call(
            _fill(url, world),
            json.dumps(_fill(payload, world)),
            content_type="application/json",
            **kwargs,
        )
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


def test_the_admin_site_needs_a_verified_second_factor(staff, client, verified_client):
    """The admin is django-otp's site (balcao.apps.BalcaoAdminConfig): a superuser signed in
    with a password only is sent to the staff login; verified, they get in."""
    from django.contrib import admin
    from django_otp.admin import OTPAdminSite

    assert isinstance(admin.site._wrapped, OTPAdminSite) and admin.site.name == "admin"
    staff[AD].is_staff = staff[AD].is_superuser = True
    staff[AD].save()
    client.force_login(staff[AD])  # password only, no OTP verification
    response = client.get("/admin/cases/team/")
    assert response.status_code == 302 and "/admin/login/" in response.url
    assert client.get(response.url).url.startswith("/conta/entrar/")
    assert verified_client(staff[AD]).get("/admin/cases/team/").status_code == 200


# --- requesters follow case visibility (finding #2) ---------------------------------


def _token(user, scopes=ALL_SCOPES) -> dict:
    _, raw = ApiToken.issue(
        name=f"r-{user.username}-{ApiToken.objects.count()}", user=user, scopes=scopes
    )
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


@pytest.fixture
def two_teams(open_case, staff):
    """Ana's case is in the agent's team; Bruno's only in another team, and Carla
    represents (is procuradora of) someone whose case is in the agent's team."""
    from balcao.cases.models import Representation, Team, TeamMembership
    from balcao.cases.services import do_find_or_create_requester

    mine, other = (
        Team.objects.create(slug="mine", name="Mine"),
        Team.objects.create(slug="other", name="Other"),
    )
    TeamMembership.objects.create(team=mine, user=staff["agent"])
    ana = do_find_or_create_requester(name="Ana", cpf="52998224725")
    bruno = do_find_or_create_requester(name="Bruno", cpf="11144477735")
    carla = do_find_or_create_requester(name="Carla", email="carla@exemplo.invalid")
    dora = do_find_or_create_requester(name="Dora", email="dora@exemplo.invalid")
    Representation.objects.create(requester=dora, representative=carla, active=True)
    open_case(requester=ana, team=mine)
    open_case(requester=bruno, team=other)
    open_case(requester=dora, team=mine)
    nobody = do_find_or_create_requester(name="Ninguém", cpf="39053344705")
    return {
        "ana": ana.pk,
        "bruno": bruno.pk,
        "carla": carla.pk,
        "dora": dora.pk,
        "nobody": nobody.pk,
    }


@pytest.mark.parametrize(
    ("role", "person", "status"),
    [
        (AG, "ana", 200),  # requester of a case in the agent's team
        (AG, "carla", 200),  # representative on a case the agent sees
        (AG, "bruno", 404),  # only a case in another team: as if unknown
        (AG, "nobody", 404),  # no case at all
        (SU, "bruno", 200),  # a role that sees every case reads every requester
        (SU, "nobody", 200),
        (OM, "bruno", 200),
        (QM, "ana", 403),  # sees cases, but no personal data
    ],
)
def test_reading_a_requester_follows_case_visibility(
    role, person, status, two_teams, staff, client
):
    from balcao.audit.models import PersonalDataAccess

    before = PersonalDataAccess.objects.count()
    response = client.get(f"/api/v1/requesters/{two_teams[person]}", **_token(staff[role]))
    assert response.status_code == status, response.content
    if status == 404:
        assert response.json()["error"]["code"] == "not_found"
    assert PersonalDataAccess.objects.count() == before + (status == 200)


def test_an_unknown_and_a_hidden_requester_answer_alike(two_teams, staff, client):
    headers = _token(staff[AG])
    hidden = client.get(f"/api/v1/requesters/{two_teams['bruno']}", **headers)
    unknown = client.get("/api/v1/requesters/987654321", **headers)
    assert (hidden.status_code, hidden.json()) == (unknown.status_code, unknown.json())


@pytest.mark.parametrize(
    ("role", "scopes", "revealed"),
    [
        (SU, ["requesters:write"], False),  # no requesters:read
        (SU, ["requesters:write", "requesters:read"], True),
        (AG, ["requesters:write", "requesters:read"], False),  # Bruno's case is not the agent's
    ],
)
def test_a_create_that_finds_someone_returns_only_the_id_to_who_may_not_read_them(
    role, scopes, revealed, two_teams, staff, client
):
    from balcao.audit.models import PersonalDataAccess

    before = PersonalDataAccess.objects.count()
    for payload in (
        {"name": "X", "cpf": "111.444.777-35"},
        {"name": "X", "cpf": "11144477735", "email": "x@exemplo.invalid"},
    ):
        response = client.post(
            "/api/v1/requesters",
            json.dumps(payload),
            content_type="application/json",
            **_token(staff[role], scopes),
        )
        assert response.status_code == 201
        data = response.json()
        assert data["id"] == two_teams["bruno"] and data["revealed"] is revealed
        if revealed:
            assert data["name"] == "Bruno"
        else:
            assert "Bruno" not in response.content.decode()
            assert "111" not in response.content.decode()
    assert PersonalDataAccess.objects.count() == before + (2 if revealed else 0)


def test_a_create_by_email_does_not_read_out_the_person_on_file(two_teams, staff, client):
    response = client.post(
        "/api/v1/requesters",
        json.dumps({"name": "X", "email": "carla@exemplo.invalid"}),
        content_type="application/json",
        **_token(staff[SU], ["requesters:write"]),
    )
    assert response.status_code == 201
    assert response.json() == {
        "id": two_teams["carla"],
        "name": "",
        "email": "",
        "phone": "",
        "cpf": "",
        "cnpj": "",
        "nif": "",
        "revealed": False,
    }


# --- the ombudsman's cases: only the ombudsman role (issue 21, "fix this first") -------------

CONFIDENTIAL = {
    "console case page": ("console", "/console/atendimentos/{case}/"),
    "api case": ("api", "/api/v1/cases/{case}"),
    "api case history": ("api", "/api/v1/cases/{case}/history"),
    "api requester": ("api", "/api/v1/requesters/{requester}"),
}


@pytest.fixture
def denuncia(staff):
    """A denúncia on the confidential ombudsman channel, in a team every worker belongs to."""
    from balcao.cases import services
    from balcao.cases.models import Team, TeamMembership, Workflow
    from balcao.catalog.models import Channel

    channel = Channel.objects.create(
        slug="ouvidoria",
        name="Ouvidoria",
        kind="ombudsman",
        confidential=True,
        workflow=Workflow.objects.get(slug="helpdesk"),
    )
    team = Team.objects.create(slug="ouvidoria", name="Ouvidoria")
    for user in staff.values():
        TeamMembership.objects.create(team=team, user=user)
    person = services.do_find_or_create_requester(
        name="Denunciante Sigiloso", email="sigilo@example.org", cpf="11144477735"
    )
    case = services.do_open_case(
        channel=channel,
        subject="Denúncia sobre conduta",
        requester=person,
        team=team,
        actor=staff[OM],
    )
    return {"case": case.pk, "requester": person.pk}


@pytest.mark.parametrize("role", sorted(ROLES))
@pytest.mark.parametrize("where", sorted(CONFIDENTIAL))
def test_only_the_ombudsman_role_sees_the_ombudsmans_cases(
    where, role, denuncia, staff, client, verified_client
):
    kind, url = CONFIDENTIAL[where]
    url = url.format(**denuncia)
    if kind == "console":
        response = verified_client(staff[role]).get(url)
    else:
        response = client.get(url, **_token(staff[role]))
    body = response.content.decode()
    if role == OM:
        assert response.status_code == 200, (where, role, response.status_code)
        if where in ("console case page", "api requester"):
            assert "Denunciante Sigiloso" in body
    else:
        assert response.status_code in (403, 404), (where, role, response.status_code)
        assert "Denunciante Sigiloso" not in body and "sigilo@example.org" not in body


@pytest.mark.parametrize("role", sorted(ROLES))
def test_the_ombudsmans_cases_are_in_no_one_elses_list_or_search(
    role, denuncia, staff, client, verified_client
):
    page = verified_client(staff[role]).get("/console/", {"view": "todos"})
    listed = client.get("/api/v1/cases", {"q": "conduta"}, **_token(staff[role]))
    searched = verified_client(staff[role]).get("/console/", {"requester": "sigilo@example.org"})
    texts = [r.content.decode() for r in (page, listed, searched)]
    if role == OM:
        assert all("Denúncia sobre conduta" in t for t in texts)
    else:
        assert not any("Denúncia sobre conduta" in t for t in texts)
