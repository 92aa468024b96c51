"""Roles read in the same query as the API token (roles.role_names_annotation)."""

import pytest
from django.contrib.auth.models import Group

from balcao.accounts import roles
from balcao.accounts.models import User

pytestmark = pytest.mark.django_db


def _primed(user) -> User:
    """``user`` re-read with its roles from the annotation, as TokenAuth does."""
    annotated = (User.objects.annotate(role_names=roles.role_names_annotation("pk"))
                 .get(pk=user.pk))
    roles.remember_roles(annotated, annotated.role_names)
    return annotated


def test_annotation_matches_the_groups(make_user):
    user = make_user(roles.AGENT, username="dois.papeis")
    user.groups.add(Group.objects.get(name=roles.OMBUDSMAN))
    assert roles.roles_of(_primed(user)) == {roles.AGENT, roles.OMBUDSMAN}
    assert roles.roles_of(User.objects.get(pk=user.pk)) == {roles.AGENT, roles.OMBUDSMAN}


def test_no_roles_and_superuser(make_user):
    assert roles.roles_of(_primed(make_user(username="sem.papel"))) == frozenset()
    boss = make_user(username="raiz", is_superuser=True)
    assert roles.roles_of(_primed(boss)) == {roles.ADMIN}


def test_groups_that_are_not_roles_are_not_read(make_user):
    user = make_user(roles.AGENT, username="com.grupo")
    user.groups.add(Group.objects.create(name="x,supervisor"))
    primed = _primed(user)
    assert roles.roles_of(primed) == {roles.AGENT}
    assert not roles.has_capability(primed, "cases.assign")
