"""Staff login views: thin wrappers over accounts.services."""

from __future__ import annotations

import base64
import io

import qrcode
import qrcode.image.svg
from django import forms
from django.contrib import auth
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django_otp import login as otp_login

from balcao.accounts import services
from balcao.accounts.models import User
from balcao.accounts.roles import has_capability

PENDING_KEY = "balcao_pending_user"


class PasswordForm(forms.Form):
    username = forms.CharField(label=_("Usuário"), max_length=150)
    password = forms.CharField(label=_("Senha"), widget=forms.PasswordInput)


class TokenForm(forms.Form):
    token = forms.CharField(
        label=_("Código de verificação (6 dígitos)"), max_length=10,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


def _ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR")


@never_cache
@sensitive_post_parameters("password")
def login_view(request):
    form = PasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.check_password_step(
                request, form.cleaned_data["username"], form.cleaned_data["password"], _ip(request)
            )
        except services.LoginError as exc:
            form.add_error(None, str(exc))
        else:
            request.session[PENDING_KEY] = user.pk
            return redirect("accounts:verify")
    return render(request, "accounts/login.html", {"form": form})


def _qr_svg(url: str) -> str:
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage)
    buffer = io.BytesIO()
    image.save(buffer)
    return buffer.getvalue().decode()


@never_cache
def verify_view(request):
    user_id = request.session.get(PENDING_KEY)
    user = User.objects.filter(pk=user_id, is_active=True).first() if user_id else None
    if user is None:
        return redirect("accounts:login")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = services.check_token_step(user, form.cleaned_data["token"], _ip(request))
        except services.LoginError as exc:
            form.add_error("token", str(exc))
        else:
            del request.session[PENDING_KEY]
            auth.login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            otp_login(request, device)
            return redirect(_safe_next(request) or _home_for(user))
    context = {"form": form, "user_pending": user}
    if services.confirmed_device(user) is None:
        device = services.pending_enrolment_device(user)
        context["enrol_qr"] = _qr_svg(device.config_url)
        context["enrol_secret"] = base64.b32encode(device.bin_key).decode()
    return render(request, "accounts/verify.html", context)


def _home_for(user) -> str:
    """Where a member of staff lands: cases, or the knowledge base for its editors."""
    if not has_capability(user, "cases.view") and has_capability(user, "kb.edit"):
        return reverse("kb:article_list")
    return reverse("console:case_list")


def _safe_next(request) -> str:
    target = request.GET.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return ""


def logout_view(request):
    if request.method == "POST":
        auth.logout(request)
    return redirect("accounts:login")
