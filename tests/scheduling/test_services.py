"""Conecta Todos actions (issue 25): publishing over the business calendar, seats, the
waiting list and promotion on cancel, the .ics invitation, attendance."""

from __future__ import annotations

from datetime import date, time
from zoneinfo import ZoneInfo

import icalendar
import pytest
from django.core import mail

from balcao.accounts.permissions import PermissionDenied
from balcao.scheduling import services
from balcao.scheduling.models import OpenSession, Registration
from tests.scheduling.conftest import ics_of

pytestmark = pytest.mark.django_db

SAO_PAULO = ZoneInfo("America/Sao_Paulo")


def test_publishing_skips_holidays_and_weekends_and_is_idempotent(conecta, staff):
    # 2027-04-19 (Monday) .. 2027-04-25 (Sunday); 21 April is Tiradentes, a national holiday.
    created = services.do_publish_sessions(
        conecta,
        date(2027, 4, 19),
        date(2027, 4, 25),
        capacity=20,
        hosts=[staff["agent"]],
        actor=staff["supervisor"],
    )
    starts = [s.starts_at.astimezone(SAO_PAULO) for s in created]
    assert sorted({s.date() for s in starts}) == [
        date(2027, 4, 19),
        date(2027, 4, 20),
        date(2027, 4, 22),
        date(2027, 4, 23),
    ]
    assert {s.time() for s in starts} == {time(10), time(14)}
    assert len(created) == 8
    assert all(s.capacity == 20 and list(s.hosts.all()) == [staff["agent"]] for s in created)
    assert all(s.video_url.startswith("https://meet.jit.si/") for s in created)
    assert len({s.video_url for s in created}) == 8  # one unguessable room each
    assert all(s.room_secret in s.video_url and len(s.room_secret) >= 32 for s in created)

    again = services.do_publish_sessions(
        conecta,
        date(2027, 4, 19),
        date(2027, 4, 26),
        capacity=20,
        actor=staff["supervisor"],
    )
    assert [s.starts_at.astimezone(SAO_PAULO).date() for s in again] == [date(2027, 4, 26)] * 2
    assert OpenSession.objects.count() == 10


def test_only_who_manages_queues_publishes(conecta, staff):
    with pytest.raises(PermissionDenied):
        services.do_publish_sessions(
            conecta, date(2027, 4, 19), date(2027, 4, 19), capacity=5, actor=staff["agent"]
        )
    with pytest.raises(services.SchedulingError) as refused:
        services.do_publish_sessions(
            conecta,
            date(2027, 4, 19),
            date(2027, 4, 19),
            capacity=5,
            actor=staff["supervisor"],
            pattern="ftp://video/{room}",
        )
    assert refused.value.field == "pattern"
    assert not OpenSession.objects.exists()


def test_a_full_session_has_a_waiting_list_and_a_cancellation_promotes_the_first(
    make_session, django_capture_on_commit_callbacks
):
    session = make_session(capacity=2)
    with django_capture_on_commit_callbacks(execute=True):
        ana = services.do_register(session, "Ana", "ana@example.com", "Marca mista")
        bia = services.do_register(session, "Bia", "BIA@example.com ", "Patente")
        caio = services.do_register(session, "Caio", "caio@example.com", "Desenho industrial")
        duda = services.do_register(session, "Duda", "duda@example.com", "Programa")
    assert [r.status for r in (ana, bia, caio, duda)] == [
        "confirmed",
        "confirmed",
        "waiting",
        "waiting",
    ]
    assert bia.email == "bia@example.com"
    by_person = {m.to[0]: m for m in mail.outbox}
    assert ics_of(by_person["ana@example.com"]) and ics_of(by_person["bia@example.com"])
    assert ics_of(by_person["caio@example.com"]) is None
    assert "lista de espera" in by_person["caio@example.com"].body
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.do_cancel(ana.cancel_token)
    statuses = dict(Registration.objects.values_list("name", "status"))
    assert statuses == {
        "Ana": "cancelled",
        "Bia": "confirmed",
        "Caio": "confirmed",
        "Duda": "waiting",
    }
    sent = {m.to[0]: m for m in mail.outbox}
    assert set(sent) == {"ana@example.com", "caio@example.com"}
    cancel = icalendar.Calendar.from_ical(ics_of(sent["ana@example.com"]))
    assert str(cancel["METHOD"]) == "CANCEL"
    assert int(cancel.walk("VEVENT")[0]["SEQUENCE"]) == 1
    invite = icalendar.Calendar.from_ical(ics_of(sent["caio@example.com"]))
    assert str(invite["METHOD"]) == "REQUEST"

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        again = services.do_cancel(ana.cancel_token)  # a second click changes nothing
    assert again.status == "cancelled" and mail.outbox == []


def test_the_invitation_carries_the_sessions_times_and_video_link(
    make_session, django_capture_on_commit_callbacks
):
    session = make_session(capacity=5)
    with django_capture_on_commit_callbacks(execute=True):
        registration = services.do_register(
            session, "Ana Souza", "ana@example.com", "Como pesquisar marcas?"
        )
    (message,) = mail.outbox
    data = ics_of(message)
    assert data is not None
    calendar = icalendar.Calendar.from_ical(data)
    (event,) = calendar.walk("VEVENT")
    assert event.decoded("DTSTART") == session.starts_at
    assert event.decoded("DTEND") == session.ends_at
    assert str(event["URL"]) == session.video_url
    assert str(event["LOCATION"]) == session.video_url
    assert str(event["ATTENDEE"]) == "mailto:ana@example.com"
    assert registration.cancel_token in str(event["DESCRIPTION"])
    assert session.video_url in message.body


@pytest.mark.parametrize(
    ("name", "email", "subject", "field"),
    [
        ("", "ana@example.com", "Dúvida", "name"),
        ("Ana", "ana@", "Dúvida", "email"),
        ("Ana", "ana@example.com", "   ", "subject"),
    ],
)
def test_a_sign_up_needs_a_name_a_valid_email_and_a_subject(
    make_session, name, email, subject, field
):
    with pytest.raises(services.SchedulingError) as refused:
        services.do_register(make_session(), name, email, subject)
    assert refused.value.field == field
    assert not Registration.objects.exists()


def test_the_same_email_signs_up_once_and_a_past_session_is_closed(make_session):
    from datetime import timedelta

    session = make_session()
    services.do_register(session, "Ana", "ana@example.com", "Dúvida")
    with pytest.raises(services.SchedulingError, match="já está inscrito"):
        services.do_register(session, "Ana", "Ana@Example.com", "Outra")
    past = make_session(ahead=timedelta(minutes=-5))
    with pytest.raises(services.SchedulingError, match="encerradas"):
        services.do_register(past, "Ana", "ana@example.com", "Dúvida")


def test_hosts_mark_attendance(make_session, staff):
    session = make_session(capacity=3)
    ana = services.do_register(session, "Ana", "ana@example.com", "Dúvida")
    with pytest.raises(PermissionDenied):
        services.do_mark_attendance(ana, True, "x", actor=staff["knowledge_manager"])
    services.do_mark_attendance(ana, True, "  Como pagar a GRU.  ", actor=staff["agent"])
    ana.refresh_from_db()
    assert ana.attended is True and ana.questions == "Como pagar a GRU."
    counted = services.sessions_with_counts().get(pk=session.pk)
    assert (counted.confirmed, counted.waiting, counted.attended_count) == (1, 0, 1)
