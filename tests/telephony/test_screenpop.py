"""The agent's screen-pop (issue 23: "screen-pop of the caller's requester record and open
cases to the agent"): the call on the agent's phone in the AMI feed's snapshot, the people
on file with the caller's number (every view audited), their open cases the agent may see,
the case opened from the call — recorded as ``CallCase`` and linked to the call's record
when the queue_log is imported — and the agents' phone interfaces set by supervisors."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.core.cache import cache

from balcao.audit.models import PersonalDataAccess
from balcao.cases import services as case_services
from balcao.cases.models import Case, Requester, State, Team, Workflow
from balcao.catalog.models import Channel
from balcao.telephony import screenpop, services
from balcao.telephony.feed import LIVE_CACHE_KEY
from balcao.telephony.live import LiveState
from balcao.telephony.models import AgentPhone, Call, CallCase
from tests.telephony.weeks import Log, local

PAGE = "/console/telefonia/minha-chamada/"
FRAGMENT = "/console/telefonia/minha-chamada/ao-vivo/"
OPEN = "/console/telefonia/minha-chamada/abrir/"
PHONES = "/console/telefonia/ramais/"
CALLID = "1764842400.1"
NUMBER = "+351912345678"


def ring(interface: str = "PJSIP/201", number: str = NUMBER, callid: str = CALLID) -> None:
    """Publish a snapshot in which ``interface`` answered a call from ``number``."""
    state = LiveState()
    state.apply_all(
        [
            {
                "Event": "QueueMember",
                "Queue": "sac",
                "Name": "Ana",
                "Location": interface,
                "Status": "1",
            },
            {"Event": "QueueCallerJoin", "Queue": "sac", "Uniqueid": callid, "CallerIDNum": number},
            {
                "Event": "AgentConnect",
                "Queue": "sac",
                "Interface": interface,
                "MemberName": "Ana",
                "Uniqueid": callid,
                "CallerIDNum": number,
            },
        ],  # fmt: skip
        now=100.0,
    )
    cache.set(LIVE_CACHE_KEY, state.snapshot(130.0), 60)


def hang_up() -> None:
    cache.set(LIVE_CACHE_KEY, LiveState().snapshot(200.0), 60)


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


@pytest.fixture
def agent(staff):
    AgentPhone.objects.create(user=staff["agent"], interface="PJSIP/201")
    return staff["agent"]


@pytest.fixture
def phone_channel(db):
    return Channel.objects.create(
        slug="telefone",
        name="Telefone",
        kind=Channel.Kind.PHONE,
        workflow=Workflow.objects.get(slug="helpdesk"),
    )


@pytest.fixture
def maria(db):
    return Requester.objects.create(name="Maria Souza", phone="912 345 678", email="m@x.pt")


def test_the_agent_sees_the_caller_on_file_and_her_open_cases(
    agent, maria, open_case, staff, verified_client
):
    mine = open_case(requester=maria, subject="GRU paga em dobro")
    other_team = Team.objects.create(slug="patentes", name="Patentes")
    hidden = open_case(requester=maria, subject="Outra equipe", team=other_team)
    closed = open_case(requester=maria, subject="Já resolvido")
    closed.state = State.objects.filter(workflow=closed.state.workflow, category="closed").first()
    closed.save()
    stranger = Requester.objects.create(name="Outra Pessoa", phone="+351 966 000 000")
    open_case(requester=stranger, subject="De outra pessoa")
    ring()
    web = verified_client(agent)
    response = web.get(PAGE)
    assert response.status_code == 200
    html = text(response)
    assert "Chamada em curso" in html and 'id="screenpop-number">+351912345678<' in html
    assert f'<h3 id="pessoa-{maria.pk}">Maria Souza</h3>' in html
    assert f'href="/console/atendimentos/{mine.pk}/">{mine.protocol}</a>' in html
    for absent in (hidden, closed):  # another team's (not visible to the agent), closed
        assert absent.protocol not in html
    assert "Outra Pessoa" not in html and "De outra pessoa" not in html
    # the personal data shown is audited, once per person and call
    (row,) = PersonalDataAccess.objects.filter(requester=maria)
    assert (row.user, row.kind, row.where) == (agent, "view", "console: tela da chamada")
    assert CALLID in row.purpose
    web.get(PAGE)
    assert PersonalDataAccess.objects.filter(requester=maria).count() == 1
    # the fragment polls itself with what it shows, and answers 204 while that holds
    state = re.search(r'hx-get="/console/telefonia/minha-chamada/ao-vivo/\?estado=([^"]+)"', html)
    assert state and 'hx-trigger="every 2s"' in html
    assert web.get(FRAGMENT, {"estado": state.group(1).replace("%3A", ":")}).status_code == 204
    assert web.get(FRAGMENT, {"estado": "0:"}).status_code == 200


def test_a_supervisor_sees_every_open_case(agent, maria, open_case, staff, verified_client):
    hidden = open_case(
        requester=maria, subject="Outra equipe", team=Team.objects.create(slug="p", name="P")
    )
    AgentPhone.objects.create(user=staff["supervisor"], interface="PJSIP/209")
    ring("PJSIP/209")
    html = text(verified_client(staff["supervisor"]).get(FRAGMENT))
    assert hidden.protocol in html


def test_a_contact_linked_to_a_person_stands_for_that_person(db, maria):
    contact = Requester.objects.create(
        name="maria", phone="00351 912-345-678", unverified=True, linked_to=maria
    )
    Requester.objects.create(name="Curto", phone="5678")
    assert contact.linked_to == maria
    assert screenpop.callers_on_file("+351 912 345 678") == [maria]
    assert screenpop.callers_on_file("1234") == []


def test_no_phone_says_how_to_get_one(db, staff, verified_client):
    ring()
    html = text(verified_client(staff["agent"]).get(PAGE))
    assert "Você ainda não tem um ramal associado: peça a um supervisor" in html
    assert "hx-get" not in html


def test_no_call_and_no_feed(agent, verified_client):
    web = verified_client(agent)
    html = text(web.get(PAGE))
    assert "Nenhuma chamada no seu ramal agora." in html
    assert "Sem dados ao vivo do PBX" in html
    ring("PJSIP/299")  # someone else's call
    html = text(web.get(FRAGMENT))
    assert "Nenhuma chamada no seu ramal agora." in html and "Sem dados ao vivo" not in html


def test_open_a_case_from_the_call_and_link_it_when_the_log_is_imported(
    agent, maria, phone_channel, verified_client, tmp_path
):
    ring()
    web = verified_client(agent)
    html = text(web.get(PAGE))
    assert re.search(rf'<input type="radio" name="requester" value="{maria.pk}"[^>]*checked', html)
    assert '<label for="chamada-requester_1">Uma pessoa nova, só com este telefone</label>' in html
    response = web.post(OPEN, {"callid": CALLID, "requester": str(maria.pk)})
    case = Case.objects.get(phone_calls__callid=CALLID)
    assert response.status_code == 302
    assert response["Location"] == f"/console/atendimentos/{case.pk}/"
    assert (case.channel, case.requester) == (phone_channel, maria)
    link = CallCase.objects.get(case=case)
    assert (link.callid, link.number, link.opened_by) == (CALLID, NUMBER, agent)
    # the page now lists it as opened from this call
    assert f">{case.protocol}</a>" in text(web.get(PAGE))
    # the queue_log arrives later: the call's record is linked to the case
    log = Log(queue="sac")
    log.call(local(date(2025, 12, 4), 10, 0), answer=5, talk=60, callid=CALLID, caller=NUMBER)
    log.call(local(date(2025, 12, 4), 10, 5), answer=5, talk=60, caller="+351213000111")
    services.do_import_queue_log(log.write(tmp_path / "queue_log"))
    calls = dict(Call.objects.values_list("callid", "case_id"))
    assert calls[CALLID] == case.pk
    assert [v for k, v in calls.items() if k != CALLID] == [None]
    assert Call.objects.get(callid=CALLID).requester == maria


def test_a_call_already_imported_is_linked_at_once(agent, phone_channel, tmp_path):
    log = Log(queue="sac")
    log.call(local(date(2025, 12, 4), 10, 0), answer=5, talk=60, callid=CALLID, caller=NUMBER)
    services.do_import_queue_log(log.write(tmp_path / "queue_log"))
    case = screenpop.do_open_case_from_call(agent, CALLID, NUMBER)
    assert Call.objects.get(callid=CALLID).case == case


def test_a_caller_nobody_knows_becomes_a_contact_with_just_the_phone(
    agent, phone_channel, verified_client
):
    ring(number="+351 966 111 222")
    web = verified_client(agent)
    assert "Ninguém no cadastro com este número." in text(web.get(PAGE))
    hang_up()  # the caller hung up: the case is still opened from the last call
    assert "Última chamada (encerrada)" in text(web.get(PAGE))
    response = web.post(OPEN, {"callid": CALLID, "requester": "novo"})
    case = Case.objects.get(phone_calls__callid=CALLID)
    assert response["Location"] == f"/console/atendimentos/{case.pk}/"
    assert (case.requester.name, case.requester.phone) == ("", "+351 966 111 222")


def test_a_call_that_is_not_the_agents_is_refused(
    agent, maria, phone_channel, staff, verified_client
):
    ring("PJSIP/299")
    web = verified_client(agent)
    response = web.post(OPEN, {"callid": CALLID, "requester": "novo"}, follow=True)
    assert "Esta chamada não é a sua chamada atual" in text(response)
    assert not CallCase.objects.exists() and not Case.objects.exists()
    # nor a person who does not have the caller's number
    ring()
    other = Requester.objects.create(name="Outra", phone="213000111")
    response = web.post(OPEN, {"callid": CALLID, "requester": str(other.pk)}, follow=True)
    assert "Escolha uma das pessoas com este número" in text(response)
    assert not Case.objects.exists()


def test_without_a_phone_channel_in_the_catalogue_it_says_so(agent, verified_client):
    ring()
    response = verified_client(agent).post(OPEN, {"callid": CALLID}, follow=True)
    assert "Não há canal para os atendimentos abertos das chamadas" in text(response)
    assert not Case.objects.exists()


def test_the_case_goes_to_the_lines_channel_else_phone_else_email(
    agent, phone_channel, helpdesk_channel, verified_client
):
    """Line.channel first; then a channel of kind Telefone; then the e-mail channel (seed
    003, 11.12: "tratamento idêntico às solicitações rececionadas por correio
    eletrónico"); a confidential or inactive one never."""
    from balcao.mail.models import Mailbox
    from balcao.telephony.models import Line

    Mailbox.objects.create(slug="geral", address="geral@x.pt", channel=helpdesk_channel)
    line = Line.objects.create(slug="sac", name="SAC", queue="sac", channel=helpdesk_channel)
    assert screenpop.phone_channel("sac") == helpdesk_channel
    assert screenpop.phone_channel("outra") == phone_channel
    phone_channel.confidential = True
    phone_channel.save()
    line.channel = None
    line.save()
    assert screenpop.phone_channel("sac") == helpdesk_channel  # the mailbox's
    ring()
    verified_client(agent).post(OPEN, {"callid": CALLID})
    assert Case.objects.get().channel == helpdesk_channel


@pytest.mark.parametrize("role", ["quality_manager", "knowledge_manager"])
def test_only_who_answers_sees_the_screenpop(db, staff, verified_client, role):
    web = verified_client(staff[role])
    assert web.get(PAGE).status_code == 403
    assert web.get(FRAGMENT).status_code == 403
    assert web.post(OPEN, {"callid": CALLID}).status_code == 403


def test_open_is_post_only(agent, verified_client):
    assert verified_client(agent).get(OPEN).status_code == 405


# --- agents' phone interfaces -------------------------------------------------------------


def test_a_supervisor_sets_changes_and_clears_an_interface(staff, verified_client):
    web = verified_client(staff["supervisor"])
    html = text(web.get(PHONES))
    assert '<label for="ramal-member">' in html and '<label for="ramal-interface">' in html
    assert "t.agent" in html and "t.knowledge_manager" not in html  # who answers only
    response = web.post(PHONES, {"member": staff["agent"].pk, "interface": " PJSIP/201 "})
    assert response.status_code == 302
    assert AgentPhone.objects.get(user=staff["agent"]).interface == "PJSIP/201"
    web.post(PHONES, {"member": staff["agent"].pk, "interface": "PJSIP/205"})
    assert AgentPhone.objects.get(user=staff["agent"]).interface == "PJSIP/205"
    assert "PJSIP/205" in text(web.get(PHONES))
    form = text(web.get(PHONES, {"membro": staff["agent"].pk}))
    assert re.search(r'name="interface" value="PJSIP/205"', form)
    web.post(PHONES, {"member": staff["agent"].pk, "interface": ""})
    assert not AgentPhone.objects.filter(user=staff["agent"]).exists()


def test_an_interface_is_one_persons(staff, verified_client):
    AgentPhone.objects.create(user=staff["ombudsman"], interface="PJSIP/201")
    web = verified_client(staff["manager"])
    response = web.post(PHONES, {"member": staff["agent"].pk, "interface": "PJSIP/201"})
    assert response.status_code == 400
    html = text(response)
    assert re.search(
        r'<p class="field-error" id="ramal-interface_error">O ramal PJSIP/201 já é de t.ombudsman',
        html,
    )
    assert not AgentPhone.objects.filter(user=staff["agent"]).exists()


def test_only_someone_who_answers_gets_an_interface(staff, verified_client):
    web = verified_client(staff["supervisor"])
    response = web.post(PHONES, {"member": staff["knowledge_manager"].pk, "interface": "X/1"})
    assert response.status_code == 400 and not AgentPhone.objects.exists()


@pytest.mark.parametrize("role", ["agent", "quality_manager", "ombudsman"])
def test_only_supervisors_and_up_set_interfaces(staff, verified_client, role):
    web = verified_client(staff[role])
    assert web.get(PHONES).status_code == 403
    assert web.post(PHONES, {"member": staff[role].pk, "interface": "X/1"}).status_code == 403
    assert not AgentPhone.objects.exists()


def test_open_case_service_refuses_someone_who_cannot_open_cases(db, make_user, phone_channel):
    quality = make_user("quality_manager")
    with pytest.raises(case_services.PermissionDenied):
        screenpop.do_open_case_from_call(quality, CALLID, NUMBER)
    assert not Case.objects.exists() and not Requester.objects.exists()
