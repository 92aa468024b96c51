"""The one mechanism for showing a requester's personal data to staff.

Every console page, API endpoint and export that shows a requester's name,
e-mail, phone or documents gets them from ``reveal_requester``: it returns the
data only to roles that need it, masked otherwise, and writes one audit row
(who, when, which record, where from, why) per visit (LGPD art. 37:
"registro das operações de tratamento de dados pessoais"): the same person (or token)
seeing the same requester for the same purpose again within ``VISIT_WINDOW`` — the
requester and representative blocks of one page, the page shown again after a reply —
is the same visit and is not written again. API reads and exports are always written.
A list's visits are also remembered in the process's local cache, so that the work queue
reloaded all day does not ask the database again for the fifty names it recorded a
minute ago.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

from django.core.cache import caches
from django.db import transaction
from django.utils import timezone

from balcao.accounts.roles import has_capability
from balcao.audit.models import PersonalDataAccess
from balcao.client import client_address
from balcao.documents import format_cpf, mask_cpf

PERSONAL_FIELDS = ("name", "email", "phone", "cpf", "cnpj", "nif")
VISIT_WINDOW = timedelta(minutes=5)


def _mask_email(email: str) -> str:
    if not email or "@" not in email:
        return ""
    local, _, domain = email.partition("@")
    return f"{local[:1]}***@{domain}"


def initials(name: str) -> str:
    """Initials of a name ("Maria da Silva" → "M.d.S."), what a role without the capability sees."""
    return "".join(part[:1] + "." for part in (name or "").split()[:3])


def masked(requester) -> dict[str, str]:
    """What anyone without the capability sees: initials and masked documents."""
    return {
        "name": initials(requester.name),
        "email": _mask_email(requester.email),
        "phone": ("***" + requester.phone[-2:]) if requester.phone else "",
        "cpf": mask_cpf(requester.cpf or requester.claimed_cpf),
        "cnpj": (requester.cnpj[:2] + "*" * 10 + requester.cnpj[-2:]) if requester.cnpj else "",
        "nif": ("*" * 6 + requester.nif[-3:]) if requester.nif else "",
        "revealed": False,
        "unverified": requester.unverified,
    }


def reveal_requester(
    requester,
    *,
    user,
    where: str,
    purpose: str = "",
    kind: str = PersonalDataAccess.Kind.VIEW,
    ip: str | None = None,
    token_name: str = "",
) -> dict[str, object]:
    """Personal data of ``requester`` for ``user``, audited; masked without the right."""
    if requester is None:
        return {}
    if user is None or not has_capability(user, "requesters.view_personal_data"):
        return masked(requester)
    record_access(
        requester,
        user=user,
        where=where,
        purpose=purpose,
        kind=kind,
        ip=ip,
        token_name=token_name,
    )
    cpf = requester.cpf or requester.claimed_cpf
    return {
        "name": requester.name,
        "email": requester.email,
        "phone": requester.phone,
        "cpf": format_cpf(cpf) if cpf else "",
        "cnpj": requester.cnpj or requester.claimed_cnpj or "",
        "nif": requester.nif or requester.claimed_nif or "",
        "revealed": True,
        "unverified": requester.unverified,
    }


def record_access(
    requester,
    *,
    user,
    where: str,
    purpose: str = "",
    kind: str = PersonalDataAccess.Kind.VIEW,
    ip: str | None = None,
    token_name: str = "",
) -> PersonalDataAccess | None:
    """Write the audit row for one visit (None when this visit is already recorded)."""
    user = user if getattr(user, "pk", None) else None
    row = {
        "user": user,
        "token_name": token_name[:100],
        "requester_id": requester.pk,
        "kind": kind,
        "purpose": purpose[:250],
    }
    if (
        kind == PersonalDataAccess.Kind.VIEW
        and PersonalDataAccess.objects.filter(at__gte=timezone.now() - VISIT_WINDOW, **row).exists()
    ):
        return None
    return PersonalDataAccess.objects.create(
        **row, fields=",".join(PERSONAL_FIELDS), where=where[:250], ip=ip
    )


def record_export(requester_ids, *, user, where: str, ip: str | None = None) -> int:
    """One export row per requester whose data left in a file (e.g. the audit log CSV)."""
    rows = [
        PersonalDataAccess(
            user=user if getattr(user, "pk", None) else None,
            requester_id=pk,
            kind=PersonalDataAccess.Kind.EXPORT,
            fields="name",
            where=where[:250],
            ip=ip,
        )
        for pk in requester_ids
    ]
    PersonalDataAccess.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


def record_requesters_seen(
    requester_ids, *, user, where: str, kind: str, purpose: str = "", ip: str | None = None
) -> int:
    """One row per requester whose name a list or a search put on screen (``kind`` LIST or
    SEARCH), deduplicated per visit as ``record_access`` does, in two queries; returns how
    many rows were written."""
    ids = set(requester_ids)
    if not ids:
        return 0
    user = user if getattr(user, "pk", None) else None
    purpose = purpose[:250]
    now = timezone.now()
    local = caches["local"]
    prefix = _visit_key(user, kind, purpose, "")
    keys = {pk: f"{prefix}{pk}" for pk in ids}
    known = local.get_many(keys.values())
    ids = {pk for pk, key in keys.items() if key not in known}
    if not ids:
        return 0  # every one already recorded in this visit, as this process knows
    last_seen: dict[int, object] = {}
    for pk, at in PersonalDataAccess.objects.filter(
        at__gte=now - VISIT_WINDOW, user=user, kind=kind, purpose=purpose, requester_id__in=ids
    ).values_list("requester_id", "at"):
        last_seen[pk] = max(at, last_seen.get(pk, at))
    rows = [
        PersonalDataAccess(
            user=user,
            requester_id=pk,
            kind=kind,
            fields="name",
            where=where[:250],
            purpose=purpose,
            ip=ip,
        )
        for pk in sorted(ids - last_seen.keys())
    ]
    PersonalDataAccess.objects.bulk_create(rows)
    _remember_visits(keys, last_seen, [row.requester_id for row in rows], now)
    return len(rows)


def _visit_key(user, kind: str, purpose: str, requester_id: int | str) -> str:
    digest = hashlib.blake2b(purpose.encode(), digest_size=8).hexdigest()
    return f"audit:visit:{user.pk if user else '-'}:{kind}:{digest}:{requester_id}"


def _remember_visits(keys: dict, last_seen: dict, written: list[int], now) -> None:
    """Let this process skip the query for the rest of each visit: a row found keeps its
    visit until its own time plus ``VISIT_WINDOW``, a row written until now plus it — the
    latter once the transaction that wrote it commits (a rolled-back row was never
    recorded, and the next page must write it)."""
    window = VISIT_WINDOW.total_seconds()
    local = caches["local"]
    for pk, at in last_seen.items():
        left = int(window - (now - at).total_seconds())
        if left >= 1:
            # inside a transaction the row found may be its own, not yet committed
            transaction.on_commit(lambda key=keys[pk], left=left: local.set(key, True, left))
    if written:
        chunk = {keys[pk]: True for pk in written}
        transaction.on_commit(lambda: local.set_many(chunk, int(window)))


def client_ip(request) -> str | None:
    """The client's address for the audit log (None when unknown)."""
    return client_address(request, default=None)
