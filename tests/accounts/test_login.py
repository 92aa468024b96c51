"""Staff login (finding #5): username, password and code in one step with one answer,
progressive delays per username, a per-address limit, the admin through the same door."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from balcao.accounts.models import LoginFailure

pytestmark = pytest.mark.django_db

PASSWORD = "senha-de-teste-123"
GENERIC = "Usuário, senha ou código de verificação incorretos."
# What differs between two renders: the CSRF token, the CSP nonce, the code typed.
PER_RENDER = re.compile(
    r'name="csrfmiddlewaretoken" value="[^"]*"|nonce="[^"]*"|name="token" value="[^"]*"'
)


def _login(client, username, password=PASSWORD, code="000000", ip="198.51.100.7", url=None):
    return client.post(
        url or reverse("accounts:login"),
        {"username": username, "password": password, "token": code},
        REMOTE_ADDR=ip,
    )


def _page(response) -> str:
    return PER_RENDER.sub("", response.content.decode())


@pytest.fixture
def agent_device(staff):
    return TOTPDevice.objects.create(user=staff["agent"], name="app", confirmed=True)


def test_username_password_and_code_open_the_console(client, staff, agent_device, totp_code):
    response = _login(client, "t.agent", code=totp_code(agent_device))
    assert response.status_code == 302 and response.url == reverse("console:case_list")
    assert "balcao_known_device" in response.cookies
    assert client.get(reverse("console:case_list")).status_code == 200


def test_a_right_password_reads_exactly_like_a_wrong_one(
    client, staff, make_user, agent_device, totp_code
):
    make_user("agent", username="t.new")  # right password, but no authenticator yet
    answers = {
        "right password, wrong code": _login(client, "t.agent", code="000000"),
        "wrong password, wrong code": _login(client, "t.agent", "errada-123", code="000000"),
        "wrong password, right code": _login(
            client, "t.agent", "errada-123", code=totp_code(agent_device)
        ),
        "unknown username": _login(client, "ninguem", code="000000"),
        "right password, no device": _login(client, "t.new", code="000000"),
    }
    pages = set()
    for label, response in answers.items():
        assert response.status_code == 200, label
        page = _page(response)
        assert GENERIC in page, label
        pages.add(
            page.replace("t.agent", "NAME").replace("t.new", "NAME").replace("ninguem", "NAME")
        )
    assert len(pages) == 1
    assert SESSION_KEY not in client.session
    assert LoginFailure.objects.count() == len(answers)


def test_a_missing_code_never_checks_the_password(client, staff):
    right = _login(client, "t.agent", code="")
    wrong = _login(client, "t.agent", "errada-123", code="")
    assert right.status_code == wrong.status_code == 200
    assert _page(right) == _page(wrong)
    assert SESSION_KEY not in client.session


def test_password_alone_does_not_open_the_console(client, staff, agent_device):
    _login(client, "t.agent", code="123456")
    response = client.get(reverse("console:case_list"))
    assert response.status_code == 302 and reverse("accounts:login") in response.url


def test_password_alone_cannot_enrol_a_device(client, staff):
    response = client.post(
        reverse("accounts:login"),
        {"username": "t.agent", "password": PASSWORD, "token": ""},
        follow=True,
    )
    assert b"totp-secret" not in response.content and b"<svg" not in response.content
    response = _login(client, "t.agent", code="123456")
    assert b"totp-secret" not in response.content
    enrol = client.get(reverse("accounts:enrol"))
    assert enrol.status_code == 410 and b"totp-secret" not in enrol.content
    assert not TOTPDevice.objects.filter(user=staff["agent"]).exists()


def test_a_strangers_failures_delay_the_admin_briefly_then_a_right_login_works(
    client, make_user, clock, totp_code, settings
):
    admin = make_user("admin", username="demo.admin", is_staff=True, is_superuser=True)
    device = TOTPDevice.objects.create(user=admin, name="app", confirmed=True)
    for _ in range(settings.BALCAO_LOGIN_MAX_FAILURES):
        response = _login(client, "demo.admin", "chute-123", ip="203.0.113.9")
        assert GENERIC in response.content.decode()
    # The real admin, elsewhere, right password and code: asked to wait, nothing checked.
    response = _login(client, "demo.admin", code=totp_code(device), ip="192.0.2.44")
    assert "Muitas tentativas. Tente de novo em 1 minuto." in response.content.decode()
    assert SESSION_KEY not in client.session
    clock.advance(settings.BALCAO_LOGIN_FIRST_DELAY_SECONDS)
    response = _login(client, "demo.admin", code=totp_code(device), ip="192.0.2.44")
    assert response.status_code == 302
    # Success started again from zero: the next mistake is not delayed.
    client.logout()
    assert GENERIC in _login(client, "demo.admin", "chute-123").content.decode()


def test_delays_double_and_stop_at_the_ceiling(client, staff, clock, settings):
    settings.BALCAO_LOGIN_MAX_FAILURES = 2
    settings.BALCAO_LOGIN_FIRST_DELAY_SECONDS = 60
    settings.BALCAO_LOGIN_LOCKOUT_SECONDS = 300
    _login(client, "t.agent", "x-123456789")
    _login(client, "t.agent", "x-123456789")
    waits = []
    for _ in range(6):
        response = _login(client, "t.agent", "x-123456789").content.decode()
        minutes = int(re.search(r"Tente de novo em (\d+) minuto", response).group(1))
        waits.append(minutes)
        clock.advance(minutes * 60 - 1)  # one second early: still refused
        assert "Muitas tentativas" in _login(client, "t.agent", "x-123456789").content.decode()
        clock.advance(1)
        assert GENERIC in _login(client, "t.agent", "x-123456789").content.decode()
    assert waits == [1, 2, 4, 5, 5, 5]


def test_a_known_browser_is_not_delayed_by_a_strangers_failures(
    client, staff, agent_device, totp_code, clock
):
    assert _login(client, "t.agent", code=totp_code(agent_device)).status_code == 302
    client.post(reverse("accounts:logout"))  # signs out, the browser keeps its cookies
    stranger = Client()
    for _ in range(12):
        _login(stranger, "t.agent", "chute-123", ip="203.0.113.9")
    assert "Muitas tentativas" in _login(stranger, "t.agent", ip="203.0.113.9").content.decode()
    TOTPDevice.objects.filter(pk=agent_device.pk).update(last_t=-1)  # a code works once
    response = _login(client, "t.agent", code=totp_code(agent_device))
    assert response.status_code == 302


def test_thirty_usernames_from_one_address_are_throttled(
    client, staff, agent_device, totp_code, settings
):
    limit = settings.BALCAO_LOGIN_ADDRESS_USERNAMES
    answers = [
        _login(client, f"pessoa{n}", "chute-123", ip="203.0.113.50").content.decode()
        for n in range(30)
    ]
    assert all(GENERIC in a for a in answers[:limit])
    assert all("Muitas tentativas. Tente de novo em" in a for a in answers[limit:])
    # Refused before any password is checked: a right login from there is refused too…
    response = _login(client, "t.agent", code=totp_code(agent_device), ip="203.0.113.50")
    assert "Muitas tentativas" in response.content.decode()
    assert LoginFailure.objects.count() == limit
    # …while another address is not slowed.
    response = _login(client, "t.agent", code=totp_code(agent_device), ip="192.0.2.44")
    assert response.status_code == 302


def test_one_person_mistyping_is_not_an_address_of_many_usernames(client, staff, clock):
    for _ in range(12):
        clock.advance(900)
        assert GENERIC in _login(client, "t.agent", "errada-123").content.decode()


def test_an_ipv6_client_counts_by_its_64(client, settings):
    settings.BALCAO_LOGIN_ADDRESS_USERNAMES = 3
    for n in range(3):
        _login(client, f"pessoa{n}", "chute-123", ip=f"2001:db8:1:2::{n + 1}")
    response = _login(client, "pessoa9", "chute-123", ip="2001:db8:1:2:ffff::9")
    assert "Muitas tentativas" in response.content.decode()


# --- the admin site signs in through the same door ---------------------------------


@pytest.fixture
def site_admin(make_user):
    admin = make_user("admin", username="demo.admin", is_staff=True, is_superuser=True)
    return admin, TOTPDevice.objects.create(user=admin, name="app", confirmed=True)


def test_admin_login_forwards_to_the_staff_login_keeping_next(client, site_admin):
    response = client.get("/admin/login/?next=/admin/cases/case/")
    assert response.status_code == 302
    assert response.url == reverse("accounts:login") + "?next=%2Fadmin%2Fcases%2Fcase%2F"
    response = client.get("/admin/")
    assert response.status_code == 302
    assert client.get(response.url).url.startswith(reverse("accounts:login") + "?next=")


def test_admin_login_form_checks_nothing(client, site_admin):
    response = client.post(
        "/admin/login/?next=/admin/", {"username": "demo.admin", "password": PASSWORD}
    )
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))
    assert SESSION_KEY not in client.session
    assert b"OTP" not in response.content


def test_admin_signs_in_through_the_staff_login(client, site_admin, totp_code):
    _admin, device = site_admin
    login_url = client.get("/admin/login/?next=/admin/").url
    response = _login(client, "demo.admin", code=totp_code(device), url=login_url)
    assert response.status_code == 302 and response.url == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_admin_login_gets_the_delays_and_the_generic_message(client, site_admin, settings):
    login_url = client.get("/admin/login/?next=/admin/").url
    for _ in range(settings.BALCAO_LOGIN_MAX_FAILURES):
        response = _login(client, "demo.admin", PASSWORD, code="000000", url=login_url)
        assert GENERIC in response.content.decode()
    response = _login(client, "demo.admin", PASSWORD, code="000000", url=login_url)
    assert "Muitas tentativas" in response.content.decode()
    assert client.get("/admin/").status_code == 302


# --- sessions ------------------------------------------------------------------------


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


def test_use_slides_the_expiry_with_one_write_a_minute(
    settings, verified_client, staff, monkeypatch
):
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
