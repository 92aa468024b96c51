"""Roles primed by the caller (the API reads them with the token) match the groups."""

import pytest
from django.contrib.auth.models import Group

from balcao.accounts import roles
from balcao.accounts.models import User
from balcao.api.models import ApiToken

pytestmark = pytest.mark.django_db


def _roles_through_a_token(client, user) -> int:
    """Status of the case list (needs the ``cases.view`` capability) for ``user``'s token."""
    _, raw = ApiToken.issue(name=f"r-{user.pk}", user=user, scopes=["cases:read"])
    return client.get("/api/v1/cases", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code


def test_primed_roles_are_what_roles_of_would_read(make_user):
    user = make_user(roles.AGENT, username="dois.papeis")
    user.groups.add(Group.objects.get(name=roles.OMBUDSMAN))
    fresh = User.objects.get(pk=user.pk)
    primed = User.objects.get(pk=user.pk)
    roles.remember_roles(primed, [roles.AGENT, roles.OMBUDSMAN])
    assert roles.roles_of(primed) == roles.roles_of(fresh) == {roles.AGENT, roles.OMBUDSMAN}


def test_superuser_holds_admin_even_when_primed_empty(make_user):
    boss = make_user(username="raiz", is_superuser=True)
    roles.remember_roles(boss, [])
    assert roles.roles_of(boss) == {roles.ADMIN}


def test_token_user_roles_decide_access(client, make_user):
    assert _roles_through_a_token(client, make_user(roles.AGENT, username="agente")) == 200
    assert _roles_through_a_token(client, make_user(username="sem.papel")) == 403
    # a group that only looks like a role list is not a role
    impostor = make_user(username="impostor")
    impostor.groups.add(Group.objects.create(name="x,supervisor"))
    assert _roles_through_a_token(client, impostor) == 403


# --- editing a case is its own capability -------------------------------------------


def test_whoever_works_cases_may_edit_them():
    assert (
        roles.CAPABILITIES["cases.edit"]
        == roles.CAPABILITIES["cases.reply"]
        == frozenset({roles.AGENT, roles.SUPERVISOR, roles.OMBUDSMAN, roles.MANAGER, roles.ADMIN})
    )


def _patch_subject(client, user, case) -> int:
    _, raw = ApiToken.issue(
        name=f"e-{user.pk}-{ApiToken.objects.count()}",
        user=user,
        scopes=["cases:read", "cases:write"],
    )
    return client.patch(
        f"/api/v1/cases/{case.pk}",
        '{"subject": "Assunto corrigido"}',
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    ).status_code


def test_patching_a_case_asks_for_cases_edit(client, staff, open_case, monkeypatch):
    case = open_case()
    monkeypatch.setitem(roles.CAPABILITIES, "cases.edit", frozenset())
    assert _patch_subject(client, staff[roles.SUPERVISOR], case) == 403


def test_patching_a_case_does_not_ask_for_cases_change_state(client, staff, open_case, monkeypatch):
    case = open_case()
    monkeypatch.setitem(roles.CAPABILITIES, "cases.change_state", frozenset())
    assert _patch_subject(client, staff[roles.SUPERVISOR], case) == 200
