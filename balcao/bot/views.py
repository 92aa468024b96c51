"""The public chatbot page (server-rendered, htmx): talk to the bot, ask for a person,
or leave a request (a case) with the transcript when no one is on duty."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from balcao import languages
from balcao.bot import services
from balcao.bot.models import Conversation
from balcao.cases import intake
from balcao.cases.services import CaseError
from balcao.client import client_address

SESSION_KEY = "bot_conversation"


def _conversation(request, *, create: bool) -> Conversation | None:
    token = request.session.get(SESSION_KEY)
    conversation = Conversation.objects.filter(token=token).first() if token else None
    if (conversation is None or conversation.state == Conversation.State.CLOSED) and create:
        conversation = services.start_conversation(languages.normalise_or_default(get_language()))
        request.session[SESSION_KEY] = conversation.token
    return conversation


def _context(conversation, **extra):
    last_bot = conversation.turns.filter(role="bot").last() if conversation else None
    offer_case = bool(
        conversation
        and conversation.state == Conversation.State.BOT
        and last_bot
        and not last_bot.article_id
        and conversation.turns.filter(role="person").exists()
        and not services.staffed_now()
    )
    return {
        "conversation": conversation,
        "turns": conversation.turns.all() if conversation else [],
        "offer_case": offer_case and conversation.case_id is None,
        "staffed": services.staffed_now(),
        "opened": conversation.case if conversation and conversation.case_id else None,
        **extra,
    }


def chat(request):
    conversation = _conversation(request, create=True)
    return render(request, "bot/chat.html", _context(conversation))


@require_POST
def chat_message(request):
    conversation = _conversation(request, create=True)
    text = request.POST.get("text", "").strip()
    if text:
        services.post_message(conversation, text)
    template = "bot/_turns.html" if request.headers.get("HX-Request") else "bot/chat.html"
    return render(request, template, _context(conversation))


@require_POST
def chat_case(request):
    """Leave a request with the transcript: one per conversation, counted against the
    same per-address limit as the portal's forms. After opening, the browser is sent to
    the chat page (a reload shows the protocol again, no form resubmission)."""
    conversation = _conversation(request, create=False)
    if conversation is None:
        return redirect("bot:chat")
    if conversation.case_id is not None:
        return redirect("bot:chat")
    name = request.POST.get("name", "").strip()
    email = request.POST.get("email", "").strip()
    errors = []
    if not name:
        errors.append(_("Informe seu nome."))
    try:
        validate_email(email)
    except ValidationError:
        errors.append(_("Informe um e-mail válido."))
    ip = client_address(request)
    try:
        intake.check_rate(ip)
    except intake.RateLimited as exc:
        return render(
            request, "bot/chat.html", _context(conversation, case_errors=[str(exc)]), status=429
        )
    if not errors:
        try:
            services.open_case_from_conversation(
                conversation, name=name, email=email, cpf=request.POST.get("cpf", "")
            )
        except services.CaseAlreadyOpened:
            return redirect("bot:chat")
        except ValidationError as exc:
            errors.extend(exc.messages)
        except CaseError as exc:
            errors.append(str(exc))
        else:
            intake.count_submission(ip)
            return redirect("bot:chat")
    return render(request, "bot/chat.html", _context(conversation, case_errors=errors), status=400)


@require_POST
def chat_end(request):
    conversation = _conversation(request, create=False)
    if conversation is not None:
        services.close_conversation(conversation, "encerrada pela pessoa")
        request.session.pop(SESSION_KEY, None)
    return redirect("bot:chat")
