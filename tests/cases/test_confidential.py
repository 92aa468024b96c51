"""The ombudsman's confidential channel: its cases reach nobody but the ombudsman role —
not by assignment, not by a deadline reminder (issue 21, "fix this first")."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from balcao.cases import clock, services
from balcao.cases.models import Case, Workflow
from balcao.catalog.models import Channel

pytestmark = pytest.mark.django_db


@pytest.fixture
def ombudsman_channel():
    return Channel.objects.create(
        slug="ouvidoria",
        name="Ouvidoria",
        kind="ombudsman",
        confidential=True,
        workflow=Workflow.objects.get(slug="helpdesk"),
        deadline_policy="ouvidoria",
    )


def test_a_confidential_case_cannot_be_assigned_outside_the_ombudsman_role(
    ombudsman_channel, staff
):
    case = services.do_open_case(
        channel=ombudsman_channel, subject="Denúncia", actor=staff["ombudsman"]
    )
    with pytest.raises(services.CaseError, match="só a ouvidoria"):
        services.do_assign_case(case, assignee=staff["agent"], actor=staff["ombudsman"])
    services.do_assign_case(case, assignee=staff["ombudsman"], actor=staff["ombudsman"])
    case.refresh_from_db()
    assert case.assignee == staff["ombudsman"]


def test_deadline_reminders_of_a_confidential_case_go_to_the_ombudsman_role_only(
    ombudsman_channel, helpdesk_channel, staff, settings, django_capture_on_commit_callbacks
):
    for user in staff.values():
        user.email = f"{user.username}@agency.example"
        user.save(update_fields=["email"])
    secret = services.do_open_case(
        channel=ombudsman_channel, subject="Denúncia", actor=staff["ombudsman"]
    )
    ordinary = services.do_open_case(
        channel=helpdesk_channel, subject="Dúvida", actor=staff["supervisor"]
    )
    past = timezone.now() - timedelta(days=1)
    Case.objects.filter(pk__in=[secret.pk, ordinary.pk]).update(due_at=past)
    with django_capture_on_commit_callbacks(execute=True):
        clock.sweep_deadlines()
    to_whom = {m.subject: set(m.to) for m in mail.outbox}
    secret_mail = [to for subject, to in to_whom.items() if secret.protocol in subject]
    ordinary_mail = [to for subject, to in to_whom.items() if ordinary.protocol in subject]
    assert secret_mail and all(to == {"t.ombudsman@agency.example"} for to in secret_mail)
    assert ordinary_mail and any("t.supervisor@agency.example" in to for to in ordinary_mail)


def test_an_existing_ombudsman_channel_becomes_confidential_by_the_migration():
    from importlib import import_module

    from django.apps import apps

    migration = import_module("balcao.catalog.migrations.0003_channel_confidential")
    channel = Channel.objects.create(
        slug="ouvidoria", name="Ouvidoria", workflow=Workflow.objects.get(slug="helpdesk")
    )
    migration.mark_ombudsman_channels(apps, None)
    channel.refresh_from_db()
    assert channel.confidential


def test_a_case_an_agent_registers_for_the_ombudsman_leaves_their_hands(
    ombudsman_channel, staff, verified_client
):
    """A denúncia taken by phone: the agent registers it on the ombudsman's channel and is
    sent back to the queue (the case page would now be a 404 for them)."""
    client = verified_client(staff["agent"])
    response = client.post(
        "/console/atendimentos/novo/",
        {"channel": ombudsman_channel.pk, "subject": "Denúncia por telefone"},
        follow=True,
    )
    case = Case.objects.get()
    assert response.redirect_chain[-1][0] == "/console/"
    assert "só ela vê este atendimento" in response.content.decode()
    assert case.protocol in response.content.decode()
    assert client.get(f"/console/atendimentos/{case.pk}/").status_code == 404
