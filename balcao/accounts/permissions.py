"""Who may do what: every domain action names its actor, and ``check_can`` decides.

An action taken by the platform itself — a public form opening a case, the deadline
sweep, automatic assignment, a data import — passes ``actor=SYSTEM``: the permission
check is then skipped *on purpose* and the history says "Sistema". ``actor=None`` is a
caller that forgot to say who acts, and is refused (it used to authorise silently).
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from balcao.accounts.roles import has_capability
from balcao.errors import PermissionDenied

__all__ = ["SYSTEM", "PermissionDenied", "SystemActor", "check_can", "is_system"]


class SystemActor:
    """The platform acting by a rule, not a person. No ``pk``: history records it by
    name, foreign keys to the user stay empty."""

    pk = None
    is_authenticated = False
    is_superuser = False

    def __init__(self, name: str):
        self.name = name

    def __str__(self) -> str:
        return self.name

    def __repr__(self) -> str:
        return f"<SystemActor {self.name}>"


SYSTEM = SystemActor("Sistema")


def is_system(actor) -> bool:
    return isinstance(actor, SystemActor)


def check_can(actor, capability: str) -> None:
    """Refuse unless ``actor`` holds ``capability`` (accounts.roles) or is the system."""
    if is_system(actor):
        return
    if actor is None or not has_capability(actor, capability):
        raise PermissionDenied(_("Você não tem permissão para esta ação."))
