"""Staff login: password, then TOTP (enrolment on first login), lockout, verified-only pages."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

pytestmark = pytest.mark.django_db

PASSWORD = "senha-de-teste-123"


def _code(device):
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def _password_step(client, username, password=PASSWORD):
    return client.post(reverse("accounts:login"), {"username": username, "password": password})


def test_first_login_enrols_a_totp_device_then_opens_the_console(client, staff):
    response = _password_step(client, "t.agent")
    assert response.status_code == 302 and response.url.endswith(reverse("accounts:verify"))
    page = client.get(reverse("accounts:verify"))
    assert b"<svg" in page.content and b"totp-secret" in page.content
    device = TOTPDevice.objects.get(user=staff["agent"], confirmed=False)
    response = client.post(reverse("accounts:verify"), {"token": _code(device)})
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(reverse("console:case_list")).status_code == 200


def test_wrong_code_does_not_log_in(client, staff):
    TOTPDevice.objects.create(user=staff["agent"], name="app", confirmed=True)
    _password_step(client, "t.agent")
    response = client.post(reverse("accounts:verify"), {"token": "000000"})
    assert "inválido" in response.content.decode()
    assert client.get(reverse("console:case_list")).status_code == 302


def test_password_alone_does_not_open_the_console(client, staff):
    _password_step(client, "t.agent")
    response = client.get(reverse("console:case_list"))
    assert response.status_code == 302 and reverse("accounts:login") in response.url


def test_lockout_after_repeated_failures(client, staff, settings):
    settings.BALCAO_LOGIN_MAX_FAILURES = 3
    for _ in range(3):
        response = _password_step(client, "t.agent", "errada")
        assert "incorretos" in response.content.decode()
    response = _password_step(client, "t.agent")  # right password, but locked
    assert "bloqueado" in response.content.decode()
    assert response.status_code == 200


def _session_row(client):
    from django.contrib.sessions.models import Session

    return Session.objects.get(session_key=client.cookies["sessionid"].value)


def test_idle_sessions_expire(settings, verified_client, staff):
    assert settings.SESSION_COOKIE_AGE <= 3600
    client = verified_client(staff["agent"])
    assert client.get(reverse("console:case_list")).status_code == 200
    row = _session_row(client)
    row.expire_date = timezone.now() - timedelta(seconds=1)  # idle past SESSION_COOKIE_AGE
    row.save()
    response = client.get(reverse("console:case_list"))
    assert response.status_code == 302 and reverse("accounts:login") in response.url


def test_use_slides_the_expiry_with_one_write_a_minute(settings, verified_client, staff,
                                                       monkeypatch):
    from balcao.accounts import middleware

    client = verified_client(staff["agent"])
    clock = [1_900_000_000.0]
    monkeypatch.setattr(middleware.time, "time", lambda: clock[0])
    client.get(reverse("console:case_list"))  # first signed-in request: written
    first = _session_row(client).expire_date
    clock[0] += 30
    client.get(reverse("console:case_list"))  # within the minute: not written
    assert _session_row(client).expire_date == first
    clock[0] += settings.BALCAO_SESSION_REFRESH_SECONDS
    client.get(reverse("console:case_list"))  # a minute later: written, expiry later
    assert _session_row(client).expire_date > first
