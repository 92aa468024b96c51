"""Canned answers ("respostas prontas"): who manages them, which ones a case offers, and
the changes to them.

Knowledge managers, supervisors, managers and admins manage them (``kb.edit`` or
``queues.manage``); case workers use them on the case page and read them on their page.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from balcao.accounts.roles import has_capability
from balcao.errors import PermissionDenied, Refused
from balcao.kb.models import CannedAnswer


def may_manage(user) -> bool:
    return has_capability(user, "kb.edit") or has_capability(user, "queues.manage")


def may_use(user) -> bool:
    return has_capability(user, "cases.reply") or has_capability(user, "cases.note")


def offered_for(team_id: int | None):
    """The active answers for a case of ``team_id``: the team's and everyone's."""
    return CannedAnswer.objects.filter(active=True).filter(
        Q(team__isnull=True) | Q(team_id=team_id)
    )


def visible_to(user):
    """Those a user sees on the canned answers page: every one for who manages them, the
    active ones of their teams and everyone's for the others."""
    if may_manage(user):
        return CannedAnswer.objects.all()
    return CannedAnswer.objects.filter(active=True).filter(
        Q(team__isnull=True) | Q(team__in=user.teams.all())
    )


def _check(actor) -> None:
    if not may_manage(actor):
        raise PermissionDenied(_("Você não tem permissão para esta ação."))


@transaction.atomic
def do_save_canned_answer(answer: CannedAnswer | None, *, actor, title: str, body: str, team):
    """Create (``answer`` None) or change a canned answer."""
    _check(actor)
    title, body = (title or "").strip(), (body or "").strip()
    if not title or not body:
        raise Refused(_("Informe o título e o texto."))
    if answer is None:
        answer = CannedAnswer(created_by=actor if getattr(actor, "pk", None) else None)
    answer.title, answer.body, answer.team = title[:120], body, team
    answer.save()
    return answer


@transaction.atomic
def do_set_canned_active(answer: CannedAnswer, *, actor, active: bool) -> CannedAnswer:
    """Deactivate (no longer offered, kept for the record) or reactivate an answer."""
    _check(actor)
    answer.active = active
    answer.save(update_fields=["active"])
    return answer
