"""The one writer of case history (append-only)."""

from __future__ import annotations

from balcao.cases.models import Case, CaseEvent


def _label(actor) -> str:
    if actor is None:
        return "Sistema"
    return str(actor)


def record(case: Case, action: str, *, actor=None, field: str = "", old="", new="", reason=""):
    """Append one history entry to ``case``: who, what (one of ``CaseEvent.Action``),
    old → new, and why."""
    checked = CaseEvent.Action(action)  # an unknown action is a programming error
    return CaseEvent.objects.create(
        case=case,
        actor=actor if getattr(actor, "pk", None) else None,
        actor_label=_label(actor),
        action=checked,
        field=field,
        old_value="" if old is None else str(old),
        new_value="" if new is None else str(new),
        reason=reason or "",
    )
