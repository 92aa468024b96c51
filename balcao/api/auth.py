"""API authentication: scoped bearer tokens for integrations, or a verified staff session."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from ninja.security import APIKeyCookie, HttpBearer

from balcao.accounts.roles import remember_roles, role_names_annotation
from balcao.api.models import ApiToken, hash_token
from balcao.cases.services import remember_team_ids, team_ids_annotation

LAST_USED_EVERY = timedelta(minutes=1)


class TokenAuth(HttpBearer):
    """``Authorization: Bearer blc_…``; the request acts as the token's user."""

    def authenticate(self, request, token: str):
        api_token = (
            ApiToken.objects.select_related("user")
            .annotate(role_names=role_names_annotation("user_id"),
                      team_ids=team_ids_annotation("user_id"))
            .filter(key_hash=hash_token(token)).first()
        )
        if api_token is None or not api_token.is_usable or not api_token.user.is_active:
            return None
        remember_roles(api_token.user, api_token.role_names)
        remember_team_ids(api_token.user, api_token.team_ids)
        now = timezone.now()
        if api_token.last_used_at is None or now - api_token.last_used_at > LAST_USED_EVERY:
            # A write (and a WAL flush) per GET costs more than the query itself.
            ApiToken.objects.filter(pk=api_token.pk).update(last_used_at=now)
        request.api_token = api_token
        request.user = api_token.user
        return api_token


class VerifiedSessionAuth(APIKeyCookie):
    """The console's own session, only once the second factor is verified."""

    param_name = "sessionid"

    def authenticate(self, request, key):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.is_verified():
            request.api_token = None
            return user
        return None


def token_scopes(request) -> set[str] | None:
    """Scopes of the token in use, or None for a staff session (roles only)."""
    api_token = getattr(request, "api_token", None)
    return set(api_token.scopes) if api_token is not None else None
