"""Staff administration in the console: admins only, no password, every change recorded."""

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from balcao.accounts import services
from balcao.accounts.models import EnrolmentLink, StaffChange, User
from balcao.cases.models import Team
from balcao.errors import PermissionDenied

pytestmark = pytest.mark.django_db

PAGES = ["/console/equipe/", "/console/equipe/novo/"]


@pytest.fixture
def admin_client(staff, verified_client):
    return verified_client(staff["admin"])


@pytest.mark.parametrize("role", ["agent", "supervisor", "manager", "ombudsman"])
def test_only_admins_reach_the_pages(staff, verified_client, role):
    client = verified_client(staff[role])
    for page in [*PAGES, f"/console/equipe/{staff['agent'].pk}/"]:
        assert client.get(page).status_code == 403
    response = client.post(f"/console/equipe/{staff['agent'].pk}/ativo/", {"active": "0"})
    assert response.status_code == 403
    staff["agent"].refresh_from_db()
    assert staff["agent"].is_active
    assert "/console/equipe/" not in client.get("/console/").content.decode()


def test_admin_sees_the_list_with_roles_and_enrolment(staff, admin_client):
    response = admin_client.get("/console/equipe/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "t.agent" in page and "Atendente" in page
    assert 'href="/console/equipe/"' in admin_client.get("/console/").content.decode()


def test_create_issues_a_link_and_sets_no_password(staff, admin_client):
    team = Team.objects.create(slug="n1", name="Nível 1")
    response = admin_client.post(
        "/console/equipe/novo/",
        {
            "username": "maria",
            "first_name": "Maria",
            "last_name": "Souza",
            "email": "maria@example.gov.br",
            "roles": ["agent"],
            "teams": [team.pk],
        },
    )
    user = User.objects.get(username="maria")
    assert response.status_code == 302
    assert not user.has_usable_password()
    assert set(user.groups.values_list("name", flat=True)) == {"agent"}
    assert list(user.teams.all()) == [team]
    link = EnrolmentLink.objects.get(user=user)
    assert link.issued_by == staff["admin"] and link.is_usable()
    page = admin_client.get(response["Location"]).content.decode()
    assert "/conta/cadastro/" in page or "enrolment-link" in page
    # shown once only
    assert (
        'data-testid="enrolment-link"'
        not in admin_client.get(response["Location"]).content.decode()
    )
    change = StaffChange.objects.get(user=user)
    assert change.actor == staff["admin"] and change.action == "create"


def test_role_and_team_change_recorded(staff, admin_client):
    team = Team.objects.create(slug="n2", name="Nível 2")
    agent = staff["agent"]
    response = admin_client.post(
        f"/console/equipe/{agent.pk}/", {"roles": ["supervisor"], "teams": [team.pk]}
    )
    assert response.status_code == 302
    agent = User.objects.get(pk=agent.pk)
    assert set(agent.groups.values_list("name", flat=True)) == {"supervisor"}
    assert list(agent.teams.all()) == [team]
    actions = set(StaffChange.objects.filter(user=agent).values_list("action", flat=True))
    assert actions == {"roles", "teams"}
    assert StaffChange.objects.get(user=agent, action="roles").detail == "agent → supervisor"


def test_deactivate_and_reactivate(staff, admin_client):
    agent = staff["agent"]
    admin_client.post(f"/console/equipe/{agent.pk}/ativo/", {"active": "0"})
    agent.refresh_from_db()
    assert not agent.is_active
    admin_client.post(f"/console/equipe/{agent.pk}/ativo/", {"active": "1"})
    agent.refresh_from_db()
    assert agent.is_active
    assert list(
        StaffChange.objects.filter(user=agent).order_by("pk").values_list("action", flat=True)
    ) == ["deactivate", "reactivate"]


def test_cannot_demote_or_deactivate_self(staff, admin_client):
    admin = staff["admin"]
    admin_client.post(f"/console/equipe/{admin.pk}/", {"roles": ["agent"]})
    admin_client.post(f"/console/equipe/{admin.pk}/ativo/", {"active": "0"})
    admin.refresh_from_db()
    assert admin.is_active
    assert admin.groups.filter(name="admin").exists()
    assert not StaffChange.objects.filter(user=admin).exists()
    with pytest.raises(PermissionDenied):
        services.do_set_roles(admin, admin, [])
    with pytest.raises(PermissionDenied):
        services.do_set_active(admin, admin, False)


def test_reissue_link_removes_devices(staff, admin_client):
    agent = staff["agent"]
    TOTPDevice.objects.create(user=agent, name="old phone", confirmed=True)
    response = admin_client.post(f"/console/equipe/{agent.pk}/cadastro/")
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=agent).exists()
    assert EnrolmentLink.objects.filter(user=agent, via="console").count() == 1
    assert 'data-testid="enrolment-link"' in admin_client.get(response["Location"]).content.decode()
    assert StaffChange.objects.filter(user=agent, action="enrolment").exists()


def test_actions_refuse_non_admins(staff):
    with pytest.raises(PermissionDenied):
        services.do_set_active(staff["manager"], staff["agent"], False)
    with pytest.raises(PermissionDenied):
        services.do_create_staff(staff["supervisor"], username="x", roles=["agent"])


# --- the Django admin: users, roles and the change log, read-only -------------------


def test_users_roles_and_changes_are_in_the_admin_read_only(staff, verified_client):
    from django.contrib import admin
    from django.contrib.auth.models import Group
    from django.urls import reverse

    request = type("Request", (), {"user": staff["admin"]})()
    for model in (User, Group, StaffChange):
        model_admin = admin.site._registry[model]
        assert not model_admin.has_add_permission(request)
        assert not model_admin.has_change_permission(request)
        assert not model_admin.has_delete_permission(request)
    admin_user = staff["admin"]
    admin_user.is_staff = admin_user.is_superuser = True
    admin_user.save()
    client = verified_client(admin_user)
    services.do_set_active(admin_user, staff["agent"], False)
    agent = staff["agent"]
    page = client.get(reverse("admin:accounts_user_changelist")).content.decode()
    assert "t.agent" in page
    detail = client.get(reverse("admin:accounts_user_change", args=[agent.pk]))
    assert detail.status_code == 200
    assert f"/console/equipe/{agent.pk}/" in detail.content.decode()
    assert client.get(reverse("admin:accounts_user_add")).status_code == 403
    group = Group.objects.get(name="agent")
    assert client.get(reverse("admin:auth_group_changelist")).status_code == 200
    client.post(reverse("admin:auth_group_change", args=[group.pk]), {"name": "hacked"})
    assert Group.objects.filter(name="agent").exists()
    assert client.get(reverse("admin:accounts_staffchange_changelist")).status_code == 200
    client.post(
        reverse("admin:accounts_user_change", args=[agent.pk]),
        {"username": agent.username, "is_active": "on"},
    )
    agent.refresh_from_db()
    assert not agent.is_active
