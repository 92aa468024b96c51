"""The console's case page: only actions that can succeed, errors beside their fields,
reply and state in one step, "Atribuir a mim", the requester's other cases, canned answers,
and the acknowledgement when staff open a case."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.core.cache import caches
from django.utils.html import escape

from balcao.cases import clock, services
from balcao.cases.models import Case, Requester, State, Team, TeamMembership, Workflow
from balcao.catalog.models import Channel
from balcao.console import forms

pytestmark = pytest.mark.django_db


def page_of(client, case) -> str:
    response = client.get(f"/console/atendimentos/{case.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def state(slug: str) -> State:
    return State.objects.get(workflow__slug="helpdesk", slug=slug)


@pytest.fixture
def lai_channel(db):
    """A channel whose deadline policy admits one extension (LAI)."""
    return Channel.objects.create(
        slug="sic",
        name="SIC",
        kind="form",
        workflow=Workflow.objects.get(slug="helpdesk"),
        deadline_policy="lai",
    )


# --- 1. actions shown only when they can succeed --------------------------------------


def test_extension_offered_only_while_the_policy_admits_one(
    open_case, lai_channel, staff, verified_client
):
    supervisor = verified_client(staff["supervisor"])
    forbidden = open_case()  # fale-conosco: no extension
    assert not clock.can_extend(forbidden)
    assert "Prorrogar prazo" not in page_of(supervisor, forbidden)

    allowed = open_case(channel=lai_channel)
    assert clock.can_extend(allowed)
    html = page_of(supervisor, allowed)
    assert "Prorrogar prazo" in html
    # the justification is marked required, visibly and for assistive technology
    field = re.search(r'<textarea[^>]*id="extend-justification"[^>]*>', html).group(0)
    assert "required" in field
    assert re.search(
        r'for="extend-justification">Justificativa <span class="required">'
        r"\(obrigatório\)</span>",
        html,
    )

    clock.do_extend_deadline(allowed, actor=staff["supervisor"], justification="Consulta")
    assert not clock.can_extend(allowed)  # used up: the policy admits one
    assert "Prorrogar prazo" not in page_of(supervisor, allowed)
    with pytest.raises(services.CaseError, match="admite 1"):
        clock.do_extend_deadline(allowed, actor=staff["supervisor"], justification="De novo")


def test_extension_not_offered_to_a_role_that_cannot(
    open_case, lai_channel, staff, verified_client
):
    case = open_case(channel=lai_channel)
    assert "Prorrogar prazo" not in page_of(verified_client(staff["agent"]), case)


def test_state_select_lists_only_the_allowed_moves(open_case, staff, verified_client):
    case = open_case()
    html = page_of(verified_client(staff["agent"]), case)
    select = re.search(r'<select name="target"[^>]*id="transition-target".*?</select>', html, re.S)
    options = re.findall(r"<option[^>]*>([^<]*)</option>", select.group(0))
    allowed = [t.target.name for t in services.allowed_transitions(case)]
    assert options == allowed and "Encerrado" not in options


def test_quality_manager_sees_no_action_it_cannot_take(open_case, staff, verified_client):
    case = open_case()
    html = page_of(verified_client(staff["quality_manager"]), case)
    assert "Registrar nota interna" in html  # cases.note
    for absent in ("Enviar resposta", "Mudar situação", "Atribuir a mim", 'name="target"'):
        assert absent not in html


# --- 2. errors beside their fields ----------------------------------------------------


def test_refused_justification_shows_beside_its_field(open_case, staff, verified_client):
    case = open_case()
    waiting = state("aguardando-requerente")  # "Pedir complementação" needs a reason
    response = verified_client(staff["agent"]).post(
        f"/console/atendimentos/{case.pk}/situacao/", {"target": waiting.pk, "reason": "  "}
    )
    assert response.status_code == 400
    html = response.content.decode()
    error = re.search(r'<p class="field-error" id="transition-reason_error">([^<]*)</p>', html)
    assert error and "Pedir complementação" in error.group(1)
    field = re.search(r'<textarea[^>]*id="transition-reason"[^>]*>', html).group(0)
    assert 'aria-invalid="true"' in field
    assert re.search(r'aria-describedby="[^"]*transition-reason_error', field)
    # the choice made is kept, and the state did not change
    assert re.search(rf'<option value="{waiting.pk}"[^>]*selected', html)
    case.refresh_from_db()
    assert case.state.slug == "novo"


def test_refused_extension_shows_beside_the_justification(
    open_case, lai_channel, staff, verified_client
):
    case = open_case(channel=lai_channel)
    response = verified_client(staff["supervisor"]).post(
        f"/console/atendimentos/{case.pk}/prorrogar/", {"justification": ""}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="extend-justification_error"' in html
    field = re.search(r'<textarea[^>]*id="extend-justification"[^>]*>', html).group(0)
    assert 'aria-invalid="true"' in field and "extend-justification_error" in field
    assert not case.deadline_extensions.exists()


def test_reply_keeps_what_was_typed_when_refused(open_case, staff, verified_client):
    case = open_case()
    waiting = state("aguardando-requerente")
    response = verified_client(staff["agent"]).post(
        f"/console/atendimentos/{case.pk}/responder/",
        {"body": "Texto que não pode se perder.", "target": waiting.pk, "reason": ""},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Texto que não pode se perder." in html.split('id="reply-body"')[1][:300]
    assert 'id="reply-reason_error"' in html
    assert not case.messages.exists()


# --- 3. reply and set state in one step -----------------------------------------------


def test_reply_and_state_in_one_step_sends_one_email(
    open_case, staff, verified_client, django_capture_on_commit_callbacks
):
    person = Requester.objects.create(name="Maria", email="maria@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        case = open_case(requester=person, acknowledge=True)
    mail.outbox.clear()
    resolved = state("resolvido")
    client = verified_client(staff["agent"])
    html = page_of(client, case)
    assert "E mudar a situação para…" in html
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/console/atendimentos/{case.pk}/responder/",
            {"body": "Segue a resposta final.", "target": resolved.pk, "reason": ""},
        )
    assert response.status_code == 302
    [sent] = mail.outbox
    assert "Segue a resposta final." in sent.body
    case.refresh_from_db()
    assert case.state == resolved and case.messages.count() == 1


def test_reply_and_state_are_one_transaction(open_case, staff, verified_client, monkeypatch):
    """A move refused by the service (after the form accepted it) takes the reply back."""
    case = open_case()

    def refuse(*args, **kwargs):
        raise services.CaseError("Outra pessoa acabou de mudar a situação.")

    monkeypatch.setattr(services, "do_change_state", refuse)
    response = verified_client(staff["agent"]).post(
        f"/console/atendimentos/{case.pk}/responder/",
        {"body": "Resposta.", "target": state("resolvido").pk},
    )
    assert response.status_code == 400
    assert 'id="reply-target_error"' in response.content.decode()
    assert not case.messages.exists()


def test_a_plain_reply_leaves_the_state(open_case, staff, verified_client):
    case = open_case()
    client = verified_client(staff["agent"])
    response = client.post(f"/console/atendimentos/{case.pk}/responder/", {"body": "Olá."})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state.slug == "novo" and case.messages.count() == 1


# --- 4. assign to me --------------------------------------------------------------------


def test_assign_to_me_on_the_case_page(open_case, staff, verified_client):
    team = Team.objects.create(slug="sac", name="SAC", strategy=Team.Strategy.MANUAL)
    TeamMembership.objects.create(team=team, user=staff["supervisor"])
    case = open_case(team=team)
    supervisor = verified_client(staff["supervisor"])
    assert "Atribuir a mim" in page_of(supervisor, case)
    response = supervisor.post(f"/console/atendimentos/{case.pk}/assumir/")
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.assignee == staff["supervisor"]
    assert "Atribuir a mim" not in page_of(supervisor, case)  # already theirs


def test_an_agent_takes_an_unheld_case_of_their_team_and_nothing_else(
    open_case, staff, verified_client
):
    team = Team.objects.create(slug="sac", name="SAC", strategy=Team.Strategy.MANUAL)
    other_team = Team.objects.create(slug="jur", name="Jurídico", strategy=Team.Strategy.MANUAL)
    TeamMembership.objects.create(team=team, user=staff["agent"])
    agent = verified_client(staff["agent"])
    case = open_case(team=team)
    assert "Atribuir a mim" in page_of(agent, case)
    assert agent.post(f"/console/atendimentos/{case.pk}/assumir/").status_code == 302
    case.refresh_from_db()
    assert case.assignee == staff["agent"]
    assert case.history.filter(action="assigned", actor=staff["agent"]).count() == 1
    # held by a colleague: taking it over is a supervisor's reassignment
    held = open_case(team=team)
    held.assignee = staff["supervisor"]
    held.save(update_fields=["assignee"])
    assert "Atribuir a mim" not in page_of(agent, held)
    response = agent.post(f"/console/atendimentos/{held.pk}/assumir/", follow=True)
    assert "peça à supervisão" in response.content.decode()
    held.refresh_from_db()
    assert held.assignee == staff["supervisor"]
    # another team's case: not visible to the agent at all
    foreign = open_case(team=other_team)
    assert agent.post(f"/console/atendimentos/{foreign.pk}/assumir/").status_code == 404
    foreign.refresh_from_db()
    assert foreign.assignee is None


def test_the_assign_menus_come_from_a_snapshot_and_the_post_checks_again(
    open_case, staff, verified_client
):
    """The case page's "Equipe" and "Responsável" menus are a snapshot of at most
    ``ASSIGN_MENUS_TTL`` seconds (forms.assign_menus); a choice that stopped being valid
    in the meantime is refused by the POST, beside its field, and nothing changes."""
    Team.objects.create(slug="sac", name="SAC", strategy=Team.Strategy.MANUAL)
    case = open_case()
    supervisor = verified_client(staff["supervisor"])
    page = page_of(supervisor, case)
    agent = staff["agent"]
    assert re.search(rf'<option value="{agent.pk}">{re.escape(str(agent))}</option>', page)
    assert re.search(r'<option value="\d+">SAC</option>', page)
    # the agent leaves: still in this process's menu for a while…
    agent.is_active = False
    agent.save(update_fields=["is_active"])
    Team.objects.create(slug="jur", name="Jurídico", strategy=Team.Strategy.MANUAL)
    page = page_of(supervisor, case)
    offered = f'<option value="{agent.pk}">{escape(str(agent))}</option>'
    assert offered in page and ">Jurídico<" not in page
    # …but choosing them is refused, and the case keeps its assignee
    response = supervisor.post(
        f"/console/atendimentos/{case.pk}/atribuir/", {"team": "", "assignee": agent.pk}
    )
    assert response.status_code == 400
    assert "Faça uma escolha válida" in response.content.decode()
    case.refresh_from_db()
    assert case.assignee is None
    # the snapshot renewed, the menus follow the database
    caches["local"].delete(forms.ASSIGN_MENUS_KEY)
    page = page_of(supervisor, case)
    assert offered not in page and ">Jurídico<" in page


def test_take_refused_to_a_role_that_does_not_work_cases(open_case, staff, verified_client):
    case = open_case()
    quality = verified_client(staff["quality_manager"])
    assert "Atribuir a mim" not in page_of(quality, case)
    assert quality.post(f"/console/atendimentos/{case.pk}/assumir/").status_code == 403
    case.refresh_from_db()
    assert case.assignee is None


# --- 5. the requester's other cases ---------------------------------------------------


def test_other_cases_of_the_requester_that_the_user_may_see(
    open_case, staff, verified_client, django_assert_num_queries
):
    from balcao.console.case_views import _other_cases

    person = Requester.objects.create(name="Maria", email="maria@example.com")
    hidden_team = Team.objects.create(slug="juridico", name="Jurídico")
    case = open_case(requester=person, subject="Atual")
    seen = open_case(requester=person, subject="Anterior visível")
    hidden = open_case(requester=person, subject="De outra equipe", team=hidden_team)
    stranger = open_case(subject="De outra pessoa")

    html = page_of(verified_client(staff["agent"]), case)
    others = html.split("Outros atendimentos do requerente")[1].split("</table>")[0]
    assert seen.protocol in others and f"/console/atendimentos/{seen.pk}/" in others
    assert "Novo" in others  # its state
    assert hidden.protocol not in others and stranger.protocol not in others
    assert case.protocol not in others

    for user in (staff["agent"], staff["supervisor"]):
        services.visible_cases(user)  # the user's roles are read once per request
    with django_assert_num_queries(1):
        assert [c["pk"] for c in _other_cases(case, staff["agent"])] == [seen.pk]
    with django_assert_num_queries(1):
        rows = _other_cases(case, staff["supervisor"])  # sees every team
    assert [c["pk"] for c in rows] == [hidden.pk, seen.pk]


def test_at_most_ten_other_cases(open_case, staff):
    from balcao.console.case_views import _other_cases

    person = Requester.objects.create(name="Maria")
    cases = [open_case(requester=person, subject=f"Pedido {n}") for n in range(12)]
    rows = _other_cases(cases[0], staff["supervisor"])
    assert len(rows) == 10 and rows[0]["pk"] == cases[-1].pk


# --- 7. staff open a case and acknowledge it --------------------------------------------


def _new_case(client, channel, **extra):
    data = {"channel": channel.pk, "subject": "Ligação sobre a GRU", **extra}
    return client.post("/console/atendimentos/novo/", data)


def test_case_new_sends_the_acknowledgement_when_ticked(
    helpdesk_channel, staff, verified_client, django_capture_on_commit_callbacks
):
    client = verified_client(staff["agent"])
    form = client.get("/console/atendimentos/novo/").content.decode()
    assert re.search(r'<input type="checkbox" name="acknowledge"[^>]*checked', form)
    with django_capture_on_commit_callbacks(execute=True):
        response = _new_case(
            client,
            helpdesk_channel,
            requester_name="Carla",
            requester_email="carla@example.com",
            acknowledge="on",
        )
    assert response.status_code == 302
    case = Case.objects.get()
    [sent] = mail.outbox
    assert sent.to == ["carla@example.com"] and case.protocol in sent.subject
    assert "Código de acesso" in sent.body


def test_case_new_without_the_tick_or_an_email_sends_nothing(
    helpdesk_channel, staff, verified_client, django_capture_on_commit_callbacks
):
    client = verified_client(staff["agent"])
    with django_capture_on_commit_callbacks(execute=True):
        _new_case(client, helpdesk_channel, requester_name="Carla", requester_email="c@example.com")
        _new_case(client, helpdesk_channel, requester_name="Davi", acknowledge="on")
    assert Case.objects.count() == 2 and mail.outbox == []


# --- 6. canned answers --------------------------------------------------------------------


def test_canned_answers_and_kb_answers_on_the_reply_form(open_case, staff, verified_client):
    from balcao.kb.models import Article, CannedAnswer

    sac = Team.objects.create(slug="sac", name="SAC", strategy=Team.Strategy.MANUAL)
    other = Team.objects.create(slug="outra", name="Outra", strategy=Team.Strategy.MANUAL)
    CannedAnswer.objects.create(title="Saudação", body="Olá!\nObrigado pelo contato.")
    CannedAnswer.objects.create(title="Prazo da GRU", body="A GRU compensa em 2 dias.", team=sac)
    CannedAnswer.objects.create(title="Da outra equipe", body="Não é daqui.", team=other)
    CannedAnswer.objects.create(title="Antiga", body="Desativada.", active=False)
    Article.objects.create(
        slug="gru", question="Como pagar a GRU?", answer="Pague no banco.", state="published"
    )
    Article.objects.create(slug="rasc", question="Rascunho?", answer="Ainda não.", state="draft")
    case = open_case(team=sac)
    client = verified_client(staff["supervisor"])
    html = page_of(client, case)
    details = html.split('id="answer-picker"')[1].split("</details>")[0]
    # the page carries only the opener: the texts come when the agent opens it
    picker_url = f"/console/atendimentos/{case.pk}/respostas-prontas/"
    assert f'hx-get="{picker_url}?into=reply-body"' in details
    assert 'hx-trigger="toggle once"' in details
    assert 'href="/console/respostas-prontas/"' in details
    assert "Saudação" not in details
    picker = client.get(picker_url + "?into=reply-body").content.decode()
    for shown in ("Saudação", "Prazo da GRU", "Como pagar a GRU?", "Pague no banco."):
        assert shown in picker
    for hidden in ("Da outra equipe", "Antiga", "Rascunho?"):
        assert hidden not in picker
    # the text to insert, newlines kept, for the script
    assert 'data-insert-text="Olá!\nObrigado pelo contato."' in picker
    assert 'data-insert-into="reply-body"' in picker
    # a case the user cannot see has no picker either
    hidden_case = open_case(team=other)
    agent = verified_client(staff["agent"])
    refused = agent.get(f"/console/atendimentos/{hidden_case.pk}/respostas-prontas/")
    assert refused.status_code == 404


def test_canned_answers_page_permissions(staff, verified_client, client):
    from balcao.kb.models import CannedAnswer

    for role, status in (
        ("knowledge_manager", 200),
        ("supervisor", 200),
        ("admin", 200),
        ("agent", 403),
        ("quality_manager", 403),
    ):
        response = verified_client(staff[role]).get("/console/respostas-prontas/nova/")
        assert response.status_code == status, role
        client.logout()

    agent = verified_client(staff["agent"])
    assert agent.get("/console/respostas-prontas/").status_code == 200  # to read and copy
    response = agent.post("/console/respostas-prontas/nova/", {"title": "x", "body": "y"})
    assert response.status_code == 403 and not CannedAnswer.objects.exists()
    client.logout()
    assert verified_client(staff["manager"]).get("/console/respostas-prontas/").status_code == 200
    client.logout()
    response = client.get("/console/respostas-prontas/")
    assert response.status_code == 302  # no session: to the login


def test_canned_answers_are_managed_on_their_page(staff, verified_client, client):
    from balcao.kb.models import CannedAnswer

    sac = Team.objects.create(slug="sac", name="SAC")
    km = verified_client(staff["knowledge_manager"])
    refused = km.post("/console/respostas-prontas/nova/", {"title": "", "body": "Texto"})
    assert refused.status_code == 400
    assert 'id="canned-title_error"' in refused.content.decode()
    response = km.post(
        "/console/respostas-prontas/nova/",
        {"title": "Saudação", "body": "Olá!", "team": sac.pk},
    )
    assert response.status_code == 302
    answer = CannedAnswer.objects.get()
    assert answer.team == sac and answer.created_by == staff["knowledge_manager"]
    client.logout()

    supervisor = verified_client(staff["supervisor"])
    supervisor.post(
        f"/console/respostas-prontas/{answer.pk}/", {"title": "Saudação", "body": "Bom dia!"}
    )
    answer.refresh_from_db()
    assert answer.body == "Bom dia!" and answer.team is None
    supervisor.post(f"/console/respostas-prontas/{answer.pk}/ativa/", {"active": "0"})
    answer.refresh_from_db()
    assert not answer.active
    html = supervisor.get("/console/respostas-prontas/").content.decode()
    assert "Desativada" in html and "Reativar" in html
    client.logout()

    agent = verified_client(staff["agent"])
    assert "Bom dia!" not in agent.get("/console/respostas-prontas/").content.decode()
    assert (
        agent.post(f"/console/respostas-prontas/{answer.pk}/ativa/", {"active": "1"}).status_code
        == 403
    )
    answer.refresh_from_db()
    assert not answer.active


def test_case_page_query_count_is_pinned(
    open_case, staff, verified_client, django_assert_max_num_queries
):
    """Every part of the page is read once: more messages, history, other cases, canned
    answers and articles do not add queries."""
    from balcao.kb.models import Article, CannedAnswer

    person = Requester.objects.create(name="Maria", email="maria@example.com")
    case = open_case(requester=person)
    for n in range(5):
        open_case(requester=person, subject=f"Pedido {n}")
        services.do_add_message(case, f"Resposta {n}", actor=staff["supervisor"])
        CannedAnswer.objects.create(title=f"Texto {n}", body="…")
        Article.objects.create(slug=f"a{n}", question=f"P{n}?", answer="R", state="published")
    client = verified_client(staff["supervisor"])
    page_of(client, case)  # the visit's audit row is written once
    # 16: the deadline's words ("vence hoje, em 3 h 05 min") read the calendar once
    with django_assert_max_num_queries(16):
        html = page_of(client, case)
    assert "Pedido 4" in html
    with django_assert_max_num_queries(10):
        picker = client.get(f"/console/atendimentos/{case.pk}/respostas-prontas/")
    assert "Texto 4" in picker.content.decode() and "P4?" in picker.content.decode()


def test_the_case_page_says_how_long_is_left_on_the_clock(open_case, staff, verified_client):
    """Issue 22: "the console shows time left" (the 48-hour e-mail clock)."""
    from datetime import timedelta

    from django.utils import timezone

    case = open_case()
    Case.objects.filter(pk=case.pk).update(due_at=timezone.now() + timedelta(minutes=50))
    page = page_of(verified_client(staff["supervisor"]), case)
    assert "vence hoje, em 4" in page or "vence amanhã" in page  # 49–50 min (or past midnight)
    Case.objects.filter(pk=case.pk).update(due_at=timezone.now() - timedelta(days=3))
    page = page_of(verified_client(staff["supervisor"]), case)
    assert 'deadline--overdue">vencido há 3 dias' in page
