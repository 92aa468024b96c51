"""Checks shared by every API router: token scope and staff capability."""

from __future__ import annotations

from django.utils.translation import gettext as _

from balcao.accounts.roles import has_capability
from balcao.apikit.errors import ApiError


def require(request, *, scope: str, capability: str) -> None:
    """Refuse with 403 unless the token has ``scope`` and its user ``capability``."""
    scopes = token_scopes(request)
    if scopes is not None and scope not in scopes:
        raise ApiError(
            403, "forbidden", _("O token não tem o escopo “%(scope)s”.") % {"scope": scope}
        )
    if not has_capability(request.user, capability):
        raise ApiError(403, "forbidden", _("Você não tem permissão para esta ação."))


def token_scopes(request) -> set[str] | None:
    """Scopes of the token in use, or None for a staff session (roles only)."""
    api_token = getattr(request, "api_token", None)
    return set(api_token.scopes) if api_token is not None else None
