"""Staff login views: thin wrappers over accounts.services."""

from __future__ import annotations

import base64
import io
from urllib.parse import urlencode

import qrcode
import qrcode.image.svg
from django import forms
from django.conf import settings
from django.contrib import auth
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from balcao.accounts import services
from balcao.accounts.roles import has_capability
from balcao.client import client_address

ENROL_KEY = "balcao_enrolment"
KNOWN_DEVICE_COOKIE = "balcao_known_device"
KNOWN_DEVICE_SALT = "balcao.accounts.known-device"
KNOWN_DEVICE_AGE = 180 * 24 * 3600


class LoginForm(forms.Form):
    username = forms.CharField(label=_("Usuário"), max_length=150)
    password = forms.CharField(label=_("Senha"), widget=forms.PasswordInput)
    token = forms.CharField(
        label=_("Código de verificação (6 dígitos)"),
        max_length=10,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class PasswordForm(forms.Form):
    password = forms.CharField(label=_("Senha"), widget=forms.PasswordInput)


class TokenForm(forms.Form):
    token = forms.CharField(
        label=_("Código de verificação (6 dígitos)"),
        max_length=10,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class EnrolmentRequestForm(forms.Form):
    username = forms.CharField(label=_("Usuário"), max_length=150)


def _ip(request) -> str | None:
    return client_address(request, default=None)


def _known_device(request, username: str) -> str | None:
    value = request.get_signed_cookie(
        KNOWN_DEVICE_COOKIE, default=None, salt=KNOWN_DEVICE_SALT, max_age=KNOWN_DEVICE_AGE
    )
    return services.known_device_for(value, username)


def _remember_device(response, request, username: str) -> None:
    """After a full login: this browser is known for ``username`` (its own delay counter)."""
    if _known_device(request, username):
        return
    response.set_signed_cookie(
        KNOWN_DEVICE_COOKIE,
        services.known_device_tag(username),
        salt=KNOWN_DEVICE_SALT,
        max_age=KNOWN_DEVICE_AGE,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


def _sign_in(request, user, device):
    auth.login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    otp_login(request, device)


@never_cache
@sensitive_post_parameters("password", "token")
def login_view(request):
    """Username, password and code in one form; one answer whichever is wrong."""
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        username = form.cleaned_data["username"]
        try:
            user, device = services.check_login(
                request,
                username,
                form.cleaned_data["password"],
                form.cleaned_data["token"],
                _ip(request),
                known_device=_known_device(request, username),
            )
        except services.LoginError as exc:
            form.add_error(None, str(exc))
        else:
            _sign_in(request, user, device)
            response = redirect(_safe_next(request) or _home_for(user))
            _remember_device(response, request, username)
            return response
    return render(request, "accounts/login.html", {"form": form})


def admin_login_view(request):
    """The admin site signs in through the staff login (same delays, same one answer):
    ``/admin/login/`` forwards there, keeping ``next``."""
    url = reverse("accounts:login")
    target = request.GET.get("next") or reverse("admin:index")
    return redirect(f"{url}?{urlencode({'next': target})}")


def _qr_svg(url: str) -> str:
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage)
    buffer = io.BytesIO()
    image.save(buffer)
    return buffer.getvalue().decode()


@never_cache
def enrol_link_view(request, token: str):
    """Open a one-time enrolment link: keep it in the session, drop the token from the URL."""
    try:
        link = services.check_enrolment_link(token)
    except services.LoginError as exc:
        return render(request, "accounts/enrol.html", {"error": str(exc)}, status=410)
    request.session[ENROL_KEY] = {"link": link.pk}
    return redirect("accounts:enrol")


@never_cache
@sensitive_post_parameters("password", "token")
def enrol_view(request):
    """Password first (the link alone shows nothing), then the QR code and its first code."""
    state = request.session.get(ENROL_KEY) or {}
    try:
        link = services.check_enrolment_link(pk=state.get("link"))
    except services.LoginError as exc:
        request.session.pop(ENROL_KEY, None)
        return render(request, "accounts/enrol.html", {"error": str(exc)}, status=410)
    device = (
        TOTPDevice.objects.filter(pk=state.get("device"), user=link.user, confirmed=False).first()
        if state.get("device")
        else None
    )
    if device is None:
        form = PasswordForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                services.check_enrolment_password(
                    request, link, form.cleaned_data["password"], _ip(request)
                )
            except services.LoginError as exc:
                form.add_error("password", str(exc))
            else:
                device = services.do_start_enrolment(link)
                request.session[ENROL_KEY] = {"link": link.pk, "device": device.pk}
                return redirect("accounts:enrol")
        return render(request, "accounts/enrol.html", {"form": form, "person": link.user})
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user, device = services.do_confirm_enrolment(
                link.pk, device.pk, form.cleaned_data["token"]
            )
        except services.LoginError as exc:
            form.add_error("token", str(exc))
        else:
            request.session.pop(ENROL_KEY, None)
            _sign_in(request, user, device)
            response = redirect(_home_for(user))
            _remember_device(response, request, user.get_username())
            return response
    return render(
        request,
        "accounts/enrol.html",
        {
            "form": form,
            "person": link.user,
            "enrol_qr": _qr_svg(device.config_url),
            "enrol_secret": base64.b32encode(device.bin_key).decode(),
        },
    )


@never_cache
def enrol_request_view(request):
    """Ask for an enrolment link by e-mail; the answer is the same for every username."""
    form = EnrolmentRequestForm(request.POST or None)
    sent = False
    if request.method == "POST" and form.is_valid():
        try:
            services.do_request_enrolment_by_email(
                form.cleaned_data["username"],
                _ip(request),
                lambda raw: request.build_absolute_uri(reverse("accounts:enrol_link", args=[raw])),
            )
        except services.LoginError as exc:
            form.add_error(None, str(exc))
        else:
            sent = True
    return render(
        request,
        "accounts/enrol_request.html",
        {"form": form, "sent": sent, "link_hours": settings.BALCAO_ENROLMENT_LINK_HOURS},
    )


def _home_for(user) -> str:
    """Where a member of staff lands: cases, or the knowledge base for its editors."""
    if not has_capability(user, "cases.view") and has_capability(user, "kb.edit"):
        return reverse("console:article_list")
    return reverse("console:case_list")


def _safe_next(request) -> str:
    target = request.GET.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return ""


def logout_view(request):
    if request.method == "POST":
        auth.logout(request)
    return redirect("accounts:login")
