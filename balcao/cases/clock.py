"""A case's clock: its due instant from the channel's deadline policy, pauses while it waits
on the requester, extensions with their justification, and the sweep that warns staff.

The arithmetic is the deadline engine's pure core (``deadlines.policies``,
``deadlines.calendar``); which policies exist is ``deadlines.services.policy_named``. This
module applies them to cases, so the case core calls it directly and ``deadlines`` never
imports the case core.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.core.cache import caches
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from balcao.accounts.permissions import check_can
from balcao.cases import history
from balcao.cases.models import (
    Case,
    CaseEvent,
    DeadlineAlert,
    DeadlineExtension,
    DeadlinePause,
    State,
)
from balcao.deadlines.calendar import BusinessCalendar
from balcao.deadlines.policies import Kind, PauseMode, compute
from balcao.deadlines.services import calendar_for_country, policy_named, registry
from balcao.errors import Refused


class DeadlineError(Refused):
    """A refused change to a case's clock; the message is for a person."""


# Entering one of these states pauses the clock (the policy says pause, restart or nothing).
PAUSING_CATEGORIES = {State.Category.WAITING_REQUESTER}
# Policies whose clock also stops while the case waits on a third party. The Portuguese
# contact centre forwards what it cannot answer to INPI and gives the final answer itself when
# INPI's comes back (seed 003, 11.12: "a resposta será recebida numa plataforma de tickets e
# respondida ao prestador pela mesma via. Caberá ao Teleoperador dar a resposta final ao
# utilizador"): the hours at INPI are not the provider's handling time.
THIRD_PARTY_PAUSES = frozenset({"pt-email-48h"})


def pausing_categories(policy_name: str) -> set[str]:
    """The state categories that stop ``policy_name``'s clock."""
    if policy_name in THIRD_PARTY_PAUSES:
        return PAUSING_CATEGORIES | {State.Category.WAITING_THIRD_PARTY}
    return PAUSING_CATEGORIES


def _as_instant(value: date | datetime, cal: BusinessCalendar) -> datetime:
    """A day-based due date ends at 23:59:59 local time of the calendar."""
    if isinstance(value, datetime):
        return value
    return datetime.combine(value, time(23, 59, 59), tzinfo=cal.tz)


def policy_due(policy_name: str, start: datetime) -> datetime:
    """The instant a named policy gives for something received at ``start``, with no pause
    or extension (an appeal's 10 days to be filed, its 5 days to be decided)."""
    policy = policy_named(policy_name)
    if policy is None:
        raise ValueError(f"unknown deadline policy: {policy_name}")
    cal = calendar_for_country(policy.country)
    return _as_instant(compute(policy, start, calendar=cal).due, cal)


def compute_case_due(
    case: Case, *, now: datetime | None = None, fresh: bool = False
) -> datetime | None:
    """The case's due instant from its policy, pauses and extensions; without a policy, the
    deadline agreed between the parties, if one was (None: neither). A ``fresh`` case (just
    opened, in this transaction) has neither pauses nor extensions to read."""
    policy = policy_named(case.deadline_policy)
    if policy is None:
        return case.agreed_due_at
    cal = calendar_for_country(policy.country)
    pauses = (
        []
        if fresh
        else [
            (p.started_at, p.ended_at) for p in case.deadline_pauses.all() if p.ended_at is not None
        ]
    )
    extensions = 0 if fresh else case.deadline_extensions.count()
    result = compute(policy, case.created_at, extensions or False, calendar=cal, pauses=pauses)
    effective = result.extended_due if result.extended_due is not None else result.due
    return _as_instant(effective, cal)


def initial_due(case: Case, *, fresh: bool = False) -> datetime | None:
    """The due instant of a case being opened, recorded in its history."""
    due = compute_case_due(case, fresh=fresh)
    if due is not None:
        history.record(
            case,
            CaseEvent.Action.DUE_SET,
            field="due_at",
            new=timezone.localtime(due).strftime("%Y-%m-%d %H:%M"),
            reason=f"política {case.deadline_policy}",
        )
    return due


def state_changed(case: Case, old: State, new: State) -> None:
    """Pause the clock on entering a waiting-on-requester state (or waiting on a third party,
    for the policies in ``THIRD_PARTY_PAUSES``); on leaving, close the pause and recompute
    (the policy decides pause vs restart vs nothing)."""
    policy = policy_named(case.deadline_policy)
    if policy is None or policy.pause_mode is PauseMode.NONE:
        return
    now = timezone.now()
    pausing = pausing_categories(policy.name)
    entering = new.category in pausing and old.category not in pausing
    leaving = old.category in pausing and new.category not in pausing
    if entering:
        DeadlinePause.objects.create(case=case, started_at=now, reason=new.name)
        Case.objects.filter(pk=case.pk).update(deadline_paused_at=now)
        history.record(
            case, CaseEvent.Action.DEADLINE_PAUSED, reason=f"{new.name} ({policy.pause_mode})"
        )
    elif leaving:
        DeadlinePause.objects.filter(case=case, ended_at__isnull=True).update(ended_at=now)
        old_due = case.due_at
        due = compute_case_due(case)
        Case.objects.filter(pk=case.pk).update(deadline_paused_at=None, due_at=due)
        case.due_at, case.deadline_paused_at = due, None
        history.record(
            case,
            CaseEvent.Action.DEADLINE_RESUMED,
            field="due_at",
            old=_fmt(old_due),
            new=_fmt(due),
            reason=str(policy.pause_mode),
        )


def pause_mode_of(case: Case) -> str:
    """What waiting on the requester does to this case's clock: "pause", "restart" or
    "none" (also "none" when the case has no deadline policy)."""
    policy = policy_named(case.deadline_policy)
    if policy is None:
        return "none"
    return str(policy.pause_mode)


def complement_deadline(case: Case, *, now: datetime | None = None) -> date:
    """The date by which the person is asked to send what is missing:
    ``BALCAO_COMPLEMENT_DAYS`` calendar days (default 20; an agency sets what its own rules
    give the person, docs/operator.md)."""
    days = int(getattr(settings, "BALCAO_COMPLEMENT_DAYS", 20))
    return (timezone.localtime(now or timezone.now()) + timedelta(days=days)).date()


def _fmt(value: datetime | None) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def extension_refusal(case: Case) -> str:
    """Why ``case``'s deadline cannot be extended now, for a person; "" when it can: the
    case is open, has a due date, and its policy admits an extension not yet used up."""
    if case.closed_at is not None or case.state.is_terminal:
        return _("Este atendimento está encerrado; o prazo não pode ser prorrogado.")
    if case.due_at is None:
        return _("Este atendimento não tem prazo a prorrogar.")
    policy = policy_named(case.deadline_policy)
    if policy is None or not policy.max_extensions:
        return _("A política de prazo deste atendimento não admite prorrogação.")
    granted = case.deadline_extensions.count()
    if granted >= policy.max_extensions:
        return _(
            "O prazo já foi prorrogado %(granted)s vez(es); a política admite %(allowed)s."
        ) % {"granted": granted, "allowed": policy.max_extensions}
    return ""


def can_extend(case: Case) -> bool:
    """Whether ``do_extend_deadline`` would grant an extension to ``case`` (capability aside):
    the case page offers "Prorrogar prazo" only then (one count query at most)."""
    return not extension_refusal(case)


@transaction.atomic
def do_extend_deadline(case: Case, *, actor, justification: str) -> Case:
    """Grant one extension (prorrogação) with its justification (LAI art. 11 §2)."""
    check_can(actor, "cases.extend_deadline")
    justification = (justification or "").strip()
    if not justification:
        raise DeadlineError(_("A prorrogação exige uma justificativa."))
    case = Case.objects.select_for_update().select_related("state").get(pk=case.pk)
    refusal = extension_refusal(case)
    if refusal:
        raise DeadlineError(refusal)
    DeadlineExtension.objects.create(case=case, user=actor, justification=justification)
    old = case.due_at
    case.due_at = compute_case_due(case)
    case.save(update_fields=["due_at", "updated_at"])
    history.record(
        case,
        CaseEvent.Action.DEADLINE_EXTENDED,
        actor=actor,
        field="due_at",
        old=_fmt(old),
        new=_fmt(case.due_at),
        reason=justification,
    )
    return case


# --- the sweep --------------------------------------------------------------------


def warning_horizon(now: datetime) -> datetime:
    """End of the Nth working day from today (BALCAO_DEADLINE_WARNING_DAYS, default 3)."""
    cal = calendar_for_country(settings.BALCAO_COUNTRY)
    today = now.astimezone(cal.tz).date()
    last = cal.add_working_days(today, settings.BALCAO_DEADLINE_WARNING_DAYS)
    return datetime.combine(last, time(23, 59, 59), tzinfo=cal.tz)


def display_horizon(now: datetime) -> datetime:
    """``warning_horizon`` for pages that colour deadlines ("vence em breve"), read once a
    minute per process: the calendar behind it changes a few times a year, and reading it
    was a query on every load of the work queue. The sweep that warns people keeps
    ``warning_horizon``, read fresh."""
    local = caches["local"]
    minute = int(now.timestamp()) // 60
    key = (
        f"cases:display-horizon:{settings.BALCAO_COUNTRY}:"
        f"{settings.BALCAO_DEADLINE_WARNING_DAYS}:{minute}"
    )
    horizon = local.get(key)
    if horizon is None:
        horizon = warning_horizon(now)
        local.set(key, horizon, 60)
    return horizon


def _recipients(case: Case) -> list[str]:
    from balcao.accounts.models import User
    from balcao.cases import lookups

    people = set()
    if case.assignee_id and case.assignee.email:
        people.add(case.assignee.email)
    # A confidential (ombudsman) case is only the ombudsman role's to know about.
    watcher = "ombudsman" if case.channel_id in lookups.confidential_channel_ids() else "supervisor"
    supervisors = User.objects.filter(is_active=True, groups__name=watcher)
    if case.team_id and watcher == "supervisor":
        supervisors = supervisors.filter(teams=case.team_id)
    people.update(email for email in supervisors.values_list("email", flat=True) if email)
    return sorted(people)


def sweep_deadlines(now: datetime | None = None) -> dict[str, int]:
    """Flag open cases whose deadline is near or past; notify once per threshold.

    Paused clocks and minute-based policies (chat idle) are left out. Notifications
    are e-mailed after the commit, so a rolled-back sweep tells nobody.
    """
    now = now or timezone.now()
    horizon = warning_horizon(now)
    counts = {"soon": 0, "overdue": 0}
    minute_policies = [name for name, p in registry().items() if p.kind is Kind.MINUTES]
    open_cases = (
        Case.objects.filter(
            closed_at__isnull=True,
            deadline_paused_at__isnull=True,
            due_at__isnull=False,
            due_at__lte=horizon,
        )
        .exclude(state__category__in=[State.Category.RESOLVED, State.Category.CLOSED])
        .exclude(deadline_policy__in=minute_policies)
        .select_related("assignee", "team")
    )
    for case in open_cases.iterator():
        threshold = (
            DeadlineAlert.Threshold.OVERDUE if case.due_at < now else DeadlineAlert.Threshold.SOON
        )
        with transaction.atomic():
            alert, created = DeadlineAlert.objects.get_or_create(
                case=case, threshold=threshold, due_at=case.due_at
            )
            if not created:
                continue
            recipients = _recipients(case)
            alert.recipients = ", ".join(recipients)
            alert.save(update_fields=["recipients"])
            counts[threshold] += 1
            if recipients:
                subject = (
                    f"[Balcão] Prazo vencido: {case.protocol}"
                    if threshold == "overdue"
                    else f"[Balcão] Prazo próximo: {case.protocol}"
                )
                body = f"Atendimento {case.protocol} — {case.subject}\nPrazo: {_fmt(case.due_at)}\n"
                transaction.on_commit(
                    lambda s=subject, b=body, r=recipients: send_mail(
                        s, b, None, r, fail_silently=True
                    )
                )
    return counts
