"""What the console's chat pages read (issue 24, "For the agent and the supervisor"): the
agents' states with their open conversations, who a conversation may go to, the live
conversations with their waits. Read-only queries; the actions are ``livechat.services``."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.db.models import Count, Q
from django.utils import timezone

from balcao.accounts.roles import CAPABILITIES
from balcao.cases.models import Team
from balcao.livechat.models import AgentPresence, ChatSession


def agents_board():
    """Every agent who has set a presence, with ``active`` (their open conversations):
    the supervisors' "available, busy, paused, offline" (seed 004; issue 24). An agent is
    offline once their last console socket closed; ``connections`` is how many are open."""
    return (
        AgentPresence.objects.select_related("user")
        .annotate(
            active=Count(
                "user__chat_sessions",
                filter=Q(user__chat_sessions__state=ChatSession.State.ACTIVE),
            )
        )
        .order_by("user__first_name", "user__username")
    )


def transfer_agents():
    """Who a conversation may be transferred to: active users holding ``cases.reply`` who are
    in the chat now (a presence other than offline: nobody is handed a conversation with
    their console closed, ``services.do_transfer``)."""
    roles = CAPABILITIES["cases.reply"]
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(Q(groups__name__in=roles) | Q(is_superuser=True))
        .filter(chat_presence__isnull=False)
        .exclude(chat_presence__status=AgentPresence.Status.OFFLINE)
        .distinct()
        .order_by("first_name", "username")
    )


def transfer_teams():
    return Team.objects.order_by("name")


def live_sessions():
    """Conversations in progress, oldest answer first, with their agent and case."""
    return (
        ChatSession.objects.filter(state=ChatSession.State.ACTIVE)
        .select_related("case", "case__service", "agent", "channel")
        .order_by("accepted_at", "pk")
    )


def waited(since: datetime | None, now: datetime | None = None) -> timedelta:
    """How long since ``since`` (zero when unknown or in the future)."""
    if since is None:
        return timedelta(0)
    return max(timedelta(0), (now or timezone.now()) - since)


def format_wait(span: timedelta) -> str:
    """``m:ss`` under an hour, ``h:mm:ss`` from there, as wallboards show waits."""
    seconds = int(span.total_seconds())
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    if hours:
        return f"{hours}:{minutes:02d}:{seconds:02d}"
    return f"{minutes}:{seconds:02d}"
