"""Case events leave the process only after the transaction commits."""

from __future__ import annotations

from django.db import transaction
from django.dispatch import Signal

# Receivers (webhooks, notifications, realtime) get: event, case, and extras.
case_event = Signal()


def case_event_on_commit(event: str, case, **extra) -> None:
    """Send ``event`` for ``case`` once the current transaction commits."""
    transaction.on_commit(
        lambda: case_event.send(sender=type(case), event=event, case=case, **extra)
    )
