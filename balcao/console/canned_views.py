"""Console pages of the canned answers (/console/respostas-prontas/): the list every case
worker can read and copy from, and, for who manages them (knowledge managers, supervisors,
managers, admins: ``kb.canned.may_manage``), adding, editing and (de)activating."""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from balcao.console import forms
from balcao.kb import canned
from balcao.kb.models import CannedAnswer


def canned_view(*, manage: bool):
    """A verified (2FA) staff session that manages canned answers, or (``manage=False``)
    also one that uses them; the rule lives in ``kb.canned`` (two capabilities decide)."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            user = request.user
            if not user.is_authenticated or not user.is_verified():
                return redirect_to_login(request.get_full_path())
            if not (canned.may_manage(user) or (not manage and canned.may_use(user))):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


@canned_view(manage=False)
def canned_list(request):
    answers = canned.visible_to(request.user).select_related("team", "created_by")
    return render(
        request,
        "console/canned_list.html",
        {
            "answers": answers.order_by("-active", "title", "pk")[:500],
            "may_manage": canned.may_manage(request.user),
        },
    )


@canned_view(manage=True)
def canned_edit(request, pk: int | None = None):
    answer = get_object_or_404(CannedAnswer, pk=pk) if pk is not None else None
    initial = {"title": answer.title, "body": answer.body, "team": answer.team_id} if answer else {}
    form = forms.CannedAnswerForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            canned.do_save_canned_answer(answer, actor=request.user, **form.cleaned_data)
        except canned.Refused as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Resposta pronta salva."))
            return redirect("console:canned_list")
    return render(
        request,
        "console/canned_edit.html",
        {"form": form, "answer": answer},
        status=400 if form.errors else 200,
    )


@require_POST
@canned_view(manage=True)
def canned_active(request, pk: int):
    answer = get_object_or_404(CannedAnswer, pk=pk)
    active = request.POST.get("active") == "1"
    canned.do_set_canned_active(answer, actor=request.user, active=active)
    messages.success(
        request, _("Resposta pronta reativada.") if active else _("Resposta pronta desativada.")
    )
    return redirect("console:canned_list")
