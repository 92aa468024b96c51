"""The person's side of Conecta Todos on the portal (issue 25): the published sessions with
their seats, the sign-up form, the confirmation, and the cancel link of the e-mails."""

from __future__ import annotations

from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from balcao.cases import intake
from balcao.client import client_address
from balcao.scheduling import services
from balcao.scheduling.forms import SignUpForm


def open_sessions_page(request, channel, card):
    """``canais/<slug>/agendamento/`` for a channel of open sessions: list and sign up."""
    sessions = list(services.upcoming_sessions(channel)[:60])
    for session in sessions:
        session.seats_left = max(0, session.capacity - session.confirmed)
    status = 200
    if request.method == "POST":
        form = SignUpForm(request.POST, sessions=sessions)
        if form.is_valid():
            session = next(s for s in sessions if s.pk == form.cleaned_data["session"])
            address = client_address(request)
            try:
                intake.check_rate(address)
                registration = services.do_register(
                    session,
                    form.cleaned_data["name"],
                    form.cleaned_data["email"],
                    form.cleaned_data["subject"],
                )
            except intake.RateLimited as exc:
                form.add_error(None, str(exc))
                status = 429
            except services.SchedulingError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, str(exc))
                status = 400
            else:
                intake.count_submission(address)
                return render(
                    request,
                    "scheduling/registered.html",
                    {"channel": card, "registration": registration, "session": session},
                )
        else:
            status = 400
    else:
        form = SignUpForm(sessions=sessions)
    return render(
        request,
        "scheduling/open_sessions.html",
        {"channel": card, "sessions": sessions, "form": form},
        status=status,
    )


@require_http_methods(["GET", "POST"])
def cancel(request, token):
    """``agendamento/cancelar/<token>/``: GET shows the registration, POST cancels it."""
    try:
        registration = services.registration_of_token(token)
    except services.SchedulingError as exc:
        return render(request, "scheduling/cancel.html", {"error": str(exc)}, status=404)
    error = ""
    done = False
    status = 200
    if request.method == "POST":
        try:
            registration = services.do_cancel(token)
        except services.SchedulingError as exc:
            error = str(exc)
            status = 400
        else:
            done = True
    return render(
        request,
        "scheduling/cancel.html",
        {
            "registration": registration,
            "session": registration.session,
            "done": done,
            "error": error,
        },
        status=status,
    )
