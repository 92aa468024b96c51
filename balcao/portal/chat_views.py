"""The person's live chat on the portal (issue 24; seed 004, IPM Atende.Net figs. 02–13):
"Meus Dados", "Novo Atendimento", the conversation page with its JSON endpoints, and the
widget's unread count.

Every page needs the proof of an e-mail ("Meus Atendimentos", ``cases.followup``); without
it the person is sent to prove it with a ``next`` back here. The views parse and check the
request and call ``livechat.services`` / ``livechat.portal``.
"""

from __future__ import annotations

import time
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from balcao.cases import followup
from balcao.cases.attachments import download_response
from balcao.cases.models import Attachment
from balcao.catalog.models import Service
from balcao.client import client_address
from balcao.errors import Refused
from balcao.livechat import portal as chat_portal
from balcao.livechat import services
from balcao.livechat.consumers import proven_email, snapshot
from balcao.livechat.models import ChatSession
from balcao.portal.services import format_due

MAX_FILES = 5


def _proof_redirect(request):
    query = urlencode({"next": request.get_full_path()})
    return redirect(f"{reverse('portal:my_cases_request')}?{query}")


def _email(request) -> str:
    return proven_email(request.session)


# --- forms ------------------------------------------------------------------------------


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field; each is checked by the chat service (by content)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, (list, tuple)):
            return [super(MultipleFileField, self).clean(d, initial) for d in data if d]
        return [super().clean(data, initial)] if data else []


class ContactForm(forms.Form):
    name = forms.CharField(label=_("Nome"), max_length=200)
    document = forms.CharField(label=_("CPF ou CNPJ"), max_length=20, required=False)
    email = forms.EmailField(label=_("E-mail"))
    phone = forms.CharField(label=_("Telefone"), max_length=32, required=False)


class NewChatForm(forms.Form):
    service = forms.ModelChoiceField(
        label=_("Módulo"), queryset=Service.objects.none(), required=False
    )
    reason = forms.CharField(
        label=_("Digite a sua dúvida"),
        max_length=services.MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    files = MultipleFileField(label=_("Arquivos (opcional)"), required=False)

    def __init__(self, *args, channel, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = Service.objects.filter(active=True).order_by("name")
        self.fields["files"].help_text = _(
            "Até %(n)s arquivos de até %(size)s MB cada; o conteúdo é conferido."
        ) % {"n": MAX_FILES, "size": max(1, channel.max_attachment_bytes // (1024 * 1024))}

    def clean_files(self):
        files = self.cleaned_data.get("files") or []
        if len(files) > MAX_FILES:
            raise ValidationError(
                gettext("Envie no máximo %(n)s arquivos.") % {"n": MAX_FILES}, code="too_many"
            )
        return files


# --- "Meus Dados" -------------------------------------------------------------------------


def _safe_next(request) -> str:
    from django.utils.http import url_has_allowed_host_and_scheme

    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return ""


@require_http_methods(["GET", "POST"])
def my_data(request):
    """ "Meus Dados": name, CPF/CNPJ, e-mail and phone of the proven person, editable; a
    new e-mail waits for the proof sent to it (seed 004, fig. 02)."""
    address = _email(request)
    if not address:
        return _proof_redirect(request)
    person = chat_portal.person_of_email(address)
    next_url = _safe_next(request)
    status = 200
    if request.method == "POST":
        form = ContactForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                chat_portal.do_update_contact(
                    person, name=data["name"], document=data["document"], phone=data["phone"]
                )
                new_email = data["email"].strip().lower()
                if new_email != (person.email or "").lower():
                    chat_portal.do_request_email_change(
                        person,
                        new_email,
                        ip=client_address(request),
                        link_base=request.build_absolute_uri(
                            reverse("portal:chat_email_confirm_base")
                        ),
                    )
                    messages.info(
                        request,
                        gettext(
                            "Enviamos um link para %(email)s. O novo e-mail só passa a valer "
                            "depois que você abrir esse link."
                        )
                        % {"email": new_email},
                    )
            except chat_portal.ContactRefused as exc:
                form.add_error(exc.field, str(exc))
            else:
                messages.success(request, gettext("Seus dados foram salvos."))
                return redirect(next_url or reverse("portal:chat_my_data"))
        status = 400
    else:
        form = ContactForm(
            initial={
                "name": person.name,
                "document": person.cpf or person.cnpj or "",
                "email": person.email,
                "phone": person.phone,
            }
        )
    missing = services.missing_contact_data(person)
    return render(
        request,
        "portal/chat/my_data.html",
        {
            "form": form,
            "next": next_url,
            "missing": missing,
            "required_word": gettext("obrigatório"),
        },
        status=status,
    )


def my_data_email_confirm(request, token: str):
    """The link sent to a new e-mail: it becomes the person's, and the proven one here."""
    try:
        person = chat_portal.do_confirm_email_change(token)
    except chat_portal.ContactRefused as exc:
        return render(request, "portal/chat/unavailable.html", {"message": str(exc)}, status=403)
    request.session.cycle_key()
    request.session[followup.EMAIL_SESSION_KEY] = {"email": person.email, "at": int(time.time())}
    messages.success(request, gettext("Novo e-mail confirmado."))
    return redirect("portal:chat_my_data")


# --- "Novo Atendimento" ---------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def chat_new(request):
    """ "Novo Atendimento" (seed 004, fig. 03): module, reason and files → a case with a
    protocol in the queue; refused, saying what to add, without an e-mail and a phone."""
    address = _email(request)
    if not address:
        return _proof_redirect(request)
    channel = chat_portal.chat_channel()
    if channel is None:
        return render(
            request,
            "portal/chat/unavailable.html",
            {"message": gettext("O chat está indisponível no momento. Tente mais tarde.")},
            status=503,
        )
    person = chat_portal.person_of_email(address)
    missing = services.missing_contact_data(person)
    if missing:
        try:
            services.check_contact_data(person)
        except services.MissingContactData as exc:
            refusal = str(exc)
        my_data_url = f"{reverse('portal:chat_my_data')}?{urlencode({'next': request.path})}"
        return render(
            request,
            "portal/chat/missing_data.html",
            {"message": refusal, "missing": missing, "my_data_url": my_data_url},
        )
    status = 200
    form = NewChatForm(request.POST or None, request.FILES or None, channel=channel)
    if request.method == "POST":
        if form.is_valid():
            try:
                chat = services.do_start_chat(
                    person,
                    channel,
                    service=form.cleaned_data["service"],
                    reason=form.cleaned_data["reason"],
                    files=form.cleaned_data["files"],
                )
            except services.MissingContactData as exc:
                form.add_error(None, str(exc))
            except Refused as exc:
                message = str(exc)
                form.add_error("files" if form.cleaned_data["files"] else None, message)
            else:
                return redirect("portal:chat_conversation", token=chat.token)
        status = 400
    return render(
        request,
        "portal/chat/new.html",
        {
            "form": form,
            "channel": channel,
            "staffed": services.staffed(channel),
            "opens_at": services.opens_at(channel),
            "required_word": gettext("obrigatório"),
        },
        status=status,
    )


# --- the conversation ---------------------------------------------------------------------


def _chat_or_404(request, token: str) -> ChatSession:
    chat = chat_portal.session_of(_email(request), token)
    if chat is None:
        raise Http404
    return chat


def chat_conversation(request, token: str):
    """The conversation (seed 004, figs. 04–10): protocol, state, place in the queue and
    estimate, messages with files, the box to write and send files, "Concluir Atendimento"."""
    if not _email(request):
        return _proof_redirect(request)
    chat = _chat_or_404(request, token)
    data = snapshot(chat.pk, by_person=True)
    opens = services.opens_at(chat.channel) if chat.state == ChatSession.State.OFFLINE else None
    return render(
        request,
        "portal/chat/conversation.html",
        {
            "chat": chat,
            "data": data,
            "live": chat.state in services.LIVE,
            "offline": chat.state == ChatSession.State.OFFLINE,
            "opens_at": format_due(opens) if opens else "",
            "wait_minutes": max(1, round(data["estimated_wait_seconds"] / 60)),
            "max_mb": max(1, chat.channel.max_attachment_bytes // (1024 * 1024)),
            "max_chars": settings.BALCAO_CHAT_MAX_CHARS,
        },
    )


@require_GET
def chat_messages(request, token: str):
    """The fallback when the socket is down: the same snapshot the socket sends."""
    chat = _chat_or_404(request, token)
    data = snapshot(chat.pk, by_person=True)
    for message in data["messages"]:
        _with_urls(chat, message)
    return JsonResponse(data)


@require_POST
def chat_send(request, token: str):
    """A message and/or files from the person (picker or drag-and-drop), as JSON. Too many
    messages in a minute (``BALCAO_CHAT_RATE``) answer 429 with ``Retry-After``; a refused
    message is not stored, and the page keeps what was typed."""
    chat = _chat_or_404(request, token)
    files = request.FILES.getlist("files")
    text = request.POST.get("text", "")
    error = ""
    status = 400
    retry_after = None
    message = None
    if len(files) > MAX_FILES:
        error = gettext("Envie no máximo %(n)s arquivos.") % {"n": MAX_FILES}
    elif not text.strip() and not files:
        error = gettext("Digite uma mensagem.")
    else:
        try:
            message = services.do_send(chat, from_person=True, text=text, files=files)
        except services.ChatRateLimited as exc:
            error, status, retry_after = str(exc), 429, exc.retry_after
        except Refused as exc:
            error = str(exc)
    if "application/json" not in request.headers.get("Accept", ""):
        # the form without JavaScript: back to the page, the refusal as a message
        if error:
            messages.error(request, error)
        return redirect("portal:chat_conversation", token=chat.token)
    if error:
        response = JsonResponse({"ok": False, "error": error}, status=status)
        if retry_after is not None:
            response["Retry-After"] = str(retry_after)
        return response
    return JsonResponse({"ok": True, "message": _with_urls(chat, services.message_data(message))})


def _with_urls(chat: ChatSession, message: dict) -> dict:
    for file in message["files"]:
        file["url"] = reverse("portal:chat_file", args=[chat.token, file["id"]])
    return message


@require_POST
def chat_read(request, token: str):
    chat = _chat_or_404(request, token)
    services.do_mark_read(chat, by_person=True)
    return JsonResponse({"ok": True})


@require_POST
def chat_conclude(request, token: str):
    """ "Concluir Atendimento" (seed 004, fig. 10)."""
    chat = _chat_or_404(request, token)
    try:
        services.do_conclude_by_person(chat)
    except Refused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            gettext("Atendimento concluído. Você receberá por e-mail o registro completo."),
        )
    return redirect("portal:chat_conversation", token=chat.token)


def chat_file(request, token: str, attachment_pk: int):
    """A file of the conversation, to the person who proved the case's e-mail; never inline."""
    chat = _chat_or_404(request, token)
    attachment = get_object_or_404(
        Attachment.objects.select_related("message"), pk=attachment_pk, case_id=chat.case_id
    )
    if attachment.message is None or attachment.message.internal:
        raise Http404
    return download_response(attachment)


@require_GET
def chat_unread(request):
    """The widget's badge: conversations with unread messages (0 without a proof)."""
    address = _email(request)
    count = 0
    if address:
        count = sum(
            1
            for chat in chat_portal.sessions_of_email(address)
            .exclude(state=ChatSession.State.OFFLINE)
            .order_by("-pk")[:20]
            if services.unread_for_person(chat)
        )
    response = JsonResponse({"unread": count})
    response["Cache-Control"] = "no-store"
    return response


urlpatterns = [
    path("atendimento/meus-dados/", my_data, name="chat_my_data"),
    path(
        "atendimento/meus-dados/email/",
        my_data,
        name="chat_email_confirm_base",
    ),
    path(
        "atendimento/meus-dados/email/<str:token>/",
        my_data_email_confirm,
        name="chat_email_confirm",
    ),
    path("atendimento/chat/", chat_new, name="chat_new"),
    path("atendimento/chat/nao-lidas/", chat_unread, name="chat_unread"),
    path("atendimento/chat/<str:token>/", chat_conversation, name="chat_conversation"),
    path("atendimento/chat/<str:token>/mensagens/", chat_messages, name="chat_messages"),
    path("atendimento/chat/<str:token>/enviar/", chat_send, name="chat_send"),
    path("atendimento/chat/<str:token>/lida/", chat_read, name="chat_read"),
    path("atendimento/chat/<str:token>/concluir/", chat_conclude, name="chat_conclude"),
    path(
        "atendimento/chat/<str:token>/arquivos/<int:attachment_pk>/",
        chat_file,
        name="chat_file",
    ),
]
