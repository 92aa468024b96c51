"""Staff pages of Conecta Todos (issue 25), included under ``/console/agendamento/``:
the sessions with their counts and the form to publish a date range (supervisors), and each
session's registrations, waiting list and attendance (the hosts)."""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from balcao.accounts.roles import CAPABILITIES, has_capability
from balcao.scheduling import services
from balcao.scheduling.forms import PublishForm
from balcao.scheduling.models import Registration


def staff_view(capability: str):
    """Verified (2FA) staff session holding ``capability``: the console's own rule
    (``console.decorators.staff_view``), repeated here since this app sits below the
    console and may not import it."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            user = request.user
            if not user.is_authenticated or not user.is_verified():
                return redirect_to_login(request.get_full_path())
            if not has_capability(user, capability):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapper.capability = capability  # type: ignore[attr-defined]
        return wrapper

    return decorator


def _hosts():
    roles = CAPABILITIES[services.HOST_CAPABILITY]
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(Q(groups__name__in=roles) | Q(is_superuser=True))
        .distinct()
        .order_by("first_name", "username")
    )


@require_http_methods(["GET", "POST"])
@staff_view(services.HOST_CAPABILITY)
def session_list(request):
    """Upcoming and recent sessions with their counts; the publishing form for those who
    may publish (``services.PUBLISH_CAPABILITY``)."""
    can_publish = has_capability(request.user, services.PUBLISH_CAPABILITY)
    form = None
    status = 200
    if can_publish:
        form = PublishForm(
            request.POST or None,
            channels=services.open_sessions_channels(),
            hosts=_hosts(),
        )
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            try:
                created = services.do_publish_sessions(
                    data["channel"],
                    data["first"],
                    data["last"],
                    times=data["times"],
                    capacity=data["capacity"],
                    hosts=data["hosts"],
                    actor=request.user,
                    pattern=data["pattern"],
                )
            except services.SchedulingError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, str(exc))
                status = 400
            else:
                messages.success(
                    request, _("%(count)s sessão(ões) publicada(s).") % {"count": len(created)}
                )
                return redirect("console:scheduling_sessions")
        else:
            status = 400
    since = timezone.now() - timezone.timedelta(days=14)
    sessions = list(
        services.sessions_with_counts()
        .filter(starts_at__gte=since)
        .order_by("starts_at", "pk")[:200]
    )
    return render(
        request,
        "scheduling/console_sessions.html",
        {"sessions": sessions, "form": form},
        status=status,
    )


@require_http_methods(["GET", "POST"])
@staff_view(services.HOST_CAPABILITY)
def session_detail(request, pk: int):
    """A session's registrations and waiting list; hosts mark attendance and note the
    questions asked (issue 25)."""
    session = get_object_or_404(services.sessions_with_counts().prefetch_related("hosts"), pk=pk)
    registrations = list(session.registrations.order_by("created_at", "pk"))
    if request.method == "POST":
        for registration in registrations:
            if registration.status != Registration.Status.CONFIRMED:
                continue
            mark = request.POST.get(f"attended-{registration.pk}", "")
            attended = {"yes": True, "no": False}.get(mark)
            questions = request.POST.get(f"questions-{registration.pk}", registration.questions)
            if attended != registration.attended or questions.strip() != registration.questions:
                services.do_mark_attendance(registration, attended, questions, actor=request.user)
        messages.success(request, _("Presenças registradas."))
        return redirect("console:scheduling_session", pk=session.pk)
    confirmed = [r for r in registrations if r.status == Registration.Status.CONFIRMED]
    waiting = [r for r in registrations if r.status == Registration.Status.WAITING]
    cancelled = [r for r in registrations if r.status == Registration.Status.CANCELLED]
    return render(
        request,
        "scheduling/console_session.html",
        {
            "session": session,
            "confirmed": confirmed,
            "waiting": waiting,
            "cancelled": cancelled,
            "attended": sum(1 for r in confirmed if r.attended),
        },
    )


urlpatterns = [
    path("agendamento/", session_list, name="scheduling_sessions"),
    path("agendamento/<int:pk>/", session_detail, name="scheduling_session"),
]
