"""Reminders of Conecta Todos (issue 25: "a reminder the day before and one hour before
(periodic task)"): each goes out once, however often the task runs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.utils import timezone

from balcao.scheduling import services
from balcao.scheduling.models import Registration
from balcao.scheduling.tasks import send_session_reminders

pytestmark = pytest.mark.django_db


def _booked(session, email="ana@example.com", at=None):
    registration = services.do_register(session, "Ana", email, "Dúvida")
    if at is not None:
        Registration.objects.filter(pk=registration.pk).update(created_at=at)
    return registration


def test_the_day_before_and_the_hour_before_each_once(
    make_session, django_capture_on_commit_callbacks
):
    session = make_session(capacity=5, ahead=timedelta(days=3))
    start = session.starts_at
    registration = _booked(session, at=start - timedelta(days=3))
    waiting_too = make_session(capacity=0, ahead=timedelta(days=3, hours=2))
    _booked(waiting_too)  # on the waiting list: no reminder

    def run(now):
        with django_capture_on_commit_callbacks(execute=True):
            return services.send_due_reminders(now)

    assert run(start - timedelta(days=1, minutes=5)) == 0
    assert run(start - timedelta(hours=23, minutes=59)) == 1
    assert run(start - timedelta(hours=23, minutes=54)) == 0
    assert run(start - timedelta(hours=2)) == 0
    assert run(start - timedelta(minutes=59)) == 1
    assert run(start - timedelta(minutes=54)) == 0
    assert run(start + timedelta(minutes=1)) == 0
    reminders = [m for m in mail.outbox if m.subject.startswith("Lembrete")]
    assert [m.to for m in reminders] == [["ana@example.com"]] * 2
    assert session.video_url in reminders[0].body
    registration.refresh_from_db()
    assert registration.reminders_sent == ["day_before", "hour_before"]


def test_the_periodic_task_run_twice_sends_one_reminder(
    make_session, django_capture_on_commit_callbacks
):
    session = make_session(capacity=5, ahead=timedelta(minutes=30))
    _booked(session, at=timezone.now() - timedelta(days=2))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        send_session_reminders.call_local()
        send_session_reminders.call_local()
    # The day-before reminder is superseded by the hour-before one (rules.due_reminders).
    assert [m.subject.split(":")[0] for m in mail.outbox] == ["Lembrete"]


def test_the_task_is_scheduled_every_five_minutes():
    from huey.contrib.djhuey import HUEY

    def due_at(minute):
        moment = datetime(2027, 4, 19, 13, minute, tzinfo=UTC).replace(tzinfo=None)
        return {task.name for task in HUEY.read_periodic(moment)}

    name = "send_session_reminders"
    assert name in due_at(5)
    assert name in due_at(50)
    assert name not in due_at(7)
