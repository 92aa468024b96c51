"""``balcao user create``: a member of staff with a role, teams and an enrolment link."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from balcao.accounts.models import EnrolmentLink, User
from balcao.cases.models import Team

pytestmark = pytest.mark.django_db

PASSWORD = "balcao-nova-senha-2026"
BASE = "https://balcao.example"


@pytest.fixture
def teams(db):
    return [Team.objects.create(slug=slug, name=slug.title()) for slug in ("sac", "ouvidoria")]


@pytest.fixture
def env_password(monkeypatch):
    monkeypatch.setenv("BALCAO_NEW_PASSWORD", PASSWORD)


def create(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("user", "create", *args, "--base-url", BASE, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_creates_an_active_member_of_staff_with_role_team_and_link(
    env_password, teams, client, totp_code
):
    out, err = create("maria", "--role", "agent", "--team", "sac", "--email", "m@orgao.gov.br")
    user = User.objects.get(username="maria")
    assert user.is_active and user.check_password(PASSWORD)
    assert user.email == "m@orgao.gov.br"
    assert list(user.groups.values_list("name", flat=True)) == ["agent"]
    assert list(user.teams.values_list("slug", flat=True)) == ["sac"]
    assert not user.is_staff and not user.is_superuser  # the console, not /admin/
    assert "Criado: maria (agent, equipes: sac)." in err and "Vale uma vez" in err
    assert EnrolmentLink.objects.get(user=user).via == EnrolmentLink.Via.COMMAND

    # The printed link enrols the app, and then the new person works in the console.
    path = out.strip().removeprefix(BASE)
    assert path.startswith("/conta/cadastro/")
    client.get(path)
    client.post(reverse("accounts:enrol"), {"password": PASSWORD})
    client.get(reverse("accounts:enrol"))
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post(reverse("accounts:enrol"), {"token": totp_code(device)})
    assert response.status_code == 302
    assert client.get(reverse("console:case_list")).status_code == 200


def test_several_teams(env_password, teams):
    create("joao", "--role", "supervisor", "--team", "sac", "--team", "ouvidoria")
    user = User.objects.get(username="joao")
    assert sorted(user.teams.values_list("slug", flat=True)) == ["ouvidoria", "sac"]


def test_the_admin_role_also_opens_the_admin_site(env_password):
    create("chefe", "--role", "admin")
    user = User.objects.get(username="chefe")
    assert user.is_staff and user.is_superuser
    assert list(user.groups.values_list("name", flat=True)) == ["admin"]


def test_the_password_is_asked_twice_without_the_variable(monkeypatch):
    monkeypatch.delenv("BALCAO_NEW_PASSWORD", raising=False)
    answers = iter([PASSWORD, PASSWORD])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    create("ana", "--role", "ombudsman")
    assert User.objects.get(username="ana").check_password(PASSWORD)


def test_passwords_that_differ_are_refused(monkeypatch):
    monkeypatch.delenv("BALCAO_NEW_PASSWORD", raising=False)
    answers = iter([PASSWORD, PASSWORD + "x"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    with pytest.raises(CommandError, match="não conferem"):
        create("ana", "--role", "agent")
    assert not User.objects.filter(username="ana").exists()


def test_no_terminal_and_no_variable_says_which_variable(monkeypatch):
    monkeypatch.delenv("BALCAO_NEW_PASSWORD", raising=False)

    def no_terminal(prompt=""):
        raise EOFError

    monkeypatch.setattr("getpass.getpass", no_terminal)
    with pytest.raises(CommandError, match="BALCAO_NEW_PASSWORD"):
        create("ana", "--role", "agent")


@pytest.mark.parametrize("password", ["", "curta", "12345678901", "password123"])
def test_weak_passwords_are_refused_by_the_validators(monkeypatch, password):
    monkeypatch.setenv("BALCAO_NEW_PASSWORD", password)
    with pytest.raises(CommandError):
        create("ana", "--role", "agent")
    assert not User.objects.filter(username="ana").exists()


def test_an_unknown_role_is_refused_naming_the_roles(env_password):
    with pytest.raises(CommandError, match="Papel desconhecido: 'chefe'.*agent, supervisor"):
        create("ana", "--role", "chefe")
    assert not User.objects.filter(username="ana").exists()


def test_an_unknown_team_is_refused_naming_the_teams(env_password, teams):
    with pytest.raises(CommandError, match="Equipe desconhecida: vendas. Equipes: ouvidoria, sac"):
        create("ana", "--role", "agent", "--team", "sac", "--team", "vendas")
    assert not User.objects.filter(username="ana").exists()


def test_an_existing_username_is_refused(env_password, make_user):
    make_user("agent", username="ana")
    with pytest.raises(CommandError, match="(?i)já existe"):
        create("ana", "--role", "agent")


def test_the_password_is_never_an_argument(env_password):
    with pytest.raises(CommandError):
        create("ana", "--role", "agent", "--password", PASSWORD)
    assert not User.objects.filter(username="ana").exists()
