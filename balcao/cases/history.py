"""The one writer of case history (append-only)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar

from balcao.cases.models import Case, CaseEvent

_collected: ContextVar[list[CaseEvent] | None] = ContextVar("balcao_history", default=None)


@contextlib.contextmanager
def collected() -> Iterator[None]:
    """Write the entries recorded inside the block in one statement when it ends (opening
    a case records three or four at once); nothing is written if the block raises. Inside
    another ``collected`` block, the outer one writes them."""
    if _collected.get() is not None:
        yield
        return
    events: list[CaseEvent] = []
    token = _collected.set(events)
    try:
        yield
    finally:
        _collected.reset(token)
    if events:
        CaseEvent.objects.bulk_create(events)


def _label(actor) -> str:
    if actor is None:
        return "Sistema"
    return str(actor)


def record(case: Case, action: str, *, actor=None, field: str = "", old="", new="", reason=""):
    """Append one history entry to ``case``: who, what (one of ``CaseEvent.Action``),
    old → new, and why."""
    checked = CaseEvent.Action(action)  # an unknown action is a programming error
    event = CaseEvent(
        case=case,
        actor=actor if getattr(actor, "pk", None) else None,
        actor_label=_label(actor),
        action=checked,
        field=field,
        old_value="" if old is None else str(old),
        new_value="" if new is None else str(new),
        reason=reason or "",
    )
    pending = _collected.get()
    if pending is not None:
        pending.append(event)
    else:
        event.save()
    return event
