"""Staff login: password, then TOTP (enrolment on first login), lockout, verified-only pages."""

import pytest
from django.urls import reverse
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


def test_sessions_expire(settings):
    assert settings.SESSION_COOKIE_AGE <= 3600
    assert settings.SESSION_SAVE_EVERY_REQUEST
