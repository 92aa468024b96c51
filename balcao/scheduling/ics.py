"""Calendar invitations (``.ics``, RFC 5545 / iTIP RFC 5546) and video-room links.

Pure module (no Django import), built on the ``icalendar`` library. Issue 25: a person who
books a Conecta Todos session or a (tele)presential session receives an e-mail with an
``.ics`` invitation; a reschedule sends the same event again with a higher ``SEQUENCE``, a
cancellation sends ``METHOD:CANCEL``. Portaria art. 42, III: the message gives "a indicação
do local físico ou do hiperlink de acesso ao meio de conferência de vídeo ou voz" — the
event's ``LOCATION`` is the place, or the video link when the session is remote.

One event per (session, attendee): its ``UID`` is derived from both, so every message about
the same booking (invitation, reschedule, cancellation) updates the same entry in the
person's calendar, and the UID does not reveal the attendee's address.
"""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import quote

import icalendar

__all__ = [
    "DEFAULT_VIDEO_PATTERN",
    "Invitation",
    "ParsedInvitation",
    "Person",
    "cancellation_ics",
    "event_uid",
    "invitation_ics",
    "new_room_secret",
    "parse_ics",
    "video_link",
]

PRODID = "-//Balcao//Agendamento//PT-BR"

#: Jitsi Meet's public instance; an agency sets its own provider's pattern (``{room}``).
DEFAULT_VIDEO_PATTERN = "https://meet.jit.si/{room}"

_TOKEN = re.compile(r"^[A-Za-z0-9._-]+$")
_ROOM = re.compile(r"^[A-Za-z0-9_-]{16,128}$")
_EMAIL = re.compile(r"^[^\s@<>\"(),;:]+@[^\s@<>\"(),;:]+$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")


# -- video rooms ----------------------------------------------------------------------------


def new_room_secret() -> str:
    """A room name nobody can guess: 160 random bits from :mod:`secrets`, 32 characters.

    Lower-case base32 (letters and digits 2-7), since some providers (Jitsi Meet among
    them) compare room names without regard to case.
    """
    return base64.b32encode(secrets.token_bytes(20)).decode("ascii").lower()


def video_link(room_secret: str, pattern: str = DEFAULT_VIDEO_PATTERN) -> str:
    """The session's video URL: ``pattern`` with ``{room}`` replaced by ``room_secret``.

    ``room_secret`` comes from :func:`new_room_secret` (stored with the session); a short
    or unusual one is refused, so that a guessable room never reaches an invitation.
    ``pattern`` is the agency's provider (an https or http URL containing ``{room}``).
    """
    if not _ROOM.match(room_secret):
        raise ValueError("room secret must be 16-128 characters of A-Z, a-z, 0-9, '-' or '_'")
    if "{room}" not in pattern or not pattern.startswith(("https://", "http://")):
        raise ValueError("video pattern must be an http(s) URL containing {room}")
    return pattern.replace("{room}", quote(room_secret, safe=""))


# -- invitations ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    """An organizer or attendee: e-mail address and display name."""

    email: str
    name: str = ""


@dataclass(frozen=True)
class Invitation:
    """One attendee's view of one session, what an ``.ics`` file carries.

    ``start`` and ``end`` are aware (any zone; the file has them in UTC). ``sequence`` is 0
    for the first invitation and grows with every reschedule and with the cancellation
    (RFC 5546 §2.1.4: a revision carries a higher ``SEQUENCE``). ``uid_domain`` is the
    right-hand part of the UID (the agency's host name).
    """

    session_id: str
    start: datetime
    end: datetime
    summary: str
    organizer: Person
    attendee: Person
    description: str = ""
    location: str = ""
    video_url: str = ""
    sequence: int = 0
    uid_domain: str = "balcao"

    @property
    def uid(self) -> str:
        return event_uid(self.session_id, self.attendee.email, self.uid_domain)


def _check_email(email: str) -> str:
    cleaned = email.strip()
    if not _EMAIL.match(cleaned):
        raise ValueError(f"not an e-mail address: {email!r}")
    return cleaned


def event_uid(session_id: str, attendee_email: str, domain: str = "balcao") -> str:
    """The event's UID: stable per (session, attendee), the address only as a digest.

    The same session and address (letter case and surrounding blanks aside) always give
    the same UID, so a reschedule or a cancellation replaces the entry it refers to.
    """
    if not _TOKEN.match(session_id) or not _TOKEN.match(domain):
        raise ValueError("session id and UID domain must be letters, digits, '.', '_' or '-'")
    address = _check_email(attendee_email).lower()
    digest = hashlib.sha256(f"{session_id}\n{address}".encode()).hexdigest()[:24]
    return f"session-{session_id}-{digest}@{domain}"


def _address(person: Person, **params: str) -> icalendar.vCalAddress:
    address = icalendar.vCalAddress(f"mailto:{_check_email(person.email)}")
    name = _CONTROL.sub(" ", person.name).strip()
    if name:
        address.params["CN"] = name
    for key, value in params.items():
        address.params[key.upper()] = value
    return address


def _utc(moment: datetime, what: str) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{what} must be an aware datetime")
    return moment.astimezone(UTC)


def _calendar(invitation: Invitation, method: str, stamp: datetime | None) -> bytes:
    start = _utc(invitation.start, "start")
    end = _utc(invitation.end, "end")
    if end <= start:
        raise ValueError("a session must end after it starts")
    if invitation.sequence < 0:
        raise ValueError("sequence starts at 0")
    cancelled = method == "CANCEL"
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", method)
    event = icalendar.Event()
    event.add("uid", invitation.uid)
    event.add("dtstamp", _utc(stamp or datetime.now(UTC), "stamp"))
    event.add("dtstart", start)
    event.add("dtend", end)
    event.add("sequence", invitation.sequence)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("summary", invitation.summary)
    if invitation.description:
        event.add("description", invitation.description)
    place = invitation.location or invitation.video_url
    if place:
        event.add("location", place)
    if invitation.video_url:
        event.add("url", invitation.video_url)
    event.add("organizer", _address(invitation.organizer))
    event.add(
        "attendee",
        _address(
            invitation.attendee,
            role="REQ-PARTICIPANT",
            partstat="NEEDS-ACTION",
            rsvp="FALSE" if cancelled else "TRUE",
        ),
    )
    cal.add_component(event)
    return cal.to_ical()


def invitation_ics(invitation: Invitation, *, stamp: datetime | None = None) -> bytes:
    """The ``.ics`` of an invitation or a reschedule (``METHOD:REQUEST``).

    ``stamp`` is the ``DTSTAMP`` (when the message is created; now by default).
    """
    return _calendar(invitation, "REQUEST", stamp)


def cancellation_ics(invitation: Invitation, *, stamp: datetime | None = None) -> bytes:
    """The ``.ics`` that removes the session from the attendee's calendar (``METHOD:CANCEL``,
    ``STATUS:CANCELLED``); ``invitation.sequence`` must be above the last one sent."""
    return _calendar(invitation, "CANCEL", stamp)


# -- reading back ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ParsedInvitation:
    """What an ``.ics`` invitation says, as :func:`parse_ics` reads it (times in UTC)."""

    method: str
    uid: str
    sequence: int
    status: str
    start: datetime
    end: datetime
    summary: str
    description: str
    location: str
    url: str
    organizer: Person
    attendees: tuple[Person, ...]


def _person(value: object) -> Person:
    text = str(value)
    email = text[7:] if text.lower().startswith("mailto:") else text
    params = getattr(value, "params", {})
    return Person(email=email, name=str(params.get("CN", "")))


def parse_ics(data: bytes | str) -> ParsedInvitation:
    """Read an invitation back (its single ``VEVENT``); ``ValueError`` when it is not one."""
    calendar = icalendar.Calendar.from_ical(data)
    events = calendar.walk("VEVENT")
    if len(events) != 1:
        raise ValueError(f"expected one VEVENT, found {len(events)}")
    event = events[0]
    start = event.decoded("DTSTART")
    end = event.decoded("DTEND")
    if not isinstance(start, datetime) or not isinstance(end, datetime):
        raise ValueError("DTSTART and DTEND must be date-times")
    raw_attendees = event.get("ATTENDEE", [])
    if not isinstance(raw_attendees, list):
        raw_attendees = [raw_attendees]
    return ParsedInvitation(
        method=str(calendar.get("METHOD", "")),
        uid=str(event.get("UID", "")),
        sequence=int(event.get("SEQUENCE", 0)),
        status=str(event.get("STATUS", "")),
        start=_utc(start, "DTSTART"),
        end=_utc(end, "DTEND"),
        summary=str(event.get("SUMMARY", "")),
        description=str(event.get("DESCRIPTION", "")),
        location=str(event.get("LOCATION", "")),
        url=str(event.get("URL", "")),
        organizer=_person(event.get("ORGANIZER", "")),
        attendees=tuple(_person(a) for a in raw_attendees),
    )
