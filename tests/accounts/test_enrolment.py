"""Second-factor enrolment (finding #5): only through a one-time, expiring link issued by
an admin or e-mailed to the staff address; unconfirmed devices expire."""

import io
import re
from datetime import timedelta

import pytest
from django.contrib.auth import SESSION_KEY
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from balcao.accounts import services
from balcao.accounts.models import EnrolmentLink

pytestmark = pytest.mark.django_db

PASSWORD = "senha-de-teste-123"


def _issue(username: str) -> str:
    """The path of a link, as ``balcao user enrolment-link`` prints it."""
    out = io.StringIO()
    call_command(
        "user",
        "enrolment-link",
        username,
        "--base-url",
        "https://balcao.example",
        stdout=out,
        stderr=io.StringIO(),
    )
    url = out.getvalue().strip()
    assert url.startswith("https://balcao.example/conta/cadastro/")
    return url.removeprefix("https://balcao.example")


def _enrol(client, path, totp_code, password=PASSWORD):
    """Open the link, confirm the password, read the key and type its first code."""
    assert client.get(path).url == reverse("accounts:enrol")
    page = client.get(reverse("accounts:enrol"))
    assert b"totp-secret" not in page.content  # the link alone shows no key
    assert client.post(reverse("accounts:enrol"), {"password": password}).status_code == 302
    page = client.get(reverse("accounts:enrol"))
    assert b"<svg" in page.content and b"totp-secret" in page.content
    device = TOTPDevice.objects.get(user__username=page.context["person"].username, confirmed=False)
    return client.post(reverse("accounts:enrol"), {"token": totp_code(device)}), device


def test_an_enrolment_link_enrols_once_and_signs_in(client, staff, totp_code):
    path = _issue("t.agent")
    response, device = _enrol(client, path, totp_code)
    assert response.status_code == 302 and response.url == reverse("console:case_list")
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(reverse("console:case_list")).status_code == 200
    assert EnrolmentLink.objects.get(user=staff["agent"]).used_at is not None
    client.post(reverse("accounts:logout"))
    again = client.get(path)
    assert again.status_code == 410 and "já foi usado" in again.content.decode()


def test_the_link_needs_the_password_too(client, staff):
    path = _issue("t.agent")
    client.get(path)
    response = client.post(reverse("accounts:enrol"), {"password": "errada-1234"})
    assert "Senha incorreta." in response.content.decode()
    assert b"totp-secret" not in response.content
    assert not TOTPDevice.objects.filter(user=staff["agent"]).exists()


def test_a_wrong_first_code_confirms_nothing(client, staff):
    client.get(_issue("t.agent"))
    client.post(reverse("accounts:enrol"), {"password": PASSWORD})
    response = client.post(reverse("accounts:enrol"), {"token": "000000"})
    assert "inválido" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=staff["agent"], confirmed=True).exists()
    assert SESSION_KEY not in client.session


def test_a_link_expires(client, staff, totp_code):
    path = _issue("t.agent")
    EnrolmentLink.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    response = client.get(path)
    assert response.status_code == 410 and "expirou" in response.content.decode()
    # …also when it expires between opening it and typing the code.
    path = _issue("t.agent")
    client.get(path)
    client.post(reverse("accounts:enrol"), {"password": PASSWORD})
    EnrolmentLink.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    device = TOTPDevice.objects.get(user=staff["agent"], confirmed=False)
    response = client.post(reverse("accounts:enrol"), {"token": totp_code(device)})
    assert response.status_code == 410
    assert not TOTPDevice.objects.filter(user=staff["agent"], confirmed=True).exists()


def test_a_newer_link_ends_the_older_one(client, staff):
    older = _issue("t.agent")
    newer = _issue("t.agent")
    assert client.get(older).status_code == 410
    assert client.get(newer).status_code == 302


def test_unconfirmed_devices_expire(staff, settings):
    old = TOTPDevice.objects.create(user=staff["agent"], name="app", confirmed=False)
    fresh = TOTPDevice.objects.create(user=staff["supervisor"], name="app", confirmed=False)
    kept = TOTPDevice.objects.create(user=staff["admin"], name="app", confirmed=True)
    long_ago = timezone.now() - timedelta(hours=settings.BALCAO_ENROLMENT_LINK_HOURS, minutes=1)
    TOTPDevice.objects.filter(pk__in=[old.pk, kept.pk]).update(created_at=long_ago)
    assert services.do_delete_expired_enrolments() == 1
    assert set(TOTPDevice.objects.values_list("pk", flat=True)) == {fresh.pk, kept.pk}


def test_an_unconfirmed_device_past_its_time_cannot_be_confirmed(
    client, staff, totp_code, settings
):
    client.get(_issue("t.agent"))
    client.post(reverse("accounts:enrol"), {"password": PASSWORD})
    device = TOTPDevice.objects.get(user=staff["agent"], confirmed=False)
    TOTPDevice.objects.filter(pk=device.pk).update(
        created_at=timezone.now() - timedelta(hours=settings.BALCAO_ENROLMENT_LINK_HOURS + 1)
    )
    with pytest.raises(services.LoginError):
        services.do_confirm_enrolment(
            client.session["balcao_enrolment"]["link"], device.pk, totp_code(device)
        )


def test_a_new_link_replaces_a_lost_device(client, staff, totp_code):
    lost = TOTPDevice.objects.create(user=staff["agent"], name="app", confirmed=True)
    _response, device = _enrol(client, _issue("t.agent"), totp_code)
    assert list(TOTPDevice.objects.filter(user=staff["agent"])) == [device]
    assert not TOTPDevice.objects.filter(pk=lost.pk).exists()


def test_the_link_page_has_the_login_delays(client, staff, settings):
    client.get(_issue("t.agent"))
    for _ in range(settings.BALCAO_LOGIN_MAX_FAILURES):
        client.post(reverse("accounts:enrol"), {"password": "errada-1234"})
    response = client.post(reverse("accounts:enrol"), {"password": PASSWORD})
    assert "Muitas tentativas" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=staff["agent"]).exists()


def test_the_command_refuses_an_unknown_user(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("user", "enrolment-link", "ninguem", stdout=io.StringIO())


# --- by e-mail ---------------------------------------------------------------------


def _request(client, username, ip="198.51.100.7"):
    return client.post(reverse("accounts:enrol_request"), {"username": username}, REMOTE_ADDR=ip)


def test_a_link_is_emailed_to_a_person_without_a_device(
    client, make_user, mailoutbox, django_capture_on_commit_callbacks, totp_code
):
    make_user("agent", username="t.nova", email="nova@inpi.invalid")
    with django_capture_on_commit_callbacks(execute=True):
        response = _request(client, "t.nova")
    assert "Se esse usuário ainda não cadastrou" in response.content.decode()
    assert [m.to for m in mailoutbox] == [["nova@inpi.invalid"]]
    url = re.search(r"http://testserver(/conta/cadastro/\S+/)", mailoutbox[0].body).group(1)
    response, _device = _enrol(client, url, totp_code)
    assert response.status_code == 302


def test_the_email_request_says_the_same_for_everyone(
    client, make_user, mailoutbox, django_capture_on_commit_callbacks
):
    has_device = make_user("agent", username="t.feita", email="feita@inpi.invalid")
    TOTPDevice.objects.create(user=has_device, name="app", confirmed=True)
    make_user("agent", username="t.nova", email="nova@inpi.invalid")
    pages = set()
    with django_capture_on_commit_callbacks(execute=True):
        for username in ("ninguem", "t.feita", "t.nova", "t.nova"):
            html = _request(client, username).content.decode()
            pages.add(re.sub(r'value="[^"]*"|nonce="[^"]*"', "", html))
    assert len(pages) == 1
    # Only the person without a device gets mail, once in ten minutes; a device is never
    # replaced through an e-mail alone.
    assert [m.to for m in mailoutbox] == [["nova@inpi.invalid"]]


def test_email_requests_count_against_the_address(client, make_user, settings):
    for n in range(settings.BALCAO_LOGIN_ADDRESS_USERNAMES):
        _request(client, f"pessoa{n}", ip="203.0.113.50")
    response = _request(client, "pessoa99", ip="203.0.113.50")
    assert "Muitas tentativas" in response.content.decode()


def test_email_requests_do_not_delay_the_persons_login(client, staff, settings, totp_code):
    device = TOTPDevice.objects.create(user=staff["agent"], name="app", confirmed=True)
    for n in range(settings.BALCAO_LOGIN_MAX_FAILURES + 3):
        _request(client, "t.agent", ip=f"203.0.113.{n + 1}")
    response = client.post(
        reverse("accounts:login"),
        {"username": "t.agent", "password": PASSWORD, "token": totp_code(device)},
    )
    assert response.status_code == 302


# --- the demo -----------------------------------------------------------------------


def test_demo_logins_print_an_enrolment_link_per_user_without_a_device(
    make_user, totp_code, client, settings
):
    from balcao.accounts.roles import ROLES

    settings.BALCAO_BASE_URL = "http://127.0.0.1:8000"
    users = {role: make_user(role, username=f"demo.{role}") for role in ROLES}
    TOTPDevice.objects.create(user=users["admin"], name="app", confirmed=True)
    out = io.StringIO()
    call_command("demo", "--logins", stdout=out)
    links = re.findall(r"cadastro: http://127\.0\.0\.1:8000(/conta/cadastro/\S+/)", out.getvalue())
    assert len(links) == len(ROLES) - 1  # demo.admin already has its app
    response, _device = _enrol(client, links[0], totp_code)
    assert response.status_code == 302
