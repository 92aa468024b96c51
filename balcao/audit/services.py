"""The one mechanism for showing a requester's personal data to staff.

Every console page, API endpoint and export that shows a requester's name,
e-mail, phone or documents gets them from ``reveal_requester``: it returns the
data only to roles that need it, masked otherwise, and writes one audit row
(who, when, which record, where from, why) for every reveal (LGPD art. 37:
"registro das operações de tratamento de dados pessoais").
"""

from __future__ import annotations

from balcao.accounts.roles import has_capability
from balcao.audit.models import PersonalDataAccess
from balcao.client import client_address
from balcao.documents import format_cpf, mask_cpf

PERSONAL_FIELDS = ("name", "email", "phone", "cpf", "cnpj", "nif")


def _mask_email(email: str) -> str:
    if not email or "@" not in email:
        return ""
    local, _, domain = email.partition("@")
    return f"{local[:1]}***@{domain}"


def masked(requester) -> dict[str, str]:
    """What anyone without the capability sees: initials and masked documents."""
    initials = "".join(part[:1] + "." for part in requester.name.split()[:3])
    return {
        "name": initials,
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
    PersonalDataAccess.objects.create(
        user=user if getattr(user, "pk", None) else None,
        token_name=token_name[:100],
        requester=requester,
        kind=kind,
        fields=",".join(PERSONAL_FIELDS),
        where=where[:250],
        purpose=purpose[:250],
        ip=ip,
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


def client_ip(request) -> str | None:
    """The client's address for the audit log (None when unknown)."""
    return client_address(request, default=None)
