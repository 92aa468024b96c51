"""The live chat in the console (issue 24, "For the agent and the supervisor"; seed 004, IPM
Atende.Net "Chat de Atendimento On-line").

The agent's desk (``/console/chat/``): presence, the incoming queue, the conversations they
hold (several at once, up to their maximum) and the selected one's thread, with its message
box (files), internal notes, canned replies, transfer and close with a reason. Every action is
a plain POST form that redirects back, so the page works without its script; the script
(``console-chat.js``) joins ``ws/console/chat/`` and makes it live. The supervisors' live view
(``/console/chat/supervisao/``): the queue with its waits, the agents' states and their open
conversations, "assumir" and transfer, refreshed by htmx polling.

Views parse and check the request, then call ``livechat.services``; a refusal comes back
with its reason (beside the field when a form was at fault, HTTP 400).
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from balcao.accounts.roles import has_capability
from balcao.audit import services as audit
from balcao.console import timeline
from balcao.console.decorators import staff_view
from balcao.console.forms import MultipleFileField
from balcao.errors import Refused
from balcao.livechat import console as chat_console
from balcao.livechat import services
from balcao.livechat.models import AgentPresence, ChatSession

SUPERVISION_POLL_SECONDS = 5
FIRST_MESSAGE_CHARS = 200
#: The presence an agent sets; "busy" is the system's (at their maximum).
CHOSEN_STATUSES = [
    AgentPresence.Status.AVAILABLE,
    AgentPresence.Status.PAUSED,
    AgentPresence.Status.OFFLINE,
]


# --- forms ------------------------------------------------------------------------------


class PresenceForm(forms.Form):
    status = forms.ChoiceField(
        label=gettext_lazy("Minha situação no chat"),
        choices=[(s.value, s.label) for s in CHOSEN_STATUSES],
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "presence-%s")
        super().__init__(*args, **kwargs)


class ChatMessageForm(forms.Form):
    """A message to the person, with files (checked by the channel's rules on sending)."""

    text = forms.CharField(
        label=gettext_lazy("Mensagem"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=services.MAX_TEXT,
    )
    files = MultipleFileField(label=gettext_lazy("Arquivos"), required=False)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "chat-%s")
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        if not (cleaned.get("text") or "").strip() and not cleaned.get("files"):
            self.add_error("text", _("A mensagem está vazia."))
        return cleaned


class NoteForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Nota interna (a pessoa não vê)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=services.MAX_TEXT,
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "note-%s")
        super().__init__(*args, **kwargs)


class CloseForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Motivo do encerramento"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        error_messages={"required": gettext_lazy("Informe o motivo do encerramento.")},
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "close-%s")
        super().__init__(*args, **kwargs)


class TransferForm(forms.Form):
    """To another agent (the conversation stays in progress, with them) or to a team (back
    to the queue for its members): one of the two."""

    agent = forms.ModelChoiceField(
        label=gettext_lazy("Para o atendente"), queryset=None, required=False
    )
    team = forms.ModelChoiceField(
        label=gettext_lazy("Ou para a equipe"), queryset=None, required=False
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "transfer-%s")
        super().__init__(*args, **kwargs)
        self.fields["agent"].queryset = chat_console.transfer_agents()
        self.fields["team"].queryset = chat_console.transfer_teams()

    def clean(self):
        cleaned = super().clean()
        if bool(cleaned.get("agent")) == bool(cleaned.get("team")):
            self.add_error("agent", _("Escolha um atendente ou uma equipe."))
        return cleaned


# --- the agent's desk -------------------------------------------------------------------


def _queue(user) -> list[dict]:
    """The conversations this agent may accept (all of them for a supervisor), oldest
    first, with their wait, module and first message (no personal data)."""
    now = timezone.now()
    sees_all = has_capability(user, "cases.assign")
    rows = []
    for session in services.waiting_sessions(for_user=None if sees_all else user).distinct():
        case = session.case
        rows.append(
            {
                "session": session,
                "case": case,
                "wait": chat_console.format_wait(chat_console.waited(session.queued_at, now)),
                "service": case.service.name if case.service_id else "",
                "first": (case.description or case.subject)[:FIRST_MESSAGE_CHARS],
            }
        )
    return rows


def _held(user) -> list[dict]:
    sessions = services.sessions_of_agent(user).select_related("case").order_by("accepted_at")
    return [{"session": s, "unread": services.unread_for_agent(s)} for s in sessions]


def _lists_context(request, selected: int | None = None) -> dict:
    user = request.user
    presence = services.presence_of(user)
    return {
        "queue": _queue(user),
        "held": _held(user),
        "selected_pk": selected,
        "presence": presence,
        "full": services.active_count(user) >= presence.max_chats,
    }


def _selected(request) -> ChatSession | None:
    """The conversation chosen with ``?conversa=``, when this agent holds it."""
    try:
        pk = int(request.GET.get("conversa") or 0)
    except ValueError:
        return None
    if not pk:
        return None
    return (
        services.sessions_of_agent(request.user)
        .select_related("case", "case__state", "case__service", "requester", "channel")
        .filter(pk=pk)
        .first()
    )


def _desk(request, *, session: ChatSession | None = None, status: int = 200, **given):
    """The desk; ``given`` are bound forms that came back with errors."""
    user = request.user
    if session is None:
        session = _selected(request)
    lists = _lists_context(request, session.pk if session else None)
    context = {
        **lists,
        "presence_form": PresenceForm(initial={"status": lists["presence"].status}),
        "session": session,
        "poll": SUPERVISION_POLL_SECONDS,
    }
    if session is not None:
        if services.unread_for_agent(session):
            session = services.do_mark_read(session, by_person=False, user=user)
        case = session.case
        context.update(
            {
                "case": case,
                "requester": audit.reveal_requester(
                    session.requester,
                    user=user,
                    where=f"console: chat {case.protocol}",
                    ip=audit.client_ip(request),
                ),
                "messages_html": timeline.messages_html(
                    case.messages.select_related("author_user").prefetch_related("attachments"),
                    attachment_url=lambda pk: reverse(
                        "console:attachment_download", args=[case.pk, pk]
                    ),
                ),
                "attachment_base": reverse("console:attachment_download", args=[case.pk, 0])[
                    : -len("0/")
                ],
                "message_form": given.get("message_form") or ChatMessageForm(),
                "note_form": given.get("note_form") or NoteForm(),
                "close_form": given.get("close_form") or CloseForm(),
                "transfer_form": given.get("transfer_form") or TransferForm(),
                "can_note": has_capability(user, "cases.note"),
            }
        )
    for form in given.values():
        first = next((field for field in form.errors if field in form.fields), None)
        if first:
            form.fields[first].widget.attrs["autofocus"] = True
    if given:
        messages.error(request, _("Não foi possível concluir: veja o erro junto ao campo."))
    return render(request, "console/chat/desk.html", context, status=status)


@staff_view("cases.reply")
def desk(request):
    return _desk(request)


@staff_view("cases.reply")
def desk_lists(request):
    """The queue and the held conversations, fetched again by the script on queue events."""
    try:
        selected = int(request.GET.get("conversa") or 0) or None
    except ValueError:
        selected = None
    return render(request, "console/chat/_lists.html", _lists_context(request, selected))


def _desk_url(pk: int | None = None) -> str:
    url = reverse("console:chat_desk")
    return f"{url}?conversa={pk}" if pk else url


def _session_or_404(pk: int) -> ChatSession:
    return get_object_or_404(
        ChatSession.objects.select_related("case", "case__state", "requester", "channel"), pk=pk
    )


def _held_or_404(request, pk: int) -> ChatSession:
    """A conversation this user holds; any other is "not found" (nobody reads another's)."""
    session = _session_or_404(pk)
    if session.agent_id != request.user.pk:
        raise Http404
    return session


@require_POST
@staff_view("cases.reply")
def presence(request):
    form = PresenceForm(request.POST)
    if form.is_valid():
        try:
            services.do_set_presence(request.user, form.cleaned_data["status"])
        except Refused as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Situação atualizada."))
    else:
        messages.error(request, _("Situação desconhecida."))
    return redirect(_desk_url())


@require_POST
@staff_view("cases.reply")
def accept(request, pk: int):
    """ "Atender": refused past the agent's maximum, when paused or offline, or when someone
    else answered first (``services.do_accept``)."""
    session = _session_or_404(pk)
    try:
        services.do_accept(request.user, session)
    except Refused as exc:
        messages.error(request, str(exc))
        return redirect(_desk_url())
    messages.success(
        request, _("Conversa %(protocol)s atendida.") % {"protocol": session.case.protocol}
    )
    return redirect(_desk_url(session.pk))


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


@require_POST
@staff_view("cases.reply")
def send(request, pk: int):
    """A message with files to the person (seed 004: "usuário e atendente poderão enviar
    arquivos"); JSON for the script (``{"ok", "message"}`` or ``{"ok": false, "error"}``),
    a redirect for the plain form. A refused file says why (type or size, by its content)."""
    session = _held_or_404(request, pk)
    form = ChatMessageForm(request.POST, request.FILES)
    error = None
    if form.is_valid():
        try:
            message = services.do_send(
                session,
                author_user=request.user,
                text=form.cleaned_data["text"],
                files=form.cleaned_data["files"] or [],
            )
        except Refused as exc:
            error = str(exc)
            form.add_error("files" if request.FILES else "text", error)
    else:
        error = " ".join(str(e) for errors in form.errors.values() for e in errors)
    if _wants_json(request):
        if error:
            return JsonResponse({"ok": False, "error": error}, status=400)
        return JsonResponse({"ok": True, "message": services.message_data(message)})
    if error:
        return _desk(request, session=session, status=400, message_form=form)
    return redirect(_desk_url(session.pk))


@require_POST
@staff_view("cases.reply")
def note(request, pk: int):
    """An internal note: on the case, never shown to the person (``services.do_add_note``)."""
    session = _held_or_404(request, pk)
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            message = services.do_add_note(
                session, author_user=request.user, text=form.cleaned_data["text"]
            )
        except Refused as exc:
            form.add_error("text", str(exc))
    if form.errors:
        if _wants_json(request):
            return JsonResponse({"ok": False, "error": form.errors["text"][0]}, status=400)
        return _desk(request, session=session, status=400, note_form=form)
    if _wants_json(request):
        return JsonResponse({"ok": True, "message": services.message_data(message)})
    messages.success(request, _("Nota interna registrada."))
    return redirect(_desk_url(session.pk))


@require_POST
@staff_view("cases.reply")
def close(request, pk: int):
    """Close with a closing reason (required); the person gets the record by e-mail."""
    session = _held_or_404(request, pk)
    form = CloseForm(request.POST)
    if form.is_valid():
        try:
            services.do_close_by_agent(session, request.user, form.cleaned_data["reason"])
        except Refused as exc:
            form.add_error("reason", str(exc))
    if form.errors:
        return _desk(request, session=session, status=400, close_form=form)
    messages.success(
        request, _("Conversa %(protocol)s encerrada.") % {"protocol": session.case.protocol}
    )
    return redirect(_desk_url())


@staff_view("cases.reply")
def transfer(request, pk: int):
    """Transfer to another agent or a team: the holder their own (the desk's form), a
    supervisor anyone's (this page, linked from the live view; ``services.do_transfer``)."""
    if request.method != "POST" and not has_capability(request.user, "queues.manage"):
        raise PermissionDenied
    session = _session_or_404(pk)
    supervising = has_capability(request.user, "queues.manage") and (
        request.method == "GET" or request.POST.get("origem") == "supervisao"
    )
    if not supervising and (request.method != "POST" or session.agent_id != request.user.pk):
        raise Http404
    form = TransferForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            services.do_transfer(
                session,
                actor=request.user,
                to_agent=form.cleaned_data["agent"],
                to_team=form.cleaned_data["team"],
            )
        except Refused as exc:
            form.add_error("agent", str(exc))
        else:
            messages.success(
                request,
                _("Conversa %(protocol)s transferida.") % {"protocol": session.case.protocol},
            )
            return redirect("console:chat_supervision" if supervising else _desk_url())
    if not supervising:
        return _desk(request, session=session, status=400, transfer_form=form)
    return render(
        request,
        "console/chat/transfer.html",
        {"session": session, "case": session.case, "form": form},
        status=400 if form.errors else 200,
    )


# --- the supervisors' live view ---------------------------------------------------------


def _supervision_context() -> dict:
    now = timezone.now()
    waiting = [
        {
            "session": s,
            "wait": chat_console.format_wait(chat_console.waited(s.queued_at, now)),
            "position": n,
        }
        for n, s in enumerate(services.waiting_sessions().select_related("case__team"), 1)
    ]
    live = [
        {
            "session": s,
            "since": chat_console.format_wait(chat_console.waited(s.accepted_at, now)),
        }
        for s in chat_console.live_sessions()
    ]
    agents = list(chat_console.agents_board())
    return {
        "waiting": waiting,
        "live": live,
        "agents": agents,
        "poll": SUPERVISION_POLL_SECONDS,
    }


@staff_view("queues.manage")
def supervision(request):
    return render(request, "console/chat/supervision.html", _supervision_context())


@staff_view("queues.manage")
def supervision_live(request):
    return render(request, "console/chat/_supervision.html", _supervision_context())


@require_POST
@staff_view("queues.manage")
def take_over(request, pk: int):
    """ "Assumir": the supervisor transfers the conversation to themself and answers it."""
    session = _session_or_404(pk)
    try:
        services.do_transfer(session, actor=request.user, to_agent=request.user)
    except Refused as exc:
        messages.error(request, str(exc))
        return redirect("console:chat_supervision")
    messages.success(
        request, _("Você assumiu a conversa %(protocol)s.") % {"protocol": session.case.protocol}
    )
    return redirect(_desk_url(session.pk))


urlpatterns = [
    path("", desk, name="chat_desk"),
    path("listas/", desk_lists, name="chat_desk_lists"),
    path("presenca/", presence, name="chat_presence"),
    path("<int:pk>/atender/", accept, name="chat_accept"),
    path("<int:pk>/mensagem/", send, name="chat_send"),
    path("<int:pk>/nota/", note, name="chat_note"),
    path("<int:pk>/encerrar/", close, name="chat_close"),
    path("<int:pk>/transferir/", transfer, name="chat_transfer"),
    path("<int:pk>/assumir/", take_over, name="chat_take_over"),
    path("supervisao/", supervision, name="chat_supervision"),
    path("supervisao/ao-vivo/", supervision_live, name="chat_supervision_live"),
]
