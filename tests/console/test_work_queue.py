"""The work queue (issue 19): open cases by default sorted by due date then age, deadline
words and colours, counts per view, requester column, searches by protocol in any
punctuation and by the requester's name, e-mail or CPF (audited), bulk actions."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import caches
from django.urls import reverse
from django.utils import timezone

from balcao.audit.models import PersonalDataAccess
from balcao.cases import filters, services
from balcao.cases.models import Case, Requester, State, Team, TeamMembership
from balcao.console import queue

pytestmark = pytest.mark.django_db


def _set(case, **fields):
    Case.objects.filter(pk=case.pk).update(**fields)
    case.refresh_from_db()
    return case


def _state(case, slug):
    return State.objects.get(workflow_id=case.state.workflow_id, slug=slug)


def subjects(response):
    return [row["subject"] for row in response.context["cases"]]


# --- default view and order -------------------------------------------------------------


def test_default_view_is_open_cases_earliest_due_first_then_undated_oldest_first(
    open_case, staff, verified_client
):
    now = timezone.now()
    late = _set(open_case(subject="vence em 5 dias"), due_at=now + timedelta(days=5))
    soon = _set(open_case(subject="vence amanhã"), due_at=now + timedelta(days=1))
    overdue = _set(open_case(subject="vencido"), due_at=now - timedelta(days=3))
    _set(open_case(subject="sem prazo, antigo"), due_at=None, created_at=now - timedelta(days=9))
    _set(open_case(subject="sem prazo, novo"), due_at=None, created_at=now - timedelta(days=1))
    cancelled = open_case(subject="cancelado")
    services.do_change_state(
        cancelled, _state(cancelled, "cancelado"), actor=staff["supervisor"], reason="duplicado"
    )
    resolved = open_case(subject="resolvido")
    services.do_change_state(resolved, _state(resolved, "resolvido"), actor=staff["supervisor"])
    client = verified_client(staff["supervisor"])
    response = client.get("/console/")
    assert response.context["filters"].view == "abertos"
    assert subjects(response) == [
        "vencido",
        "vence amanhã",
        "vence em 5 dias",
        "sem prazo, antigo",
        "sem prazo, novo",
    ]
    assert "Atendimentos, do prazo mais próximo ao mais distante" in response.content.decode()
    # the closed ones are a view of their own, newest first
    closed = client.get("/console/", {"view": "encerrados"})
    assert subjects(closed) == ["resolvido", "cancelado"]
    assert {late.pk, soon.pk, overdue.pk} <= {row["pk"] for row in response.context["cases"]}


def test_due_order_pages_cross_from_dated_to_undated_cases_without_loss(open_case):
    now = timezone.now()
    made = []
    for i in range(5):
        made.append(_set(open_case(subject=f"d{i}"), due_at=now + timedelta(hours=i)))
    for i in range(4):
        made.append(
            _set(open_case(subject=f"u{i}"), due_at=None, created_at=now - timedelta(hours=10 - i))
        )
    # two cases with the same due date and created_at: the id breaks the tie
    same = now + timedelta(hours=2)
    made.append(_set(open_case(subject="d2b"), due_at=same, created_at=made[2].created_at))
    _set(made[2], due_at=same)
    seen, cursor = [], ""
    for _ in range(10):
        rows, cursor = filters.page(
            Case.objects.values("id", "subject", "due_at", "created_at"),
            cursor=cursor,
            size=3,
            order=filters.DUE,
        )
        seen += [r["subject"] for r in rows]
        if not cursor:
            break
    assert seen == ["d0", "d1", "d2", "d2b", "d3", "d4", "u0", "u1", "u2", "u3"]


def test_a_cursor_of_another_order_or_forged_starts_from_the_top(open_case):
    for i in range(3):
        open_case(subject=f"c{i}")
    recent_cursor = filters.encode_cursor(Case.objects.first())
    for cursor in (recent_cursor, "bm90LWEtY3Vyc29y", "ZHx4fHl8eg"):
        rows, _ = filters.page(Case.objects.all(), cursor=cursor, size=10, order=filters.DUE)
        assert len(rows) == 3


# --- rows: assignee, requester, deadline words ------------------------------------------


def test_unassigned_rows_say_nobody_not_none_none(open_case, staff, verified_client):
    open_case(subject="sem dono")
    page = verified_client(staff["supervisor"]).get("/console/").content.decode()
    assert "None" not in page
    assert "ninguém" in page


def test_requester_column_full_name_audited_for_case_workers_initials_for_others(
    open_case, staff, verified_client
):
    maria = Requester.objects.create(name="Maria da Silva", email="maria@example.com")
    open_case(subject="com requerente", requester=maria)
    agent = verified_client(staff["agent"])
    page = agent.get("/console/").content.decode()
    assert "Maria da Silva" in page
    listed = PersonalDataAccess.objects.filter(
        user=staff["agent"], requester=maria, kind=PersonalDataAccess.Kind.LIST
    )
    assert listed.count() == 1
    agent.get("/console/")  # the same visit: not written again
    assert listed.count() == 1
    quality = verified_client(staff["quality_manager"])
    page = quality.get("/console/").content.decode()
    assert "Maria da Silva" not in page and "M.d.S." in page
    assert not PersonalDataAccess.objects.filter(user=staff["quality_manager"]).exists()


def test_a_list_visit_remembered_by_the_process_asks_the_database_nothing_more(
    open_case, staff, django_assert_num_queries, django_capture_on_commit_callbacks
):
    """The rows written, once committed, and the rows found are remembered until their
    visit ends; a row rolled back is not, and the next page writes it."""
    from django.db import transaction

    from balcao.audit import services as audit

    maria = Requester.objects.create(name="Maria da Silva")
    ana = Requester.objects.create(name="Ana Lima")
    agent = staff["agent"]
    seen = {"user": agent, "where": "teste", "kind": PersonalDataAccess.Kind.LIST}
    listed = PersonalDataAccess.objects.filter(user=agent, kind=PersonalDataAccess.Kind.LIST)

    with pytest.raises(RuntimeError), transaction.atomic():
        assert audit.record_requesters_seen({maria.pk}, **seen) == 1
        raise RuntimeError("the page failed")
    assert not listed.exists()
    with django_capture_on_commit_callbacks(execute=True):
        assert audit.record_requesters_seen({maria.pk}, **seen) == 1  # written again
    with django_assert_num_queries(0):
        assert audit.record_requesters_seen({maria.pk}, **seen) == 0
    with django_assert_num_queries(2):  # ana is new: one look, one write
        assert audit.record_requesters_seen({maria.pk, ana.pk}, **seen) == 1
    assert sorted(listed.values_list("requester__name", flat=True)) == [
        "Ana Lima",
        "Maria da Silva",
    ]
    # a row found in the database (written by another process) is remembered too
    caches["local"].clear()
    with django_assert_num_queries(1), django_capture_on_commit_callbacks(execute=True):
        assert audit.record_requesters_seen({maria.pk, ana.pk}, **seen) == 0  # the look
    with django_assert_num_queries(0):
        assert audit.record_requesters_seen({maria.pk, ana.pk}, **seen) == 0
    # another purpose is another visit
    assert audit.record_requesters_seen({maria.pk}, **seen, purpose="busca: maria") == 1


TZ = ZoneInfo("America/Sao_Paulo")


@pytest.mark.parametrize(
    ("due", "closed", "paused", "status", "text"),
    [
        (datetime(2026, 12, 1, 18, tzinfo=TZ), False, False, "overdue", "vencido há 3 dias"),
        (datetime(2026, 12, 3, 18, tzinfo=TZ), False, False, "overdue", "vencido há 1 dia"),
        (
            datetime(2026, 12, 4, 9, tzinfo=TZ),
            False,
            False,
            "overdue",
            "vencido hoje, há 3 h 00 min",
        ),
        (
            datetime(2026, 12, 4, 18, 5, tzinfo=TZ),
            False,
            False,
            "soon",
            "vence hoje, em 6 h 05 min",
        ),
        (datetime(2026, 12, 4, 12, 40, tzinfo=TZ), False, False, "soon", "vence hoje, em 40 min"),
        (datetime(2026, 12, 5, 18, tzinfo=TZ), False, False, "soon", "vence amanhã"),
        (datetime(2026, 12, 6, 18, tzinfo=TZ), False, False, "soon", "vence em 2 dias"),
        (datetime(2026, 12, 20, 18, tzinfo=TZ), False, False, "on-time", "vence em 16 dias"),
        (datetime(2026, 12, 1, 18, tzinfo=TZ), False, True, "paused", "prazo suspenso"),
        (datetime(2026, 12, 1, 18, tzinfo=TZ), True, False, "closed", "encerrado"),
        (None, False, False, "none", "sem prazo"),
    ],
)
def test_deadline_words(due, closed, paused, status, text):
    now = datetime(2026, 12, 4, 12, tzinfo=TZ)
    label = queue.deadline_label(
        due,
        closed=closed,
        paused=paused,
        now=now,
        today=date(2026, 12, 4),
        due_day=due.date() if due else None,
        horizon=datetime(2026, 12, 9, 23, 59, tzinfo=TZ),
    )
    assert label.status == status
    assert text in label.text


def test_deadline_words_and_colour_class_on_the_page(open_case, staff, verified_client):
    _set(open_case(subject="atrasado"), due_at=timezone.now() - timedelta(days=3))
    page = verified_client(staff["supervisor"]).get("/console/").content.decode()
    assert 'class="deadline deadline--overdue">vencido há 3 dias' in page


# --- counts per view ----------------------------------------------------------------------


def test_each_view_shows_its_count_capped_at_99_plus(
    open_case, staff, verified_client, monkeypatch
):
    for _ in range(3):
        open_case()
    mine = open_case(subject="meu")
    services.do_assign_case(mine, assignee=staff["supervisor"], actor=staff["supervisor"])
    response = verified_client(staff["supervisor"]).get("/console/")
    counts = {view["slug"]: view["count"] for view in response.context["views"]}
    assert counts["abertos"] == 4 and counts["meus"] == 1 and counts["sem-responsavel"] == 3
    assert counts["encerrados"] is None  # not counted: history, not workload
    monkeypatch.setattr(filters, "COUNT_CAP", 3)
    page = verified_client(staff["supervisor"]).get("/console/").content.decode()
    assert "99+" in page


def test_an_agent_counts_only_cases_they_may_see(open_case, staff, verified_client):
    hidden = Team.objects.create(slug="jur", name="Jurídico")
    open_case(team=hidden)
    open_case()  # unqueued: visible to every agent
    response = verified_client(staff["agent"]).get("/console/")
    counts = {view["slug"]: view["count"] for view in response.context["views"]}
    assert counts["abertos"] == 1
    assert len(response.context["cases"]) == 1


def test_the_counts_may_lag_ten_seconds_the_list_never(
    open_case, staff, verified_client, monkeypatch
):
    import time as real_time
    from types import SimpleNamespace

    from django.core.cache.backends import locmem

    from balcao.console import queue_views

    client = verified_client(staff["supervisor"])

    def tab_count(response):
        return {view["slug"]: view["count"] for view in response.context["views"]}["abertos"]

    open_case(subject="primeiro")
    assert tab_count(client.get("/console/")) == 1
    open_case(subject="segundo")
    response = client.get("/console/")
    assert sorted(subjects(response)) == ["primeiro", "segundo"]
    assert tab_count(response) == 1  # the count read a moment ago
    later = queue_views.COUNTS_TTL + 1
    monkeypatch.setattr(locmem, "time", SimpleNamespace(time=lambda: real_time.time() + later))
    assert tab_count(client.get("/console/")) == 2


def test_the_users_own_bulk_change_is_counted_at_once(open_case, staff, verified_client):
    client = verified_client(staff["supervisor"])
    case = open_case(subject="sem dono")

    def unassigned():
        views = client.get("/console/").context["views"]
        return {view["slug"]: view["count"] for view in views}["sem-responsavel"]

    assert unassigned() == 1
    client.post(reverse("console:case_bulk"), {"action": "take", "cases": [case.pk]})
    assert Case.objects.get(pk=case.pk).assignee == staff["supervisor"]
    assert unassigned() == 0


# --- searches ----------------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["{digits}", "{spaced}", "{slashed}", "{as_is}"])
def test_protocol_found_in_any_punctuation(open_case, staff, verified_client, typed):
    case = open_case(subject="procurado")
    open_case(subject="outro")
    digits = "".join(ch for ch in case.protocol if ch.isdigit())
    text = typed.format(
        digits=digits,
        spaced=" ".join([digits[:4], digits[4:-1], digits[-1]]),
        slashed=f"{digits[:4]}/{digits[4:-1]}.{digits[-1]}",
        as_is=case.protocol,
    )
    response = verified_client(staff["supervisor"]).get("/console/", {"q": text})
    assert subjects(response) == ["procurado"]


@pytest.mark.parametrize("typed", ["joao", "JOÃO SOUZA", "souza joão", "joao@example.org"])
def test_search_by_requester_name_or_email_is_audited(open_case, staff, verified_client, typed):
    joao = Requester.objects.create(name="João de Souza", email="joao@example.org")
    other = Requester.objects.create(name="Ana Lima", email="ana@example.org")
    open_case(subject="do joão", requester=joao)
    open_case(subject="da ana", requester=other)
    response = verified_client(staff["agent"]).get("/console/", {"requester": typed})
    assert subjects(response) == ["do joão"]
    searched = PersonalDataAccess.objects.get(
        user=staff["agent"], kind=PersonalDataAccess.Kind.SEARCH
    )
    assert searched.requester == joao and typed in searched.purpose


def test_search_by_cpf_finds_claimed_and_verified_documents(open_case, staff, verified_client):
    person = Requester.objects.create(name="Pessoa", cpf="52998224725")
    contact = Requester.objects.create(name="Contato", unverified=True, claimed_cpf="52998224725")
    open_case(subject="cadastro", requester=person)
    open_case(subject="contato", requester=contact)
    open_case(subject="outro")
    response = verified_client(staff["supervisor"]).get(
        "/console/", {"requester": "529.982.247-25"}
    )
    assert sorted(subjects(response)) == ["cadastro", "contato"]
    assert PersonalDataAccess.objects.filter(kind=PersonalDataAccess.Kind.SEARCH).count() == 2


def test_a_search_that_finds_nobody_shows_nothing_and_records_nothing(
    open_case, staff, verified_client
):
    open_case(requester=Requester.objects.create(name="Ana"))
    response = verified_client(staff["agent"]).get("/console/", {"requester": "zzz"})
    assert subjects(response) == []
    assert not PersonalDataAccess.objects.filter(kind=PersonalDataAccess.Kind.SEARCH).exists()


# --- bulk actions ------------------------------------------------------------------------


def test_agent_takes_several_cases_at_once_and_is_told_which_were_refused(
    open_case, staff, verified_client
):
    team = Team.objects.create(slug="sac", name="SAC")
    TeamMembership.objects.create(team=team, user=staff["agent"])
    free = [open_case(team=team) for _ in range(2)]
    held = open_case(team=team)
    _set(held, assignee=staff["supervisor"])
    agent = verified_client(staff["agent"])
    response = agent.post(
        "/console/atendimentos/lote/",
        {"cases": [c.pk for c in [*free, held]], "action": "take", "next": "/console/?view=meus"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == "/console/?view=meus"
    text = response.content.decode()
    assert "2 atendimentos atualizados." in text
    assert held.protocol in text and "peça à supervisão" in text
    assert {c.assignee for c in Case.objects.filter(pk__in=[f.pk for f in free])} == {
        staff["agent"]
    }
    held.refresh_from_db()
    assert held.assignee == staff["supervisor"]
    # an agent is not offered (nor allowed) assigning to others
    assert "Atribuir a…" not in agent.get("/console/").content.decode()
    agent.post(
        "/console/atendimentos/lote/",
        {"cases": [held.pk], "action": "assign", "assignee": staff["agent"].pk},
    )
    held.refresh_from_db()
    assert held.assignee == staff["supervisor"]


def test_supervisor_bulk_assigns_and_bulk_changes_state_with_justification(
    open_case, staff, verified_client
):
    cases = [open_case() for _ in range(3)]
    supervisor = verified_client(staff["supervisor"])
    supervisor.post(
        "/console/atendimentos/lote/",
        {"cases": [c.pk for c in cases], "action": "assign", "assignee": staff["agent"].pk},
    )
    assert set(Case.objects.values_list("assignee", flat=True)) == {staff["agent"].pk}
    # cancelling needs a justification: refused for all, nothing changes
    response = supervisor.post(
        "/console/atendimentos/lote/",
        {"cases": [c.pk for c in cases], "action": "state", "state": "cancelado"},
        follow=True,
    )
    assert "3 atendimentos não foram alterados" in response.content.decode()
    assert set(Case.objects.values_list("state__slug", flat=True)) == {"novo"}
    supervisor.post(
        "/console/atendimentos/lote/",
        {
            "cases": [c.pk for c in cases],
            "action": "state",
            "state": "cancelado",
            "reason": "Pedidos em duplicidade",
        },
    )
    assert set(Case.objects.values_list("state__slug", flat=True)) == {"cancelado"}


def test_bulk_without_ticked_cases_or_with_a_foreign_next_url(staff, verified_client):
    supervisor = verified_client(staff["supervisor"])
    response = supervisor.post(
        "/console/atendimentos/lote/",
        {"action": "take", "next": "https://evil.example/"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == "/console/"
    assert "Marque ao menos um atendimento na lista." in response.content.decode()


def test_bulk_never_touches_cases_the_user_cannot_see(open_case, staff, verified_client):
    hidden = open_case(team=Team.objects.create(slug="jur", name="Jurídico"))
    agent = verified_client(staff["agent"])
    response = agent.post(
        "/console/atendimentos/lote/", {"cases": [hidden.pk], "action": "take"}, follow=True
    )
    assert "Nenhum dos atendimentos marcados está visível para você." in response.content.decode()
    hidden.refresh_from_db()
    assert hidden.assignee is None
