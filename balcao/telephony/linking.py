"""Who called: calls linked to the requester whose phone on file matches the caller's number
(issue 23: "Calls become call records linked to a requester (by caller id)").

Numbers are compared by their last nine digits (a Portuguese number has nine; a Brazilian
mobile nine after the area code), so ``+351 912 345 678``, ``00351912345678`` and
``912345678`` match, as do ``+55 (11) 91234-5678`` and ``11912345678``. A number on file
for more than one person links the call to nobody: a wrong person on a call is worse than
none. A contact linked to a person (``Requester.linked_to``) stands for that person.
"""

from __future__ import annotations

from django.db.models import Q

from balcao.cases.models import Requester
from balcao.telephony.models import Call

#: Digits compared; shorter numbers (extensions, short codes) are never linked.
KEY_DIGITS = 9


def phone_key(number: str | None) -> str | None:
    """The part of a phone number compared: its last nine digits (None when shorter)."""
    digits = "".join(ch for ch in number or "" if ch.isdigit())
    return digits[-KEY_DIGITS:] if len(digits) >= KEY_DIGITS else None


def requesters_by_phone() -> dict[str, int | None]:
    """Phone key → the requester it belongs to, or None when it belongs to several."""
    found: dict[str, int | None] = {}
    rows = Requester.objects.exclude(phone="").values_list("pk", "phone", "linked_to_id")
    for pk, phone, linked_to in rows.iterator(chunk_size=5000):
        key = phone_key(phone)
        if key is None:
            continue
        person = linked_to or pk
        if key in found and found[key] != person:
            found[key] = None
        else:
            found[key] = person
    return found


def link_callers(*, since: int | None = None) -> int:
    """Set ``requester`` on the calls (whose last event is at or after the epoch ``since``,
    all when None) that have none and whose caller's number belongs to exactly one
    requester. Returns how many calls were linked."""
    calls = Call.objects.filter(requester__isnull=True).exclude(caller="")
    if since is not None:
        calls = calls.filter(last__gte=since)
    pending: dict[str, list[int]] = {}
    for pk, caller in calls.values_list("pk", "caller").iterator(chunk_size=5000):
        key = phone_key(caller)
        if key is not None:
            pending.setdefault(key, []).append(pk)
    if not pending:
        return 0
    owners = requesters_by_phone()
    linked = 0
    for key, pks in pending.items():
        owner = owners.get(key)
        if owner is not None:
            linked += Call.objects.filter(Q(pk__in=pks), requester__isnull=True).update(
                requester_id=owner
            )
    return linked


def after_import(first_epoch: int | None) -> dict[str, int]:
    """What follows a queue_log import: callers linked to requesters, recordings stored
    before their call linked to it (``balcao.telephony.recordings``), calls to the case an
    agent opened from them (``balcao.telephony.screenpop``)."""
    from balcao.telephony.indicators import REUSE_GAP
    from balcao.telephony.recordings import link_recordings
    from balcao.telephony.screenpop import link_call_cases

    since = None if first_epoch is None else first_epoch - REUSE_GAP
    return {
        "callers": link_callers(since=since),
        "recordings": link_recordings(),
        "cases": link_call_cases(since=since),
    }
