"""Staff authentication actions: password step, lockout, TOTP step and enrolment.

Staff log in in two steps (password, then a TOTP code from an authenticator app).
A member of staff with no confirmed TOTP device enrols one at the second step.
After ``BALCAO_LOGIN_MAX_FAILURES`` failed attempts within
``BALCAO_LOGIN_LOCKOUT_SECONDS`` the username is locked for that period.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import authenticate
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from balcao.accounts.models import LoginFailure, User


class LoginError(Exception):
    """A failed login, with a message a person understands."""


def check_not_locked(username: str) -> None:
    since = timezone.now() - timedelta(seconds=settings.BALCAO_LOGIN_LOCKOUT_SECONDS)
    failures = LoginFailure.objects.filter(username__iexact=username, at__gte=since).count()
    if failures >= settings.BALCAO_LOGIN_MAX_FAILURES:
        minutes = max(1, settings.BALCAO_LOGIN_LOCKOUT_SECONDS // 60)
        raise LoginError(
            _("Acesso bloqueado por excesso de tentativas. Tente novamente em %(minutes)s "
              "minutos.") % {"minutes": minutes}
        )


def record_failure(username: str, ip: str | None) -> None:
    LoginFailure.objects.create(username=username[:150], ip=ip)


def check_password_step(request, username: str, password: str, ip: str | None) -> User:
    """First step: the password. Raises LoginError (locked or wrong credentials)."""
    check_not_locked(username)
    user = authenticate(request, username=username, password=password)
    if user is None or not user.is_staff and not user.groups.exists():
        record_failure(username, ip)
        raise LoginError(_("Usuário ou senha incorretos."))
    return user


def confirmed_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def pending_enrolment_device(user: User) -> TOTPDevice:
    """The unconfirmed TOTP device shown as a QR code until its first code is typed."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="app", confirmed=False)
    return device


def check_token_step(user: User, token: str, ip: str | None) -> TOTPDevice:
    """Second step: the TOTP code (confirms the device on enrolment)."""
    check_not_locked(user.username)
    token = "".join(ch for ch in token if ch.isdigit())
    device = confirmed_device(user) or pending_enrolment_device(user)
    if not token or not device.verify_token(token):
        record_failure(user.username, ip)
        raise LoginError(_("Código de verificação inválido ou expirado."))
    if not device.confirmed:
        device.confirmed = True
        device.save(update_fields=["confirmed"])
    LoginFailure.objects.filter(username__iexact=user.username).delete()
    return device
