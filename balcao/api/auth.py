"""API authentication: scoped bearer tokens for integrations, or a verified staff session."""

from __future__ import annotations

import functools
from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from ninja.security import APIKeyCookie, HttpBearer

from balcao.accounts.roles import ROLES, remember_roles
from balcao.api.models import ApiToken, hash_token
from balcao.cases.services import remember_team_ids
from balcao.db.prepared import SENTINEL_TEXT, PreparedQuery

LAST_USED_EVERY = timedelta(minutes=1)


@functools.cache
def _queries() -> tuple[PreparedQuery, ...]:
    """Token, user, the user's roles, the user's teams (compiled at first use)."""
    from django.contrib.auth.models import Group

    from balcao.accounts.models import User
    from balcao.cases.models import TeamMembership

    return (
        PreparedQuery(lambda key: ApiToken.objects.filter(key_hash=key), SENTINEL_TEXT),
        PreparedQuery(lambda pk: User.objects.filter(pk=pk)),
        PreparedQuery(
            lambda pk: Group.objects.filter(user=pk, name__in=list(ROLES)).values_list("name")
        ),
        PreparedQuery(lambda pk: TeamMembership.objects.filter(user=pk).values_list("team_id")),
    )


class TokenAuth(HttpBearer):
    """``Authorization: Bearer blc_…``; the request acts as the token's user.

    The token, its user, the user's roles and teams are read on every request, by
    queries compiled once per process (balcao.db.prepared): compiling them took a
    third of the list's CPU."""

    def authenticate(self, request, token: str):
        token_query, user_query, roles_query, teams_query = _queries()
        api_token = token_query.first(hash_token(token))
        if api_token is None or not api_token.is_usable:
            return None
        user = user_query.first(api_token.user_id)
        if user is None or not user.is_active:
            return None
        remember_roles(user, roles_query.column(user.pk))
        remember_team_ids(user, teams_query.column(user.pk))
        api_token.user = user
        now = timezone.now()
        if api_token.last_used_at is None or now - api_token.last_used_at > LAST_USED_EVERY:
            # A write (and a WAL flush) per GET costs more than the query itself.
            ApiToken.objects.filter(pk=api_token.pk).update(last_used_at=now)
        request.api_token = api_token
        request.user = user
        return api_token


class VerifiedSessionAuth(APIKeyCookie):
    """The console's own session, only once the second factor is verified.

    Cookie authentication is CSRF-checked (django-ninja's APIKeyCookie, ``csrf=True``), but
    only when the cookie would authenticate: a request with no verified session has no
    authority for a forged request to borrow, so it gets the API's 401 (as documented in
    docs/integrator.md) rather than a 403 "CSRF check Failed"."""

    param_name = settings.SESSION_COOKIE_NAME

    def _get_key(self, request):
        if not _verified_user(request):
            return None
        return super()._get_key(request)

    def authenticate(self, request, key):
        user = _verified_user(request)
        if key and user is not None:
            request.api_token = None
            return user
        return None


def _verified_user(request):
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.is_verified():
        return user
    return None
