"""Staff authentication actions: one login step, delays and throttles, enrolment links.

Staff sign in with username, password and the code of an authenticator app, all in one
form: whichever of the three is wrong, the answer is the same ("usuário, senha ou código
incorretos"), so the form never tells a right password apart (finding #5). The admin
site signs in through the same view.

Limits (``balcao.accounts.throttle`` holds the arithmetic; counters live in Django's
cache, shared by every process when the cache is Redis):

- per username: ``BALCAO_LOGIN_MAX_FAILURES`` free failures, then a wait of
  ``BALCAO_LOGIN_FIRST_DELAY_SECONDS`` before the next attempt, doubling with each
  further failure up to ``BALCAO_LOGIN_LOCKOUT_SECONDS``; a successful login resets it.
  A browser that signed in as that person before (the "known device" cookie) counts on
  its own, so a stranger's failures never delay the real person's usual browser;
- per client address (``REMOTE_ADDR``, a /64 for IPv6): at most
  ``BALCAO_LOGIN_ADDRESS_USERNAMES`` different usernames that failed within
  ``BALCAO_LOGIN_ADDRESS_WINDOW_SECONDS``; a new one beyond that waits for the window's end.

A second factor is enrolled only through a one-time link (``EnrolmentLink``), never with
a password alone; unconfirmed devices and links expire after ``BALCAO_ENROLMENT_LINK_HOURS``.
"""

from __future__ import annotations

import contextlib
import hashlib
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import authenticate
from django.core.cache import cache
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_otp.plugins.otp_totp.models import TOTPDevice

from balcao.accounts import throttle
from balcao.accounts.models import EnrolmentLink, LoginFailure, User

COUNTER_TTL = 24 * 3600  # a username's failures are forgotten after a quiet day
EMAIL_LINK_INTERVAL = timedelta(minutes=10)  # at most one e-mailed link per person per 10 min


def _clock() -> float:
    """Seconds since the epoch (tests move it forward instead of sleeping)."""
    return time.time()


class LoginError(Exception):
    """A failed login, with a message a person understands."""


class TooManyAttempts(LoginError):
    """Refused before any password was checked: wait ``minutes`` minutes."""

    def __init__(self, seconds: int):
        self.minutes = throttle.minutes(seconds)
        super().__init__(
            ngettext(
                "Muitas tentativas. Tente de novo em %(minutes)s minuto.",
                "Muitas tentativas. Tente de novo em %(minutes)s minutos.",
                self.minutes,
            )
            % {"minutes": self.minutes}
        )


def generic_failure() -> LoginError:
    return LoginError(_("Usuário, senha ou código de verificação incorretos."))


# --- delays and throttles ----------------------------------------------------------


def _digest(text: str) -> str:
    """A short stable name for a username in cache keys (no raw usernames in Redis)."""
    return hashlib.sha256(text.casefold().encode()).hexdigest()[:32]


def _user_policy() -> throttle.DelayPolicy:
    return throttle.DelayPolicy(
        free=settings.BALCAO_LOGIN_MAX_FAILURES,
        first=settings.BALCAO_LOGIN_FIRST_DELAY_SECONDS,
        longest=settings.BALCAO_LOGIN_LOCKOUT_SECONDS,
    )


def _incr(key: str, ttl: int) -> int:
    """Atomically add one to ``key`` (created at 0 with ``ttl`` when missing)."""
    cache.add(key, 0, ttl)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, ttl)
        return 1


def _decr(key: str) -> None:
    with contextlib.suppress(ValueError):
        cache.decr(key)


@dataclass
class Attempt:
    """One login attempt, charged to its username and address before the password is
    checked (so that parallel requests cannot all slip through a free slot)."""

    user_key: str
    address_count_key: str
    address_mark_key: str

    def succeeded(self) -> None:
        """A right password and code: this username starts again from zero, and it no
        longer counts among the usernames its address got wrong."""
        cache.delete_many([self.user_key, self.user_key + ":at"])
        if cache.delete(self.address_mark_key):
            _decr(self.address_count_key)


def known_device_tag(username: str) -> str:
    """The value of a new known-device cookie for ``username``: who, plus a random tag."""
    return f"{_digest(username)}:{secrets.token_urlsafe(12)}"


def known_device_for(cookie_value: str | None, username: str) -> str | None:
    """The browser's own tag when its known-device cookie is for ``username``."""
    if not cookie_value or ":" not in cookie_value:
        return None
    who, tag = cookie_value.split(":", 1)
    return tag if who == _digest(username) and tag else None


def _charge_address(name: str, ip: str | None, now: float) -> tuple[str, str]:
    """Count username ``name`` against ``ip``'s window, or raise TooManyAttempts when the
    address already got ``BALCAO_LOGIN_ADDRESS_USERNAMES`` other usernames wrong in it."""
    number, left = throttle.window(now, settings.BALCAO_LOGIN_ADDRESS_WINDOW_SECONDS)
    count_key = f"accounts:login:addr:{throttle.address_group(ip)}:{number}"
    mark_key = f"{count_key}:{name}"
    if cache.add(mark_key, 1, left + 1):
        tried = _incr(count_key, left + 1)
        if tried > settings.BALCAO_LOGIN_ADDRESS_USERNAMES:
            cache.delete(mark_key)
            _decr(count_key)
            raise TooManyAttempts(left)
    return count_key, mark_key


def _charge_username(user_key: str, now: float) -> None:
    """Charge an attempt to a username (or a username on a known browser) as a failure,
    or raise TooManyAttempts while the wait after its failures runs."""
    failures = _incr(user_key, COUNTER_TTL) - 1
    cache.touch(user_key, COUNTER_TTL)
    last = cache.get(user_key + ":at")
    wait = _user_policy().seconds_left(failures, last, now) if last is not None else 0
    if wait:
        _decr(user_key)  # a refused attempt checks nothing and costs nothing more
        raise TooManyAttempts(wait)
    cache.set(user_key + ":at", now, COUNTER_TTL)


def check_attempt_allowed(
    username: str, ip: str | None, known_device: str | None = None
) -> Attempt:
    """Charge an attempt to ``ip`` and ``username`` or raise TooManyAttempts.

    The address is checked first; the username (or, with a known-device cookie, the
    username on that browser only) then waits ``_user_policy()`` after its failures.
    Nothing here depends on whether the username exists, so the answer never tells.
    """
    now = _clock()
    name = _digest(username)
    count_key, mark_key = _charge_address(name, ip, now)
    user_key = f"accounts:login:user:{name}" + (f":device:{known_device}" if known_device else "")
    _charge_username(user_key, now)
    return Attempt(user_key, count_key, mark_key)


def record_failure(username: str, ip: str | None) -> None:
    """Keep the failure for audit (the delay was already charged by the attempt)."""
    LoginFailure.objects.create(username=username[:150], ip=ip)


def may_sign_in(user: User | None) -> bool:
    return user is not None and user.is_active and (user.is_staff or user.groups.exists())


def confirmed_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def check_login(
    request,
    username: str,
    password: str,
    token: str,
    ip: str | None,
    known_device: str | None = None,
) -> tuple[User, TOTPDevice]:
    """Username, password and code in one step (finding #5).

    Raises TooManyAttempts while a delay runs, else the same LoginError whether the
    username is unknown, the password wrong, no device is enrolled or the code is wrong.
    """
    do_delete_expired_enrolments()
    attempt = check_attempt_allowed(username, ip, known_device)
    user = authenticate(request, username=username, password=password)
    device = confirmed_device(user) if may_sign_in(user) else None
    digits = "".join(ch for ch in token if ch.isdigit())
    if device is None or not digits or not device.verify_token(digits):
        record_failure(username, ip)
        raise generic_failure()
    attempt.succeeded()
    return user, device


# --- enrolment links ----------------------------------------------------------------


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def _link_lifetime() -> timedelta:
    return timedelta(hours=settings.BALCAO_ENROLMENT_LINK_HOURS)


def _known_language(code: str | None) -> str:
    """``code`` when Balcão speaks it, else the default (an unknown one breaks URL prefixes)."""
    return code if code in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def enrolment_url(raw: str, language: str | None = None, base_url: str | None = None) -> str:
    """Where the link points, in ``language`` (its URL prefix), from ``base_url``."""
    with translation.override(_known_language(language)):
        path = reverse("accounts:enrol_link", args=[raw])
    return (base_url or settings.BALCAO_BASE_URL).rstrip("/") + path


@transaction.atomic
def do_issue_enrolment_link(
    user: User,
    *,
    via: str,
    issued_by: User | None = None,
) -> tuple[EnrolmentLink, str]:
    """A new one-time link for ``user`` (returned with its raw token, shown once).

    Earlier unused links of the same person stop working: only the newest one counts.
    """
    if not user.is_active:
        raise LoginError(_("Este usuário está inativo."))
    now = timezone.now()
    EnrolmentLink.objects.filter(user=user, used_at__isnull=True, expires_at__gt=now).update(
        expires_at=now
    )
    raw = secrets.token_urlsafe(32)
    link = EnrolmentLink.objects.create(
        user=user,
        token_hash=_hash(raw),
        via=via,
        issued_by=issued_by,
        expires_at=now + _link_lifetime(),
    )
    return link, raw


def check_enrolment_link(raw: str | None = None, *, pk: int | None = None) -> EnrolmentLink:
    """The usable link for a raw token (or a link id kept in the session), else LoginError."""
    if raw is not None:
        link = EnrolmentLink.objects.select_related("user").filter(token_hash=_hash(raw)).first()
    else:
        link = EnrolmentLink.objects.select_related("user").filter(pk=pk).first()
    if link is None or not link.is_usable():
        raise LoginError(
            _(
                "Este link de cadastro é inválido, já foi usado ou expirou. Peça um "
                "novo ao administrador."
            )
        )
    return link


def check_enrolment_password(request, link: EnrolmentLink, password: str, ip: str | None) -> None:
    """The link's holder proves to be its person with the password (delays apply)."""
    username = link.user.get_username()
    attempt = check_attempt_allowed(username, ip)
    user = authenticate(request, username=username, password=password)
    if user is None or user.pk != link.user_id or not may_sign_in(user):
        record_failure(username, ip)
        raise LoginError(_("Senha incorreta."))
    attempt.succeeded()


def do_start_enrolment(link: EnrolmentLink) -> TOTPDevice:
    """A fresh unconfirmed TOTP device for the link's person, shown as a QR code."""
    do_delete_expired_enrolments()
    return TOTPDevice.objects.create(user=link.user, name="app", confirmed=False)


@transaction.atomic
def do_confirm_enrolment(link_id: int, device_id: int, token: str) -> tuple[User, TOTPDevice]:
    """The first code from the app confirms the device and uses up the link.

    The new device replaces the person's other TOTP devices (a lost phone is re-enrolled
    with a new link, and the old phone stops working).
    """
    link = (
        EnrolmentLink.objects.select_for_update().select_related("user").filter(pk=link_id).first()
    )
    if link is None or not link.is_usable():
        raise LoginError(
            _(
                "Este link de cadastro é inválido, já foi usado ou expirou. Peça um "
                "novo ao administrador."
            )
        )
    oldest = timezone.now() - _link_lifetime()
    device = TOTPDevice.objects.filter(
        pk=device_id, user=link.user, confirmed=False, created_at__gt=oldest
    ).first()
    if device is None:
        raise LoginError(_("O cadastro expirou. Abra o link de novo."))
    digits = "".join(ch for ch in token if ch.isdigit())
    if not digits or not device.verify_token(digits):
        raise LoginError(_("Código de verificação inválido ou expirado."))
    TOTPDevice.objects.filter(user=link.user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    link.used_at = timezone.now()
    link.save(update_fields=["used_at"])
    return link.user, device


def do_delete_expired_enrolments(now=None) -> int:
    """Delete unconfirmed TOTP devices older than the link lifetime (or of unknown age)."""
    oldest = (now or timezone.now()) - _link_lifetime()
    deleted, _detail = (
        TOTPDevice.objects.filter(confirmed=False)
        .filter(Q(created_at__lt=oldest) | Q(created_at__isnull=True))
        .delete()
    )
    return deleted


def do_request_enrolment_by_email(
    username: str, ip: str | None, build_url: Callable[[str], str]
) -> None:
    """E-mail a link to the staff address on record, after commit, when the person may
    sign in, has an address and no confirmed device yet.

    The caller says the same thing whatever happened (no way to learn who exists). The
    address limit counts each request; a person gets at most one e-mail per
    ``EMAIL_LINK_INTERVAL``. Someone who already has a device asks an admin instead: an
    e-mail alone must not replace a second factor.
    """
    _charge_address(_digest(username), ip, _clock())
    user = User.objects.filter(username=username).first()
    if not may_sign_in(user) or not user.email or confirmed_device(user) is not None:
        return
    recent = timezone.now() - EMAIL_LINK_INTERVAL
    if EnrolmentLink.objects.filter(
        user=user, via=EnrolmentLink.Via.EMAIL, created_at__gt=recent
    ).exists():
        return
    _link, raw = do_issue_enrolment_link(user, via=EnrolmentLink.Via.EMAIL)
    with translation.override(_known_language(user.preferred_language)):
        url = build_url(raw)
        subject = _("[Balcão] Cadastro do aplicativo autenticador")
        body = _(
            "Para cadastrar o aplicativo autenticador do Balcão, abra o link abaixo e siga as "
            "instruções. Ele vale por %(hours)s horas e uma só vez.\n\n%(url)s\n\n"
            "Se não foi você quem pediu, ignore esta mensagem."
        ) % {"hours": settings.BALCAO_ENROLMENT_LINK_HOURS, "url": url}
    address = user.email
    transaction.on_commit(lambda: send_mail(subject, body, None, [address], fail_silently=True))


# --- staff administration (console "Equipe", admins only) ----------------------------


def _record(actor, user: User, action: str, detail: str = "") -> None:
    from balcao.accounts.models import StaffChange

    StaffChange.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        user=user,
        action=action,
        detail=detail[:500],
    )


def _role_names(names) -> list[str]:
    from balcao.accounts.roles import ROLES

    unknown = sorted(set(names) - set(ROLES))
    if unknown:
        raise LoginError(_("Papel desconhecido: %(roles)s.") % {"roles": ", ".join(unknown)})
    return sorted(set(names))


@transaction.atomic
def do_create_staff(
    actor,
    *,
    username: str,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    roles=(),
    teams=(),
) -> tuple[User, str]:
    """A new active member of staff with no usable password and a one-time enrolment
    link (returned raw, shown once). ``teams`` are ``cases.Team`` objects chosen by the
    caller (accounts sits below the case core, so it never looks teams up itself)."""
    from django.contrib.auth.models import Group

    from balcao.accounts.permissions import check_can
    from balcao.accounts.roles import ADMIN

    check_can(actor, "staff.manage")
    names = _role_names(roles)
    user = User(
        username=username,
        first_name=first_name,
        last_name=last_name,
        email=email.strip(),
        is_active=True,
        is_staff=ADMIN in names,
        is_superuser=ADMIN in names,
    )
    user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    user.groups.set(Group.objects.filter(name__in=names))
    if teams:
        user.teams.set(list(teams))
    detail = "; ".join(
        part
        for part in (
            f"roles: {', '.join(names)}" if names else "",
            f"teams: {', '.join(t.slug for t in teams)}" if teams else "",
        )
        if part
    )
    from balcao.accounts.models import StaffChange

    _record(actor, user, StaffChange.Action.CREATE, detail)
    _link, raw = do_issue_enrolment_link(
        user, via=EnrolmentLink.Via.CONSOLE, issued_by=actor if actor.pk else None
    )
    return user, raw


@transaction.atomic
def do_set_roles(actor, user: User, roles) -> None:
    """Replace ``user``'s roles; an admin never removes their own admin role."""
    from django.contrib.auth.models import Group

    from balcao.accounts.models import StaffChange
    from balcao.accounts.permissions import PermissionDenied, check_can
    from balcao.accounts.roles import ADMIN, ROLES

    check_can(actor, "staff.manage")
    names = _role_names(roles)
    if user.pk == getattr(actor, "pk", None) and ADMIN not in names:
        raise PermissionDenied(_("Você não pode remover o seu próprio papel de administrador."))
    before = sorted(set(user.groups.filter(name__in=ROLES).values_list("name", flat=True)))
    if before == names:
        return
    user.groups.remove(*Group.objects.filter(name__in=ROLES))
    user.groups.add(*Group.objects.filter(name__in=names))
    user.is_staff = user.is_superuser = ADMIN in names
    user.save(update_fields=["is_staff", "is_superuser"])
    user.__dict__.pop("_balcao_roles", None)
    _record(actor, user, StaffChange.Action.ROLES, f"{', '.join(before)} → {', '.join(names)}")


@transaction.atomic
def do_set_teams(actor, user: User, teams) -> None:
    """Replace ``user``'s teams with ``teams`` (``cases.Team`` objects)."""
    from balcao.accounts.models import StaffChange
    from balcao.accounts.permissions import check_can

    check_can(actor, "staff.manage")
    before = sorted(user.teams.values_list("slug", flat=True))
    after = sorted(t.slug for t in teams)
    if before == after:
        return
    user.teams.set(list(teams))
    _record(actor, user, StaffChange.Action.TEAMS, f"{', '.join(before)} → {', '.join(after)}")


@transaction.atomic
def do_set_active(actor, user: User, active: bool) -> None:
    """Deactivate (no sign-in, open links stop working) or reactivate; never oneself."""
    from balcao.accounts.models import StaffChange
    from balcao.accounts.permissions import PermissionDenied, check_can

    check_can(actor, "staff.manage")
    if user.pk == getattr(actor, "pk", None) and not active:
        raise PermissionDenied(_("Você não pode desativar a si mesmo."))
    if user.is_active == active:
        return
    user.is_active = active
    user.save(update_fields=["is_active"])
    _record(
        actor,
        user,
        StaffChange.Action.REACTIVATE if active else StaffChange.Action.DEACTIVATE,
    )


@transaction.atomic
def do_reissue_enrolment(actor, user: User) -> str:
    """A new enrolment link (returned raw, shown once); the person's TOTP devices are
    removed, so a lost phone stops working at once."""
    from balcao.accounts.models import StaffChange
    from balcao.accounts.permissions import check_can

    check_can(actor, "staff.manage")
    removed, _detail = TOTPDevice.objects.filter(user=user).delete()
    _link, raw = do_issue_enrolment_link(
        user, via=EnrolmentLink.Via.CONSOLE, issued_by=actor if actor.pk else None
    )
    _record(actor, user, StaffChange.Action.ENROLMENT, f"devices removed: {removed}")
    return raw
