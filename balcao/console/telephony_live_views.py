"""The contact centre live, in the console (issue 23; seed 003, Parte II 9.1 and 10.9:
supervisors follow the calls "em tempo real"): the supervisors' wallboard, the agent's
screen-pop of the caller on file with the case opened from the call, and the agents' phone
interfaces. Parse the request, call ``balcao.telephony.screenpop``, render; the live parts
are fragments polled with htmx."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from balcao.audit import services as audit
from balcao.console.decorators import staff_view
from balcao.errors import Refused
from balcao.telephony import screenpop
from balcao.telephony.models import AgentPhone

WALLBOARD_POLL_SECONDS = 3
SCREENPOP_POLL_SECONDS = 2
NEW_CALLER = "novo"
#: The wallboard's words for an agent's state (``balcao.telephony.live.Member.state``).
AGENT_STATES = {
    "free": gettext_lazy("livre"),
    "busy": gettext_lazy("em chamada"),
    "ringing": gettext_lazy("tocando"),
    "paused": gettext_lazy("em pausa"),
    "unavailable": gettext_lazy("indisponível"),
}


# --- wallboard --------------------------------------------------------------------------


def _wallboard_context() -> dict:
    snapshot = screenpop.live_snapshot()
    board = None
    if snapshot is not None:
        board = screenpop.wallboard(snapshot, screenpop.staff_by_interface())
        for agent in board["agents"]:
            agent["state_label"] = AGENT_STATES.get(agent["state"], agent["state"])
    return {
        "board": board,
        "today": screenpop.today_figures(),
        "poll": WALLBOARD_POLL_SECONDS,
    }


@staff_view("telephony.monitor")
def wallboard(request):
    return render(request, "console/telephony_live/wallboard.html", _wallboard_context())


@staff_view("telephony.monitor")
def wallboard_live(request):
    return render(request, "console/telephony_live/_wallboard.html", _wallboard_context())


# --- screen-pop -------------------------------------------------------------------------


class OpenFromCallForm(forms.Form):
    """Whom the case is for: one of the people on file with the caller's number, or a new
    contact with just the phone."""

    callid = forms.CharField(widget=forms.HiddenInput, max_length=150)
    requester = forms.ChoiceField(
        label=gettext_lazy("Para quem é o atendimento"), widget=forms.RadioSelect
    )

    def __init__(self, *args, people=(), **kwargs):
        kwargs.setdefault("auto_id", "chamada-%s")
        super().__init__(*args, **kwargs)
        self.people = {str(person["pk"]): person for person in people}
        self.fields["requester"].choices = [
            *((pk, person["name"] or _("(sem nome)")) for pk, person in self.people.items()),
            (NEW_CALLER, _("Uma pessoa nova, só com este telefone")),
        ]
        self.fields["requester"].initial = next(iter(self.people), NEW_CALLER)


def _screenpop_context(request, *, unless_state: str | None = None) -> dict | None:
    """The user's interface, the call on it (or the last one), the people on file with the
    caller's number, each revealed through the audit (one row per person and call), and
    their open cases. None when what would be shown is ``unless_state`` (nothing changed)."""
    user = request.user
    interface = screenpop.agent_interface(user)
    snapshot = screenpop.live_snapshot()
    call = None
    if interface is not None:
        call = screenpop.current_call_for(user, snapshot, interface) or screenpop.last_call_of(user)
    state = ":".join(
        (str(int(snapshot is not None)), *((call.callid, str(int(call.live))) if call else ()))
    )
    if state == unless_state:
        return None
    context: dict = {
        "interface": interface,
        "feed_on": snapshot is not None,
        "poll": SCREENPOP_POLL_SECONDS,
        "call": call,
        "state": state,
    }
    if call is None:
        return context
    people = []
    ip = audit.client_ip(request)
    purpose = _("chamada telefônica %(callid)s") % {"callid": call.callid}
    for person in screenpop.callers_on_file(call.number):
        shown = audit.reveal_requester(
            person, user=user, where="console: tela da chamada", purpose=purpose, ip=ip
        )
        people.append({"pk": person.pk, **shown, "cases": screenpop.open_cases_of(person, user)})
    context.update(
        answered_at=timezone.localtime() - timedelta(seconds=call.seconds) if call.live else None,
        people=people,
        opened=screenpop.cases_opened_from(call.callid, user),
        form=OpenFromCallForm(initial={"callid": call.callid}, people=people),
    )
    return context


@staff_view("telephony.answer")
def screenpop_page(request):
    return render(request, "console/telephony_live/screenpop.html", _screenpop_context(request))


@staff_view("telephony.answer")
def screenpop_live(request):
    """The polled fragment; 204 (htmx keeps what it shows, no query for the people on file)
    while the call shown is the same, so that the choice being made in the form is not
    swapped away."""
    context = _screenpop_context(request, unless_state=request.GET.get("estado", ""))
    if context is None:
        return HttpResponse(status=204)
    return render(request, "console/telephony_live/_screenpop.html", context)


@require_POST
@staff_view("telephony.answer")
def screenpop_open(request):
    """The button "Abrir atendimento desta chamada": a case on the phone channel for the
    caller, then its page."""
    user = request.user
    try:
        call = screenpop.check_call_of(
            user, request.POST.get("callid", ""), screenpop.live_snapshot()
        )
        people = {str(p.pk): p for p in screenpop.callers_on_file(call.number)}
        choice = request.POST.get("requester", NEW_CALLER)
        if choice != NEW_CALLER and choice not in people:
            raise Refused(_("Escolha uma das pessoas com este número ou uma pessoa nova."))
        case = screenpop.do_open_case_from_call(
            user, call.callid, call.number, requester=people.get(choice), queue=call.queue
        )
    except Refused as exc:
        messages.error(request, str(exc))
        return redirect("console:telephony_screenpop")
    messages.success(
        request, _("Atendimento %(protocol)s aberto desta chamada.") % {"protocol": case.protocol}
    )
    return redirect("console:case_detail", case.pk)


# --- agents' phone interfaces -----------------------------------------------------------


class AgentPhoneForm(forms.Form):
    member = forms.ModelChoiceField(
        label=gettext_lazy("Membro da equipe"),
        queryset=AgentPhone.objects.none(),
        empty_label=gettext_lazy("Escolha quem atende"),
    )
    interface = forms.CharField(
        label=gettext_lazy("Ramal no PBX"),
        max_length=120,
        required=False,
        help_text=gettext_lazy(
            "Como o PBX liga para a pessoa na fila, por exemplo PJSIP/201. "
            "Em branco: retira o ramal."
        ),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "ramal-%s")
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = screenpop.answerers()
        self.fields["member"].label_from_instance = lambda u: u.get_full_name() or u.username


@staff_view("telephony.manage")
def agent_phones(request):
    status = 200
    if request.method == "POST":
        form = AgentPhoneForm(request.POST)
        if form.is_valid():
            member, interface = form.cleaned_data["member"], form.cleaned_data["interface"]
            try:
                phone = screenpop.do_set_agent_phone(member, interface)
            except Refused as exc:
                form.add_error("interface", str(exc))
            else:
                name = member.get_full_name() or member.get_username()
                if phone is None:
                    messages.success(request, _("Ramal de %(name)s retirado.") % {"name": name})
                else:
                    messages.success(
                        request,
                        _("%(name)s atende no ramal %(interface)s.")
                        % {"name": name, "interface": phone.interface},
                    )
                return redirect("console:telephony_agent_phones")
        status = 400
    else:
        chosen = request.GET.get("membro")
        initial = {}
        if chosen and chosen.isdigit():
            initial = {
                "member": chosen,
                "interface": AgentPhone.objects.filter(user_id=chosen)
                .values_list("interface", flat=True)
                .first()
                or "",
            }
        form = AgentPhoneForm(initial=initial)
    return render(
        request,
        "console/telephony_live/agent_phones.html",
        {"form": form, "members": screenpop.answerers()},
        status=status,
    )


urlpatterns = [
    path("painel/", wallboard, name="telephony_wallboard"),
    path("painel/ao-vivo/", wallboard_live, name="telephony_wallboard_live"),
    path("minha-chamada/", screenpop_page, name="telephony_screenpop"),
    path("minha-chamada/ao-vivo/", screenpop_live, name="telephony_screenpop_live"),
    path("minha-chamada/abrir/", screenpop_open, name="telephony_screenpop_open"),
    path("ramais/", agent_phones, name="telephony_agent_phones"),
]
