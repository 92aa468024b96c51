"""Checks shared by every API router: token scope and staff capability."""

from __future__ import annotations

from balcao.accounts.roles import has_capability
from balcao.api.auth import token_scopes
from balcao.api.errors import ApiError


def require(request, *, scope: str, capability: str) -> None:
    """Refuse with 403 unless the token has ``scope`` and its user ``capability``."""
    scopes = token_scopes(request)
    if scopes is not None and scope not in scopes:
        raise ApiError(403, "forbidden", f"O token não tem o escopo “{scope}”.")
    if not has_capability(request.user, capability):
        raise ApiError(403, "forbidden", "Você não tem permissão para esta ação.")
