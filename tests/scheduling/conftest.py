"""Fixtures for Conecta Todos: the channel as the INPI catalogue has it (by appointment, in
sessions at 10:00 and 14:00) and open sessions on it."""

from __future__ import annotations

from datetime import timedelta

import pytest


@pytest.fixture
def conecta(db):
    from balcao.catalog.models import Channel

    return Channel.objects.create(
        slug="conecta-todos",
        name="INPI Conecta Todos",
        kind=Channel.Kind.SCHEDULING,
        entry=Channel.Entry.SCHEDULING,
        hours=Channel.Hours.SESSIONS,
        session_times=["10:00", "14:00"],
    )


@pytest.fixture
def make_session(conecta):
    """An open session starting ``ahead`` from now (one week by default)."""
    from django.utils import timezone

    from balcao.scheduling.ics import new_room_secret, video_link
    from balcao.scheduling.models import OpenSession

    def make(capacity: int = 2, ahead: timedelta = timedelta(days=7)):
        start = (timezone.now() + ahead).replace(microsecond=0)
        secret = new_room_secret()
        return OpenSession.objects.create(
            channel=conecta,
            starts_at=start,
            ends_at=start + timedelta(hours=1),
            capacity=capacity,
            room_secret=secret,
            video_url=video_link(secret),
        )

    return make


def ics_of(message) -> bytes | None:
    """The ``.ics`` attached to an e-mail, or None."""
    for attachment in message.attachments:
        filename, content, mimetype = attachment
        if mimetype.startswith("text/calendar"):
            return content if isinstance(content, bytes) else content.encode()
    return None
