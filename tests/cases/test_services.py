"""Case actions: opening, states, history, representatives, assignment, visibility."""

import pytest
from django.db import IntegrityError, connection, transaction

from balcao.cases import services
from balcao.cases.models import (
    Case,
    CaseEvent,
    HistoryIsAppendOnly,
    Representation,
    State,
    Team,
    TeamMembership,
)

pytestmark = pytest.mark.django_db


def _state(slug, workflow="helpdesk"):
    return State.objects.get(workflow__slug=workflow, slug=slug)


def test_open_case_numbers_it_and_records_history(open_case, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        case = open_case(subject="  Dúvida sobre GRU  ")
    assert case.subject == "Dúvida sobre GRU"
    assert case.state.slug == "novo"
    assert case.deadline_policy == "fale-conosco"
    second = open_case()
    assert second.protocol != case.protocol
    assert [e.action for e in case.history.all()] == ["opened", "due_set"]
    assert case.due_at is not None  # the channel's policy (fale-conosco) gave the due date
    assert len(callbacks) == 1  # the case.opened event waits for the commit


def test_open_case_without_subject_is_refused(open_case):
    with pytest.raises(services.CaseError, match="assunto"):
        open_case(subject="   ")


def test_illegal_transition_is_refused_and_nothing_changes(open_case, staff):
    case = open_case()
    with pytest.raises(services.CaseError, match="Não é possível"):
        services.do_change_state(case, _state("encerrado"), actor=staff["agent"])
    case.refresh_from_db()
    assert case.state.slug == "novo"
    assert case.history.filter(action="state_changed").count() == 0


def test_closing_and_reopening_needs_a_reason(open_case, staff):
    agent = staff["supervisor"]
    case = open_case()
    services.do_change_state(case, _state("resolvido"), actor=agent)
    case.refresh_from_db()
    assert case.closed_at is not None
    with pytest.raises(services.CaseError, match="justificativa"):
        services.do_change_state(case, _state("em-atendimento"), actor=agent, reason=" ")
    services.do_change_state(
        case, _state("em-atendimento"), actor=agent, reason="Requerente voltou com o mesmo assunto"
    )
    case.refresh_from_db()
    assert case.closed_at is None
    reopened = case.history.get(action="reopened")
    assert (reopened.old_value, reopened.new_value) == ("Resolvido", "Em atendimento")
    assert reopened.reason == "Requerente voltou com o mesmo assunto"


def test_history_cannot_be_updated_or_deleted(open_case):
    case = open_case()
    event = case.history.get(action="opened")
    event.new_value = "forged"
    with pytest.raises(HistoryIsAppendOnly):
        event.save()
    with pytest.raises(HistoryIsAppendOnly):
        event.delete()
    with pytest.raises(HistoryIsAppendOnly):
        CaseEvent.objects.filter(case=case).update(new_value="forged")
    with pytest.raises(HistoryIsAppendOnly):
        CaseEvent.objects.filter(case=case).delete()


def test_history_is_guarded_by_the_database_too(open_case):
    case = open_case()
    table = CaseEvent._meta.db_table
    sql = f"UPDATE {table} SET new_value = 'x' WHERE case_id = %s"  # noqa: S608
    with (
        pytest.raises(Exception, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql, [case.pk])
    assert CaseEvent.objects.get(case=case, action="opened").new_value == case.protocol


def test_official_messages_go_to_the_representative(open_case):
    person = services.do_find_or_create_requester(
        name="Maria", cpf="529.982.247-25", email="maria@exemplo.invalid"
    )
    lawyer = services.do_find_or_create_requester(name="Escritório X", email="x@exemplo.invalid")
    Representation.objects.create(requester=person, representative=lawyer, document="PR-1")
    case = open_case(requester=person)
    assert case.representative == lawyer
    assert case.official_recipient == lawyer
    unrepresented = open_case(requester=lawyer)
    assert unrepresented.official_recipient == lawyer


def test_only_one_active_representative(open_case):
    person = services.do_find_or_create_requester(name="Maria")
    a = services.do_find_or_create_requester(name="A")
    b = services.do_find_or_create_requester(name="B")
    Representation.objects.create(requester=person, representative=a)
    with pytest.raises(IntegrityError), transaction.atomic():
        Representation.objects.create(requester=person, representative=b)


def test_requester_is_stored_once_per_cpf():
    first = services.do_find_or_create_requester(name="Maria", cpf="529.982.247-25")
    again = services.do_find_or_create_requester(name="Outro nome", cpf="52998224725")
    assert first.pk == again.pk
    assert again.name == "Maria"


def _team(strategy, members):
    team = Team.objects.create(slug=f"t-{strategy}", name=strategy, strategy=strategy)
    for member in members:
        TeamMembership.objects.create(team=team, user=member)
    return team


def test_round_robin_cycles_through_members(open_case, make_user):
    agents = [make_user("agent") for _ in range(3)]
    team = _team(Team.Strategy.ROUND_ROBIN, agents)
    assignees = [open_case(team=team).assignee for _ in range(4)]
    assert assignees == [agents[0], agents[1], agents[2], agents[0]]


def test_least_loaded_picks_the_agent_with_fewest_open_cases(open_case, make_user, staff):
    busy, idle = make_user("agent"), make_user("agent")
    team = _team(Team.Strategy.LEAST_LOADED, [busy, idle])
    for _ in range(2):
        services.do_assign_case(open_case(), assignee=busy, actor=staff["supervisor"])
    assert open_case(team=team).assignee == idle


def test_assigning_outside_the_team_is_refused(open_case, make_user, staff):
    member, outsider = make_user("agent"), make_user("agent")
    team = _team(Team.Strategy.MANUAL, [member])
    case = open_case(team=team)
    with pytest.raises(services.CaseError, match="não faz parte"):
        services.do_assign_case(case, assignee=outsider, actor=staff["supervisor"])


def test_agents_see_their_teams_cases_only(open_case, make_user, staff):
    mine, other = make_user("agent"), make_user("agent")
    my_team = _team(Team.Strategy.MANUAL, [mine])
    other_team = Team.objects.create(slug="outra", name="Outra")
    TeamMembership.objects.create(team=other_team, user=other)
    visible = open_case(team=my_team)
    hidden = open_case(team=other_team)
    seen = set(services.visible_cases(mine))
    assert visible in seen and hidden not in seen
    assert set(Case.objects.all()) == set(services.visible_cases(staff["supervisor"]))
    assert not services.visible_cases(staff["knowledge_manager"]).exists()


def test_team_ids_primed_by_the_caller_give_the_same_visibility(open_case, make_user, staff):
    from balcao.accounts.models import User

    mine, lonely = make_user("agent"), make_user("agent")
    first = _team(Team.Strategy.MANUAL, [mine])
    second = Team.objects.create(slug="segunda", name="Segunda")
    TeamMembership.objects.create(team=second, user=mine)
    elsewhere = Team.objects.create(slug="alheia", name="Alheia")
    cases = [
        open_case(team=first),
        open_case(team=second),
        open_case(team=elsewhere),
        open_case(),
        open_case(team=elsewhere),
    ]
    Case.objects.filter(pk=cases[4].pk).update(assignee=mine)  # assigned across teams
    for user in (mine, lonely):
        primed = User.objects.get(pk=user.pk)
        services.remember_team_ids(primed, user.teams.values_list("id", flat=True))
        assert set(services.visible_cases(primed)) == set(services.visible_cases(user))
    assert set(services.visible_cases(mine)) == {cases[0], cases[1], cases[3], cases[4]}
    assert set(services.visible_cases(lonely)) == {cases[3]}


def test_a_role_without_the_capability_cannot_act(open_case, staff):
    case = open_case()
    with pytest.raises(services.PermissionDenied):
        services.do_assign_case(case, assignee=staff["agent"], actor=staff["agent"])
    with pytest.raises(services.PermissionDenied):
        services.do_add_message(case, "oi", actor=staff["knowledge_manager"])


def test_history_delete_is_refused_by_postgresql(open_case):
    if connection.vendor != "postgresql":
        pytest.skip("the DELETE trigger is PostgreSQL's (SQLite relies on the model)")
    case = open_case()
    sql = f"DELETE FROM {CaseEvent._meta.db_table} WHERE case_id = %s"  # noqa: S608
    with (
        pytest.raises(Exception, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql, [case.pk])
    assert CaseEvent.objects.filter(case=case).exists()


def test_an_action_without_an_actor_is_refused(helpdesk_channel, open_case):
    """``actor=None`` used to skip the permission check silently; the platform acting by a
    rule says so with ``SYSTEM`` (the history then reads "Sistema")."""
    from balcao.accounts.permissions import SYSTEM

    with pytest.raises(services.PermissionDenied):
        services.do_open_case(channel=helpdesk_channel, subject="Sem ator")
    assert not Case.objects.filter(subject="Sem ator").exists()
    case = services.do_open_case(channel=helpdesk_channel, subject="Pelo sistema", actor=SYSTEM)
    assert case.history.get(action="opened").actor_label == "Sistema"
    resolved = State.objects.get(workflow__slug="helpdesk", slug="resolvido")
    with pytest.raises(services.PermissionDenied):
        services.do_change_state(case, resolved)
    with pytest.raises(services.PermissionDenied):
        services.do_update_case(case, subject="outro")


def test_protocols_are_consecutive_and_a_rollback_gives_its_number_back(open_case):
    """One statement numbers a case (INSERT … ON CONFLICT … RETURNING on the table of
    ProtocolSequence); an opening undone takes its number with it: no gaps."""
    from balcao.cases.models import ProtocolSequence

    assert ProtocolSequence._meta.db_table == "cases_protocolsequence"  # named in the SQL
    first = open_case()
    with pytest.raises(RuntimeError), transaction.atomic():
        open_case()
        raise RuntimeError("undone")
    second = open_case()
    seq = [int(c.protocol.split(".")[1].split("-")[0]) for c in (first, second)]
    assert seq[1] == seq[0] + 1
    assert ProtocolSequence.objects.get().last_value == seq[1]


def test_the_opening_entries_are_written_together_and_in_order(open_case):
    from balcao.cases import history

    case = open_case()
    with transaction.atomic():
        with history.collected():
            history.record(case, CaseEvent.Action.NOTE_ADDED, new="one")
            history.record(case, CaseEvent.Action.NOTE_ADDED, new="two")
            assert case.history.filter(action="note_added").count() == 0  # not written yet
        notes = case.history.filter(action="note_added").values_list("new_value", flat=True)
        assert list(notes) == ["one", "two"]
    with pytest.raises(RuntimeError), transaction.atomic(), history.collected():
        history.record(case, CaseEvent.Action.NOTE_ADDED, new="three")
        raise RuntimeError
    assert not case.history.filter(new_value="three").exists()
