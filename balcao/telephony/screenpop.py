"""The contact centre live, for people (issue 23): the supervisors' wallboard, the agent's
screen-pop of the caller on file, the case opened from a call, and the agents' phone
interfaces.

Seed 003, Parte II 9.1 and 10.9: supervisors follow "em tempo real" every call the agents
take ("monitorizar – tanto em tempo real, como em diferido – todos os atendimentos
prestados"); 12.1 i): at least 75 % of the calls received answered in under 30 seconds.
Issue 23: "screen-pop of the caller's requester record and open cases to the agent".

The live data is the AMI feed's ``LiveState.snapshot()`` in the cache
(``balcao.telephony.feed.LIVE_CACHE_KEY``); a call is known by its Asterisk uniqueid, the
``callid`` of queue_log, so a case opened from a call (``CallCase``) is tied to the call's
record when the queue_log is imported (``link_call_cases``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from balcao.accounts.roles import CAPABILITIES
from balcao.cases import services as case_services
from balcao.cases.models import Case, Requester, State
from balcao.catalog.models import Channel
from balcao.errors import Refused
from balcao.telephony import services
from balcao.telephony.feed import LIVE_CACHE_KEY
from balcao.telephony.linking import phone_key
from balcao.telephony.models import AgentPhone, Call, CallCase, Line

#: Seed 003, 12.1 i): at least 75 % of the calls received answered in under 30 seconds.
TARGET_LEVEL = 0.75
TARGET_SECONDS = 30
#: Today's figures are read from the database at most this often (the wallboard polls).
TODAY_CACHE_SECONDS = 30
#: How long the screen-pop remembers the agent's last call, so that a case can still be
#: opened from it once the caller has hung up.
LAST_CALL_SECONDS = 3600
#: Open cases shown per person on file.
OPEN_CASES_SHOWN = 10


# --- live data --------------------------------------------------------------------------


def live_snapshot() -> dict[str, Any] | None:
    """The AMI feed's last snapshot, or None when the feed is not publishing (not running,
    not logged in to the PBX, or stale: the cache entry expires after a few rounds)."""
    snapshot = cache.get(LIVE_CACHE_KEY)
    return snapshot if isinstance(snapshot, dict) else None


def mask_number(number: str) -> str:
    """A caller's number as the wallboard shows it: its last four digits only (personal
    data, LGPD art. 6 III: no more than the purpose needs)."""
    digits = "".join(ch for ch in number or "" if ch.isdigit())
    if not digits:
        return "—"
    return "•••" + digits[-4:] if len(digits) > 4 else digits


def clock(seconds: float | None) -> str:
    """Seconds as ``m:ss`` (``h:mm:ss`` from an hour on)."""
    total = max(0, int(seconds or 0))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def _call_interface(call: dict[str, Any], agents: list[dict[str, Any]]) -> str:
    """The interface a snapshot call rings: its own ``interface`` when the snapshot has it,
    else the agent whose name (or interface) the call names."""
    if call.get("interface"):
        return str(call["interface"])
    agent = str(call.get("agent", ""))
    for row in agents:
        if agent and agent in (row.get("interface"), row.get("name")):
            return str(row["interface"])
    return agent


def wallboard(snapshot: dict[str, Any], staff_by_interface: dict[str, str]) -> dict[str, Any]:
    """What the wallboard shows of a snapshot: queues (waiting, longest wait, free agents),
    agents (state, pause reason, current call's duration) and the calls in progress, caller
    numbers masked."""
    agents = list(snapshot.get("agents", []))
    calls = list(snapshot.get("calls", []))
    call_by_interface = {_call_interface(call, agents): call for call in calls}
    return {
        "queues": [
            {
                "name": name,
                "waiting": figures.get("waiting", 0),
                "longest_wait": clock(figures.get("longest_wait")),
                "free_agents": figures.get("free_agents", 0),
            }
            for name, figures in sorted(snapshot.get("queues", {}).items())
        ],
        "agents": [
            {
                "name": agent.get("name") or "",
                "interface": agent.get("interface", ""),
                "staff": staff_by_interface.get(agent.get("interface", ""), ""),
                "state": agent.get("state", ""),
                "queues": ", ".join(agent.get("queues", [])),
                "pause_reason": agent.get("pause_reason", ""),
                "call_time": (
                    clock(call_by_interface[agent["interface"]].get("seconds"))
                    if agent.get("interface") in call_by_interface
                    else ""
                ),
            }
            for agent in agents
        ],
        "calls": [
            {
                "queue": call.get("queue", ""),
                "agent": staff_by_interface.get(_call_interface(call, agents))
                or call.get("agent", ""),
                "number": mask_number(call.get("number", "")),
                "duration": clock(call.get("seconds")),
            }
            for call in sorted(calls, key=lambda c: -(c.get("seconds") or 0))
        ],
    }


def staff_by_interface() -> dict[str, str]:
    """Interface → the name of the member of staff who answers there."""
    return {
        phone.interface: phone.user.get_full_name() or phone.user.get_username()
        for phone in AgentPhone.objects.select_related("user")
    }


def today_figures(today: date | None = None) -> dict[str, Any]:
    """Today's calls from the imported queue_log (seed 003, 13.1 a, e, l, u): received,
    answered, abandoned and the share answered in under 30 s against the 75 % target.
    Read through ``services.contact_centre_report``, kept for ``TODAY_CACHE_SECONDS``."""
    today = today or timezone.localdate()
    key = f"telephony:wallboard:today:{today.isoformat()}"
    figures = cache.get(key)
    if figures is None:
        items = services.contact_centre_report(today, today)["indicators"]
        figures = {letter: items[letter]["value"] for letter in ("a", "e", "l", "u")}
        cache.set(key, figures, TODAY_CACHE_SECONDS)
    level = figures["u"]
    return {
        "received": figures["a"],
        "answered": figures["e"],
        "abandoned": figures["l"],
        "level": None if level is None else round(level * 100, 1),
        "target": round(TARGET_LEVEL * 100),
        "target_seconds": TARGET_SECONDS,
        "met": None if level is None else level >= TARGET_LEVEL,
    }


# --- screen-pop -------------------------------------------------------------------------


@dataclass(frozen=True)
class CurrentCall:
    """The call on an agent's phone (or the last one the screen-pop saw there)."""

    callid: str
    number: str
    queue: str = ""
    seconds: float = 0.0
    live: bool = True


def _last_call_key(user) -> str:
    return f"telephony:screenpop:last:{user.pk}"


def agent_interface(user) -> str | None:
    """The PBX interface where ``user`` answers, or None when a supervisor has set none."""
    return AgentPhone.objects.filter(user=user).values_list("interface", flat=True).first()


def current_call_for(user, snapshot: dict[str, Any] | None, interface: str | None = None):
    """The call in progress on ``user``'s phone in ``snapshot`` (None when there is none),
    remembered for ``LAST_CALL_SECONDS`` so that a case can be opened from it after the
    caller hangs up."""
    interface = interface if interface is not None else agent_interface(user)
    if not interface or not snapshot:
        return None
    agents = list(snapshot.get("agents", []))
    for call in snapshot.get("calls", []):
        if _call_interface(call, agents) == interface and call.get("uniqueid"):
            found = CurrentCall(
                callid=str(call["uniqueid"]),
                number=str(call.get("number", "")),
                queue=str(call.get("queue", "")),
                seconds=float(call.get("seconds") or 0),
            )
            cache.set(
                _last_call_key(user),
                {"callid": found.callid, "number": found.number, "queue": found.queue},
                LAST_CALL_SECONDS,
            )
            return found
    return None


def last_call_of(user) -> CurrentCall | None:
    """The last call the screen-pop showed ``user`` (ended or not)."""
    data = cache.get(_last_call_key(user))
    if not isinstance(data, dict):
        return None
    return CurrentCall(data["callid"], data["number"], data.get("queue", ""), live=False)


def check_call_of(user, callid: str, snapshot: dict[str, Any] | None) -> CurrentCall:
    """The call ``callid`` if it is ``user``'s current or last call; refused otherwise (a
    case is opened only from a call the agent took, its number read from the PBX, never
    from the form)."""
    for call in (current_call_for(user, snapshot), last_call_of(user)):
        if call is not None and call.callid == callid:
            return call
    raise Refused(_("Esta chamada não é a sua chamada atual nem a última que você atendeu."))


def _digits_pattern(key: str) -> str:
    """A regular expression for a phone field ending with these digits, whatever spaces,
    dashes or brackets lie between them."""
    return r"\D*".join(key) + r"\D*$"


def callers_on_file(number: str) -> list[Requester]:
    """The people on file whose phone is ``number`` (compared as ``linking.phone_key``:
    its last nine digits); a contact linked to a person stands for that person. Several
    when the number is shared: the agent chooses (the import links the call to nobody)."""
    key = phone_key(number)
    if key is None:
        return []
    rows = Requester.objects.filter(phone__regex=_digits_pattern(key)).select_related("linked_to")
    people: dict[int, Requester] = {}
    for row in rows:
        if phone_key(row.phone) == key:
            person = row.linked_to or row
            people.setdefault(person.pk, person)
    return sorted(people.values(), key=lambda p: (p.name, p.pk))


def open_cases_of(person: Requester, user) -> list[Case]:
    """The cases of ``person`` (and of the contacts linked to them) not resolved or closed,
    among those ``user`` may see (``cases.services.visible_cases``), newest first."""
    ids = [person.pk, *person.linked_contacts.values_list("pk", flat=True)]
    return list(
        case_services.visible_cases(user)
        .filter(Q(requester_id__in=ids) | Q(representative_id__in=ids))
        .exclude(state__category__in=[State.Category.RESOLVED, State.Category.CLOSED])
        .select_related("state", "channel")
        .order_by("-created_at", "-pk")[:OPEN_CASES_SHOWN]
    )


def cases_opened_from(callid: str, user) -> list[Case]:
    """The cases already opened from this call that ``user`` may see."""
    return list(
        case_services.visible_cases(user)
        .filter(phone_calls__callid=callid)
        .distinct()
        .order_by("pk")
    )


def phone_channel(queue: str = "") -> Channel:
    """The channel of a case opened from a call on ``queue``: the channel of its line
    (``Line.channel``), else the catalogue's first active channel of kind Telefone, else —
    as seed 003, 11.12 treats a phone question not answered on the spot, "tratamento
    idêntico às solicitações rececionadas por correio eletrónico" — the e-mail channel (the
    first active mailbox's); none of them confidential. Refused when there is none."""
    candidates = []
    if queue:
        line = Line.objects.filter(queue=queue, active=True, channel__isnull=False).first()
        if line is not None:
            candidates.append(line.channel)
    candidates.append(
        Channel.objects.filter(kind=Channel.Kind.PHONE, active=True).order_by("order", "pk").first()
    )
    email = services.email_figures()
    candidates.append(email.default_channel() if email is not None else None)
    for channel in candidates:
        if channel is not None and channel.active and not channel.confidential:
            return channel
    raise Refused(
        _(
            "Não há canal para os atendimentos abertos das chamadas: peça a um gestor que "
            "escolha o canal da linha em Linhas telefônicas, ou que cadastre um canal do tipo "
            "Telefone no Catálogo de canais."
        )
    )


@transaction.atomic
def do_open_case_from_call(
    user, callid: str, number: str, *, requester: Requester | None = None, queue: str = ""
) -> Case:
    """Open a case on the phone channel for the caller (``requester``, one of
    ``callers_on_file(number)``; a new contact with just the phone when None) through
    ``cases.services.do_open_case``, and record it as opened from the call (``CallCase``).
    The call's record, imported now or later, is linked to the case (``link_call_cases``)."""
    channel = phone_channel(queue)
    if requester is not None and requester.pk not in {p.pk for p in callers_on_file(number)}:
        raise Refused(_("Esta pessoa não tem o número desta chamada no cadastro."))
    if requester is None:
        requester = case_services.do_find_or_create_requester(name="", phone=number)
    opened = timezone.localtime()
    case = case_services.do_open_case(
        channel=channel,
        subject=_("Chamada telefônica de %(when)s") % {"when": opened.strftime("%d/%m/%Y %H:%M")},
        requester=requester,
        actor=user,
    )
    CallCase.objects.create(callid=callid, number=number[:80], case=case, opened_by=user)
    link_call_cases(callids=[callid])  # its record may be imported already (a tailed log)
    return case


def link_call_cases(*, since: int | None = None, callids: list[str] | None = None) -> int:
    """Set ``Call.case`` on the imported calls (whose last event is at or after the epoch
    ``since``; only ``callids`` when given) that have none and from which an agent opened a
    case (``CallCase``; the first one opened). Returns how many calls were linked."""
    opened = CallCase.objects.all()
    if callids is not None:
        opened = opened.filter(callid__in=callids)
    first_case = (
        CallCase.objects.filter(callid=OuterRef("callid")).order_by("pk").values("case_id")[:1]
    )
    calls = Call.objects.filter(case__isnull=True, callid__in=opened.values("callid"))
    if since is not None:
        calls = calls.filter(last__gte=since)
    return calls.update(case_id=Subquery(first_case))


# --- agents' phone interfaces -----------------------------------------------------------


def answerers():
    """The active staff who answer the phone (roles holding ``telephony.answer``), with
    their interface, by name."""
    from django.contrib.auth import get_user_model

    User = get_user_model()
    roles = CAPABILITIES["telephony.answer"]
    return (
        User.objects.filter(is_active=True)
        .filter(Q(groups__name__in=roles) | Q(is_superuser=True))
        .distinct()
        .select_related("agent_phone")
        .order_by("first_name", "last_name", "username")
    )


def check_interface_free(interface: str, user) -> None:
    """Refuse an interface another member of staff answers at (one phone, one person)."""
    other = AgentPhone.objects.filter(interface=interface).exclude(user=user).first()
    if other is not None:
        raise Refused(
            _("O ramal %(interface)s já é de %(name)s: retire-o de lá primeiro.")
            % {
                "interface": interface,
                "name": other.user.get_full_name() or other.user.get_username(),
            }
        )


def do_set_agent_phone(user, interface: str) -> AgentPhone | None:
    """Set where ``user`` answers (``PJSIP/201``…), or clear it when ``interface`` is empty.
    Returns the interface row, None once cleared."""
    interface = interface.strip()
    if not interface:
        AgentPhone.objects.filter(user=user).delete()
        return None
    check_interface_free(interface, user)
    try:
        with transaction.atomic():
            phone, _created = AgentPhone.objects.update_or_create(
                user=user, defaults={"interface": interface}
            )
    except IntegrityError:  # taken meanwhile by someone else
        check_interface_free(interface, user)
        raise
    return phone
