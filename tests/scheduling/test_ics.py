"""``.ics`` invitations read back by ``icalendar``, and video-room links (pure)."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import icalendar
import pytest

from balcao.scheduling.ics import (
    Invitation,
    Person,
    cancellation_ics,
    event_uid,
    invitation_ics,
    new_room_secret,
    parse_ics,
    video_link,
)

SAO_PAULO = ZoneInfo("America/Sao_Paulo")
STAMP = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)
LINK = "https://meet.jit.si/abcdefghijklmnopqrstuvwxyz234567"


@pytest.fixture
def invitation() -> Invitation:
    return Invitation(
        session_id="42",
        start=datetime(2026, 11, 25, 10, 0, tzinfo=SAO_PAULO),
        end=datetime(2026, 11, 25, 11, 0, tzinfo=SAO_PAULO),
        summary="INPI Conecta Todos — sessão aberta",
        description="Dúvidas simples; traga o número do processo.\nLink: " + LINK,
        video_url=LINK,
        organizer=Person("atendimento@inpi.gov.br", "Ouvidoria do INPI"),
        attendee=Person("Joana.Silva@Example.com.br", "Joana da Silva"),
        uid_domain="balcao.inpi.gov.br",
    )


def test_invitation_round_trips_through_icalendar(invitation: Invitation) -> None:
    data = invitation_ics(invitation, stamp=STAMP)
    text = data.decode()
    assert "DTSTART:20261125T130000Z" in text  # UTC, no TZID
    assert "DTEND:20261125T140000Z" in text

    calendar = icalendar.Calendar.from_ical(data)
    assert str(calendar["METHOD"]) == "REQUEST"
    (event,) = calendar.walk("VEVENT")
    assert event.decoded("DTSTART") == datetime(2026, 11, 25, 13, 0, tzinfo=UTC)
    assert event.decoded("DTSTAMP") == STAMP

    parsed = parse_ics(data)
    assert parsed.method == "REQUEST"
    assert parsed.status == "CONFIRMED"
    assert parsed.uid == invitation.uid
    assert parsed.sequence == 0
    assert parsed.start == invitation.start and parsed.start.utcoffset().total_seconds() == 0
    assert parsed.end == invitation.end
    assert parsed.summary == invitation.summary
    assert parsed.description == invitation.description
    assert parsed.location == LINK  # remote session: the link is the place (art. 42, III)
    assert parsed.url == LINK
    assert parsed.organizer == Person("atendimento@inpi.gov.br", "Ouvidoria do INPI")
    assert parsed.attendees == (Person("Joana.Silva@Example.com.br", "Joana da Silva"),)


def test_uid_is_stable_per_session_and_attendee(invitation: Invitation) -> None:
    uid = invitation.uid
    assert uid == event_uid("42", " joana.silva@example.com.br ", "balcao.inpi.gov.br")
    assert uid.endswith("@balcao.inpi.gov.br")
    assert "joana" not in uid.lower()
    assert uid != event_uid("42", "outra@example.com.br", "balcao.inpi.gov.br")
    assert uid != event_uid("43", "joana.silva@example.com.br", "balcao.inpi.gov.br")


def test_reschedule_keeps_the_uid_and_raises_the_sequence(invitation: Invitation) -> None:
    moved = replace(
        invitation,
        start=datetime(2026, 11, 27, 14, 0, tzinfo=SAO_PAULO),
        end=datetime(2026, 11, 27, 15, 0, tzinfo=SAO_PAULO),
        sequence=1,
    )
    parsed = parse_ics(invitation_ics(moved, stamp=STAMP))
    assert parsed.uid == parse_ics(invitation_ics(invitation, stamp=STAMP)).uid
    assert parsed.sequence == 1
    assert parsed.start == datetime(2026, 11, 27, 17, 0, tzinfo=UTC)


def test_cancellation(invitation: Invitation) -> None:
    data = cancellation_ics(replace(invitation, sequence=2), stamp=STAMP)
    calendar = icalendar.Calendar.from_ical(data)
    assert str(calendar["METHOD"]) == "CANCEL"
    parsed = parse_ics(data)
    assert (parsed.method, parsed.status, parsed.sequence) == ("CANCEL", "CANCELLED", 2)
    assert parsed.uid == invitation.uid
    assert parsed.attendees[0].email == "Joana.Silva@Example.com.br"


def test_physical_place(invitation: Invitation) -> None:
    on_site = replace(invitation, video_url="", location="Rua Mayrink Veiga, 9 — Rio de Janeiro")
    parsed = parse_ics(invitation_ics(on_site, stamp=STAMP))
    assert parsed.location == "Rua Mayrink Veiga, 9 — Rio de Janeiro"
    assert parsed.url == ""


def test_line_breaks_in_texts_cannot_add_properties(invitation: Invitation) -> None:
    hostile = replace(
        invitation,
        summary="Sessão\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nSUMMARY:falsa",
        attendee=Person("joana@example.com.br", 'Joana "J"\r\nATTENDEE:mailto:x@evil.test'),
    )
    data = invitation_ics(hostile, stamp=STAMP)
    calendar = icalendar.Calendar.from_ical(data)
    assert len(calendar.walk("VEVENT")) == 1
    parsed = parse_ics(data)
    assert parsed.summary == hostile.summary.replace("\r\n", "\n")  # one line break each
    assert [a.email for a in parsed.attendees] == ["joana@example.com.br"]


@pytest.mark.parametrize(
    "change",
    [
        {"start": datetime(2026, 11, 25, 10, 0)},  # naive
        {"end": datetime(2026, 11, 25, 9, 0, tzinfo=SAO_PAULO)},  # before the start
        {"attendee": Person("not an address")},
        {"organizer": Person("a@b.br\r\nX-INJ:1")},
        {"session_id": "42\r\nX"},
        {"sequence": -1},
    ],
)
def test_invalid_invitations_are_refused(invitation: Invitation, change: dict) -> None:
    with pytest.raises(ValueError):
        invitation_ics(replace(invitation, **change), stamp=STAMP)


def test_parse_refuses_a_file_without_exactly_one_event() -> None:
    empty = icalendar.Calendar()
    empty.add("prodid", "-//x//")
    empty.add("version", "2.0")
    with pytest.raises(ValueError, match="one VEVENT"):
        parse_ics(empty.to_ical())


def test_video_link_uses_an_unguessable_room() -> None:
    first, second = new_room_secret(), new_room_secret()
    assert first != second
    assert re.fullmatch(r"[a-z2-7]{32}", first)  # 160 random bits, case-insensitive safe
    assert video_link(first) == f"https://meet.jit.si/{first}"
    assert (
        video_link(first, pattern="https://video.inpi.gov.br/sala/{room}?lang=pt")
        == f"https://video.inpi.gov.br/sala/{first}?lang=pt"
    )


@pytest.mark.parametrize(
    ("secret", "pattern"),
    [
        ("curta", "https://meet.jit.si/{room}"),
        ("a" * 20 + "/../x", "https://meet.jit.si/{room}"),
        ("a" * 32, "https://meet.jit.si/fixa"),
        ("a" * 32, "javascript:alert('{room}')"),
    ],
)
def test_video_link_refuses_weak_rooms_and_odd_patterns(secret: str, pattern: str) -> None:
    with pytest.raises(ValueError):
        video_link(secret, pattern)
