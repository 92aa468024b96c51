"""Public intake: what input from someone nobody has identified may do.

The portal's forms, the chatbot (web page and API) and every later public channel open
cases through here. The rule (shared/DESIGN.md, "The citizen's identity"; DESIGN part 12:
"a CPF alone is never enough to read someone's history"):

- Unauthenticated input never writes onto an existing requester and never reopens or
  appends to an existing case. It creates an *unverified contact* for the new case,
  keeping what was typed (name, e-mail, documents) as it was typed; acknowledgements go
  to the address typed.
- Linking that contact to the person on file (and so seeing their history, reopening
  their cases) happens only when the person proves control of the e-mail on file, or when
  staff link the two (``do_link_contact``); both are recorded in each moved case's
  history with who did it and how.
- Every public case-opening path counts against one per-address limit
  (``BALCAO_PUBLIC_FORM_RATE``) in the shared cache, keyed on ``REMOTE_ADDR`` — the
  client's address as ``ops.middleware.TrustedProxyMiddleware`` established it, never a
  raw ``X-Forwarded-For``.
"""

from __future__ import annotations

import re
import time

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from balcao.accounts.permissions import check_can, is_system
from balcao.cases import history
from balcao.cases.models import Case, CaseEvent, Requester
from balcao.cases.services import CaseError, PermissionDenied, check_requester_documents
from balcao.cases.text import clean_line


class IntakeError(CaseError):
    """A refused public action; ``str(exc)`` is the message shown to the person."""


# --- the per-address limit on opening cases --------------------------------------------

_RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*([smhd])\s*$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


class RateLimited(IntakeError):
    """Too many cases opened from one address; ``retry_minutes`` for the message."""

    def __init__(self, retry_minutes: int):
        super().__init__(
            _("Muitos envios a partir deste endereço. Tente de novo em %(minutes)s minuto(s).")
            % {"minutes": retry_minutes}
        )
        self.retry_minutes = retry_minutes


def parse_rate(value: str) -> tuple[int, int]:
    """'5/10m' → (5, 600): at most 5 submissions per 600 seconds. Units: s, m, h, d."""
    match = _RATE.match(value or "")
    if not match:
        raise ValueError(f"BALCAO_PUBLIC_FORM_RATE inválido: {value!r} (ex.: 5/10m)")
    count, amount, unit = match.groups()
    return int(count), int(amount or 1) * _UNIT_SECONDS[unit]


def _rate_key(ip: str, window: int) -> tuple[str, int]:
    now = int(time.time())
    return f"intake:rate:{ip}:{now // window}", window - now % window


def check_rate(ip: str) -> None:
    """Raise RateLimited when ``ip`` already opened its cases in this window (a fixed
    window in the cache, so every web process counts together when the cache is shared)."""
    limit, window = parse_rate(settings.BALCAO_PUBLIC_FORM_RATE)
    key, remaining = _rate_key(ip, window)
    if (cache.get(key) or 0) >= limit:
        raise RateLimited(max(1, -(-remaining // 60)))


def count_submission(ip: str) -> None:
    _limit, window = parse_rate(settings.BALCAO_PUBLIC_FORM_RATE)
    key, remaining = _rate_key(ip, window)
    if not cache.add(key, 1, remaining + 1):
        try:
            cache.incr(key)
        except ValueError:
            cache.set(key, 1, remaining + 1)


# --- unverified contacts ----------------------------------------------------------------


def do_record_public_contact(
    *,
    name: str,
    email: str = "",
    phone: str = "",
    cpf: str = "",
    cnpj: str = "",
    nif: str = "",
    preferred_language: str = "pt-br",
) -> Requester:
    """A new unverified contact holding what an unidentified person typed.

    Documents are validated (a wrong CPF is refused with the reason) and kept in the
    ``claimed_*`` fields: the unique ``cpf``/``cnpj``/``nif`` of a person on file are
    never taken, written or revealed through public input. Raises django's
    ValidationError for a malformed document.
    """
    docs = check_requester_documents(cpf=cpf, cnpj=cnpj, nif=nif)
    contact = Requester.objects.create(
        name=clean_line(name, 200),
        email=(email or "").strip().lower()[:254],
        phone=clean_line(phone, 32),
        preferred_language=preferred_language,
        unverified=True,
        claimed_cpf=docs["cpf"] or "",
        claimed_cnpj=docs["cnpj"] or "",
        claimed_nif=docs["nif"] or "",
    )
    contact._no_representation_yet = True  # spares opening its case a read
    return contact


def possible_matches(contact: Requester):
    """People on file whom an unverified contact may be (same document or e-mail), for
    staff to decide; never shown to the public."""
    condition = Q()
    for claimed, field in (
        (contact.claimed_cpf, "cpf"),
        (contact.claimed_cnpj, "cnpj"),
        (contact.claimed_nif, "nif"),
    ):
        if claimed:
            condition |= Q(**{field: claimed})
    if contact.email:
        condition |= Q(email=contact.email)
    if not condition:
        return Requester.objects.none()
    return (
        Requester.objects.filter(condition, linked_to__isnull=True)
        .exclude(pk=contact.pk)
        .exclude(unverified=True)
        .order_by("pk")
    )


class LinkVia:
    STAFF = "staff"
    EMAIL_PROOF = "email-proof"


@transaction.atomic
def do_link_contact(
    contact: Requester, person: Requester, *, actor, via: str = LinkVia.STAFF, reason: str = ""
) -> int:
    """Move an unverified contact's cases onto ``person`` and mark the contact linked.

    Only staff with ``requesters.edit`` (``via=staff``) or the proof that the person
    controls ``person``'s e-mail (``via=email-proof``, given by the follow-up page's
    code) may link; each moved case records who linked it and how. Documents typed by
    the contact are not copied onto the person: staff correct the record themselves.
    Returns the number of cases moved.
    """
    if via == LinkVia.STAFF:
        if actor is None or is_system(actor):
            raise PermissionDenied(_("Só a equipe pode vincular um contato a um cadastro."))
        check_can(actor, "requesters.edit")
    elif via != LinkVia.EMAIL_PROOF:
        raise PermissionDenied(_("Vínculo sem prova de identidade."))
    contact = Requester.objects.select_for_update().get(pk=contact.pk)
    if not contact.unverified or contact.linked_to_id is not None:
        raise IntakeError(_("Este contato não é um contato não verificado pendente."))
    if person.pk == contact.pk or person.unverified:
        raise IntakeError(_("Escolha um cadastro verificado para vincular o contato."))
    cases = list(Case.objects.select_for_update().filter(requester=contact))
    for case in cases:
        history.record(
            case,
            CaseEvent.Action.REQUESTER_LINKED,
            actor=actor,
            field="requester",
            old=f"#{contact.pk} ({_('não verificado')})",
            new=f"#{person.pk}",
            reason=reason or via,
        )
    Case.objects.filter(pk__in=[c.pk for c in cases]).update(
        requester=person, representative=person.active_representative, updated_at=timezone.now()
    )
    contact.linked_to, contact.linked_at, contact.linked_via = person, timezone.now(), via
    contact.linked_by = actor if getattr(actor, "pk", None) else None
    contact.save(update_fields=["linked_to", "linked_at", "linked_via", "linked_by"])
    return len(cases)
