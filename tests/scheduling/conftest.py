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


@pytest.fixture
def presencial(db):
    """The (tele)presential service as the INPI catalogue has it: by appointment, individual
    one-hour sessions, 7 working days of triage (``fale-conosco`` policy)."""
    from balcao.catalog.models import Channel

    return Channel.objects.create(
        slug="telepresencial",
        name="Serviço de Atendimento (Tele)Presencial",
        kind=Channel.Kind.SCHEDULING,
        entry=Channel.Entry.SCHEDULING,
        hours=Channel.Hours.APPOINTMENT,
        deadline_policy="fale-conosco",
    )


@pytest.fixture
def procurador_requester(db):
    """A holder with a procurador on file: official messages go to the procurador only
    (Portaria, art. 36, parágrafo único)."""
    from balcao.cases.models import Representation, Requester

    holder = Requester.objects.create(name="Maria Titular", email="titular@example.org")
    agent = Requester.objects.create(name="Paulo Procurador", email="procurador@example.org")
    Representation.objects.create(requester=holder, representative=agent)
    return holder


@pytest.fixture
def make_request(presencial):
    """A (tele)presential ``SessionRequest`` on a new case, in triage (fields overridable)."""
    from balcao.accounts.permissions import SYSTEM
    from balcao.cases.models import Requester
    from balcao.cases.services import do_open_case
    from balcao.scheduling.models import Participant, SessionRequest

    def make(requester=None, **fields):
        requester = requester or Requester.objects.create(name="Ana Souza", email="ana@example.org")
        case = do_open_case(
            channel=presencial,
            subject="Vista do processo BR 10 2024 000123-4",
            description="Pedido de atendimento (tele)presencial",
            requester=requester,
            actor=SYSTEM,
        )
        values = {
            "requester_document": "RG 12.345.678-9 SSP/SP",
            "reference": "BR 10 2024 000123-4",
            "justification": "Preciso entender a exigência técnica publicada.",
        }
        values.update(fields)
        request = SessionRequest.objects.create(case=case, **values)
        Participant.objects.create(
            request=request,
            kind=Participant.Kind.REQUESTER,
            name=requester.name,
            email=requester.email,
        )
        return request

    return make
