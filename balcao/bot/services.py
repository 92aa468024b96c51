"""The chatbot inside Balcão: the pure engine over the published knowledge base,
staffed hours for hand-off, conversations, cases with transcripts, idle closing.

Seed 002 (MGI): hand-off to a person "de segunda a sexta, das 8h às 18h, exceto
feriados"; outside those hours the bot offers to open a ticket; "o chatbot nunca
solicita senha"; conversations idle for 20 minutes are closed.
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import caches
from django.db import transaction
from django.db.models import Count, Max
from django.utils import timezone, translation
from django.utils.translation import gettext

from balcao import languages
from balcao.accounts.permissions import SYSTEM
from balcao.bot import llm
from balcao.bot.calibration import Calibration
from balcao.bot.engine import Bot, Reply
from balcao.bot.models import Conversation, Turn
from balcao.bot.retrieval import Article as EngineArticle
from balcao.cases import intake
from balcao.cases import services as case_services
from balcao.cases.models import Case, Message
from balcao.cases.text import clean_line
from balcao.catalog.models import Channel
from balcao.deadlines.calendar import BusinessCalendar
from balcao.deadlines.models import Calendar
from balcao.deadlines.policies import compute
from balcao.deadlines.services import calendar_from_model
from balcao.kb import services as kb
from balcao.kb.models import Gap
from balcao.masking import mask

_lock = threading.Lock()
_cache: dict[str, object] = {"key": None, "bot": None}

# MGI default: Monday–Friday 08:00–18:00, not on national holidays.
DEFAULT_STAFFED_HOURS = {str(day): ["08:00-18:00"] for day in range(5)}


# --- the engine over the published base ----------------------------------------------


def _base_key():
    info = kb.published_articles().aggregate(n=Count("pk"), last=Max("updated_at"))
    return (info["n"], info["last"])


def current_articles() -> list[EngineArticle]:
    """The published articles as the engine reads them."""
    return [
        EngineArticle(
            id=a.slug,
            question=a.question,
            answer=a.answer,
            variants=list(a.variants),
            language=a.language,
            tags=list(a.tags),
            service=a.service.slug if a.service else "",
        )
        for a in kb.published_articles().select_related("service")
    ]


def get_bot() -> Bot:
    """The engine over the published articles, rebuilt when the base changes.

    Its calibration (balcao.bot.calibration: ≈ 8 s on a 5,000-article base) is computed by
    the first process that meets a new base and kept in the shared cache for the others."""
    key = _base_key()
    with _lock:
        if _cache["key"] != key or _cache["bot"] is None:
            _cache["bot"], _cache["key"] = _build_bot(key), key
        return _cache["bot"]  # type: ignore[return-value]


CALIBRATION_CACHE_SECONDS = 7 * 24 * 3600


def _build_bot(key) -> Bot:
    cache_key = f"balcao:bot-calibration:v2:{key[0]}:{key[1].isoformat() if key[1] else '-'}"
    stored = caches["default"].get(cache_key)
    articles = current_articles()
    if stored is not None:
        try:
            return Bot(articles, calibrate=Calibration.from_dict(stored))
        except (TypeError, KeyError):  # kept by an older version: compute it again
            pass
    bot = Bot(articles)
    caches["default"].set(cache_key, bot.calibration.as_dict(), CALIBRATION_CACHE_SECONDS)
    return bot


def staffed_calendar() -> BusinessCalendar:
    """Hours when a person can take over (calendar BALCAO_BOT_STAFFED_CALENDAR)."""
    model = Calendar.objects.filter(slug=settings.BALCAO_BOT_STAFFED_CALENDAR).first()
    if model is not None:
        return calendar_from_model(model)
    return _default_staffed()


_default_calendars: dict[str, BusinessCalendar] = {}


def _default_staffed() -> BusinessCalendar:
    country = settings.BALCAO_COUNTRY
    if country not in _default_calendars:
        _default_calendars[country] = BusinessCalendar(country, opening_hours=DEFAULT_STAFFED_HOURS)
    return _default_calendars[country]


def staffed_now(now: datetime | None = None) -> bool:
    return staffed_calendar().is_open(now or timezone.now())


def answer_text(reply: Reply, language: str, staffed: bool) -> str:
    """What the bot says in the conversation's ``language``: the article, a choice between
    two, an answer to a request for a person (a person now in staffed hours, otherwise a
    case), or an honest 'I don't know' with what to do next."""
    if reply.action == "answer" and reply.answer:
        return reply.answer
    with translation.override(languages.django_code(language)):
        if reply.action == "choose" and len(reply.candidates) >= 2:
            first, second = reply.candidates[0], reply.candidates[1]
            return gettext("Você quis dizer: “%(first)s” ou “%(second)s”?") % {
                "first": first.question,
                "second": second.question,
            }
        if reply.asked_for_human:
            if staffed:
                return gettext("Certo! Vou chamar um atendente. Aguarde um momento, por favor.")
            return gettext(
                "Agora não há atendentes (seg. a sex., 8h às 18h, exceto feriados). Posso "
                "abrir um chamado para você com esta conversa; a resposta chega por e-mail."
            )
        if reply.reason == "greeting":
            return gettext("Olá! Como posso ajudar? Escreva sua dúvida.")
        if staffed:
            return gettext("Não encontrei uma resposta. Quer falar com um atendente?")
        return gettext(
            "Não encontrei uma resposta e não há atendentes agora (seg. a sex., 8h às 18h). "
            "Posso abrir um chamado para você; a resposta chega por e-mail."
        )


def ask(
    text: str, language: str = "pt-BR", *, record: bool = False, now: datetime | None = None
) -> dict:
    """The contract's answer ``{"article_id", "confidence", "handoff", "answer"}``.

    ``handoff`` is true when the bot does not know or the person asked for a person
    AND someone is on duty now. ``record`` keeps unanswered questions in the gap inbox
    (conversations and the public API do; the evaluation CLI does not) — never a request
    for a person, which is not a question the base failed to answer.
    """
    return _ask(text, language, record=record, now=now)[0]


def _ask(text: str, language: str, *, record: bool, now: datetime | None) -> tuple[dict, Reply]:
    language = kb.normalise_language(language)
    reply = get_bot().ask(text, language)
    staffed = staffed_now(now)
    handoff = reply.needs_human and staffed
    result = reply.as_contract(handoff=handoff)
    result["answer"] = answer_text(reply, language, staffed)
    if reply.action == "answer" and reply.article_id and settings.BALCAO_LLM_URL:
        result["answer"] = llm.rephrase(text, result["answer"], language)
    unanswered = reply.article_id is None and reply.reason != "greeting"
    if record and unanswered and not reply.asked_for_human:
        kb.record_gap(text, language, Gap.Reason.NOT_KNOWN)
    result["action"] = reply.action
    return result, reply


# --- conversations ---------------------------------------------------------------------


def start_conversation(language: str = "pt-BR") -> Conversation:
    conversation = Conversation.objects.create(
        language=kb.normalise_language(language), last_activity_at=timezone.now()
    )
    with translation.override(languages.django_code(conversation.language)):
        greeting = gettext(
            "Olá! Sou o assistente virtual. Nunca peço sua senha. Qual é a sua dúvida?"
        )
    Turn.objects.create(conversation=conversation, role=Turn.Role.BOT, text=greeting)
    return conversation


class ConversationClosed(Exception):
    pass


def post_message(conversation: Conversation, text: str) -> dict:
    """The person writes; the bot answers (while the conversation is with the bot)."""
    if conversation.state == Conversation.State.CLOSED:
        raise ConversationClosed(gettext("Esta conversa foi encerrada. Inicie uma nova."))
    text = (text or "").strip()[:2000]
    now = timezone.now()
    Turn.objects.create(conversation=conversation, role=Turn.Role.PERSON, text=mask(text))
    conversation.last_activity_at, conversation.idle_warned_at = now, None
    result = None
    if conversation.state == Conversation.State.BOT:
        result, reply = _ask(text, conversation.language, record=True, now=now)
        suggestions = [c.question for c in reply.candidates[:2]] if reply.action == "choose" else []
        Turn.objects.create(
            conversation=conversation,
            role=Turn.Role.BOT,
            text=result["answer"],
            article_id=result["article_id"] or "",
            confidence=result["confidence"],
            suggestions=suggestions,
        )
        if result["article_id"]:
            conversation.last_article = result["article_id"]
        if result["handoff"]:
            conversation.state = Conversation.State.WAITING
    conversation.save()
    return result or {}


def transcript(conversation: Conversation) -> str:
    lines = []
    for turn in conversation.turns.all():
        stamp = timezone.localtime(turn.at).strftime("%d/%m/%Y %H:%M")
        lines.append(f"[{stamp}] {turn.get_role_display()}: {turn.text}")
    return "\n".join(lines)


class CaseAlreadyOpened(Exception):
    """A conversation opens at most one case; ``case`` is the one it opened."""

    def __init__(self, case: Case):
        super().__init__(case.protocol)
        self.case = case


@transaction.atomic
def open_case_from_conversation(
    conversation: Conversation, *, name: str, email: str, cpf: str = "", subject: str = ""
) -> Case:
    """Outside staffed hours (or on request): open a Fale Conosco case carrying the
    (masked) transcript.

    The person in the chat is not identified, so the case goes to a new unverified contact
    with what they typed (``cases.intake``): it never writes onto, reopens or appends to a
    record or case of someone on file with the same CPF or e-mail — staff link the two, or
    the person does by proving control of the e-mail on file. One case per conversation:
    a second request raises CaseAlreadyOpened.
    """
    locked = Conversation.objects.select_for_update().get(pk=conversation.pk)
    if locked.case_id is not None:
        raise CaseAlreadyOpened(locked.case)
    requester = intake.do_record_public_contact(
        name=name, email=email, cpf=cpf, preferred_language=conversation.language.lower()
    )
    subject = (
        clean_line(mask(subject or _first_question(conversation)), 250)
        or "Atendimento pelo chatbot"
    )
    channel = (
        Channel.objects.filter(slug=settings.BALCAO_BOT_CASE_CHANNEL).first()
        or Channel.objects.filter(active=True).order_by("order").first()
    )
    if channel is None:
        raise case_services.CaseError(
            gettext("Nenhum canal está configurado para receber chamados do chatbot.")
        )
    case = case_services.do_open_case(
        channel=channel,
        subject=subject,
        description=subject,
        requester=requester,
        actor=SYSTEM,
        acknowledge=True,  # protocol, due date and the follow-up page's access code
    )
    case_services.do_add_message(
        case, "Transcrição do chatbot:\n" + transcript(conversation), author_kind=Message.Author.BOT
    )
    conversation.case, conversation.requester = case, requester
    conversation.save(update_fields=["case", "requester"])
    return case


def _first_question(conversation: Conversation) -> str:
    turn = conversation.turns.filter(role=Turn.Role.PERSON).first()
    return turn.text if turn else ""


def close_conversation(conversation: Conversation, reason: str) -> None:
    if conversation.state == Conversation.State.CLOSED:
        return
    conversation.state = Conversation.State.CLOSED
    conversation.closed_at = timezone.now()
    conversation.close_reason = reason
    conversation.save(update_fields=["state", "closed_at", "close_reason"])
    Turn.objects.create(
        conversation=conversation, role=Turn.Role.SYSTEM, text=f"Conversa encerrada ({reason})."
    )
    if conversation.case_id:
        case_services.do_add_message(
            conversation.case,
            "Transcrição final do chatbot:\n" + transcript(conversation),
            author_kind=Message.Author.BOT,
        )


def close_idle_conversations(now: datetime | None = None) -> dict[str, int]:
    """Policy ``chat-idle-20min``: warn 5 minutes before, close at 20 minutes idle."""
    now = now or timezone.now()
    warned = closed = 0
    grace = timedelta(minutes=settings.BALCAO_CHAT_IDLE_WARNING_MINUTES)
    active = Conversation.objects.exclude(state=Conversation.State.CLOSED).filter(
        last_activity_at__lte=now - timedelta(minutes=1)
    )
    for conversation in active.iterator():
        due = compute("chat-idle-20min", conversation.last_activity_at).due
        if now >= due:
            close_conversation(conversation, "inatividade de 20 minutos")
            closed += 1
        elif now >= due - grace and conversation.idle_warned_at is None:
            Turn.objects.create(
                conversation=conversation,
                role=Turn.Role.BOT,
                text="Você ainda está aí? A conversa será encerrada em alguns minutos se "
                "não houver resposta.",
            )
            Conversation.objects.filter(pk=conversation.pk).update(idle_warned_at=now)
            warned += 1
    return {"warned": warned, "closed": closed}
