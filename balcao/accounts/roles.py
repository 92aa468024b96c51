"""Staff roles and what each may do.

Roles are Django groups with these names; a capability is allowed when the user
holds any role listed for it. Superusers hold every capability. This table is the
single source the views, the API and the permission-matrix test read.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

AGENT = "agent"
SUPERVISOR = "supervisor"
QUALITY_MANAGER = "quality_manager"
OMBUDSMAN = "ombudsman"
KNOWLEDGE_MANAGER = "knowledge_manager"
MANAGER = "manager"
ADMIN = "admin"

ROLES: dict[str, object] = {
    AGENT: _("Atendente"),
    SUPERVISOR: _("Supervisor"),
    QUALITY_MANAGER: _("Gestor de qualidade"),
    OMBUDSMAN: _("Ouvidor"),
    KNOWLEDGE_MANAGER: _("Gestor de conhecimento"),
    MANAGER: _("Gestor"),
    ADMIN: _("Administrador"),
}

_CASE_WORKERS = {AGENT, SUPERVISOR, OMBUDSMAN, MANAGER, ADMIN}

CAPABILITIES: dict[str, frozenset[str]] = {
    # Read cases (object-level visibility narrows it further, see cases.policies).
    "cases.view": frozenset(_CASE_WORKERS | {QUALITY_MANAGER}),
    "cases.open": frozenset(_CASE_WORKERS),
    "cases.reply": frozenset(_CASE_WORKERS),
    "cases.note": frozenset(_CASE_WORKERS | {QUALITY_MANAGER}),
    "cases.change_state": frozenset(_CASE_WORKERS),
    # Change a case's descriptive fields (subject, description, service, priority, tags),
    # not where it stands in its workflow (that is cases.change_state).
    "cases.edit": frozenset(_CASE_WORKERS),
    # Take an unassigned case of one's teams into one's own hands ("Atribuir a mim").
    "cases.take": frozenset(_CASE_WORKERS),
    # Assign anyone, move between teams, take over a colleague's case.
    "cases.assign": frozenset({SUPERVISOR, OMBUDSMAN, MANAGER, ADMIN}),
    "cases.extend_deadline": frozenset({SUPERVISOR, OMBUDSMAN, MANAGER, ADMIN}),
    "requesters.view_personal_data": frozenset(_CASE_WORKERS),
    "requesters.edit": frozenset(_CASE_WORKERS),
    "queues.manage": frozenset({SUPERVISOR, MANAGER, ADMIN}),
    "audit.view": frozenset({ADMIN}),
    "catalog.edit": frozenset({MANAGER, ADMIN}),
    "kb.edit": frozenset({KNOWLEDGE_MANAGER, ADMIN}),
    "reports.view": frozenset({SUPERVISOR, QUALITY_MANAGER, OMBUDSMAN, MANAGER, ADMIN}),
    "workflows.manage": frozenset({ADMIN}),
    "tokens.manage": frozenset({ADMIN}),
    # Staff users, their roles and teams (console "Equipe"); every change is a StaffChange.
    "staff.manage": frozenset({ADMIN}),
    # Classified information (TCIs) and the annual report (INPI Portaria arts. 46–50); only a
    # registered classifying authority records or lifts a classification.
    "classification.view": frozenset({OMBUDSMAN, MANAGER, ADMIN}),
    # The contact centre (issue 23): the live wallboard and its settings (lines and their
    # messages, agents' phone interfaces, callbacks, occurrences) for supervisors up; the
    # screen-pop of the caller on the agent's phone, and suggestions, for whoever answers.
    "telephony.monitor": frozenset({SUPERVISOR, MANAGER, ADMIN}),
    "telephony.manage": frozenset({SUPERVISOR, MANAGER, ADMIN}),
    "telephony.answer": frozenset(_CASE_WORKERS),
}

# Roles that see every case; other case workers see their teams' and their own.
SEES_ALL_CASES = frozenset({SUPERVISOR, QUALITY_MANAGER, OMBUDSMAN, MANAGER, ADMIN})


def roles_of(user) -> frozenset[str]:
    """Role names held by ``user`` (cached on the instance for the request)."""
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    cached = getattr(user, "_balcao_roles", None)
    if cached is None:
        cached = frozenset(user.groups.values_list("name", flat=True))
        if user.is_superuser:
            cached = cached | {ADMIN}
        user._balcao_roles = cached
    return cached


def remember_roles(user, names) -> None:
    """Prime ``roles_of(user)`` with the names of its groups, read by the caller
    (the API reads them with the token, balcao.api.auth)."""
    names = frozenset(names)
    if user.is_superuser:
        names |= {ADMIN}
    user._balcao_roles = names


def has_capability(user, capability: str) -> bool:
    """Whether ``user`` may do ``capability`` (a key of CAPABILITIES)."""
    if capability not in CAPABILITIES:
        raise KeyError(f"unknown capability {capability!r}")
    if getattr(user, "is_superuser", False) and user.is_active:
        return True
    return bool(roles_of(user) & CAPABILITIES[capability])


def emails_of(role: str) -> list[str]:
    """The e-mail addresses of the active staff holding ``role`` (those that have one), for
    notices to a role: the ombudsman told of a terminative answer, a unit's answer, a
    contested answer."""
    from balcao.accounts.models import User

    return sorted(
        set(
            User.objects.filter(is_active=True, groups__name=role)
            .exclude(email="")
            .values_list("email", flat=True)
        )
    )
