"""Domain actions of the live chat (issue 24). Consumers, views and tasks call these.

The rules are seed 004's (IPM Atende.Net, "Chat de Atendimento On-line"): who may open a chat,
the queue, files both ways, the person's "Concluir Atendimento" and the e-mail with the
record; the hand-off hours are the bot's (seed 002). Each conversation is a case of the
channel's chat workflow; its messages and files are the case's. Every change is told to both
sides over the channel layer after commit (``broadcast``).

While the person waits, the agency's bot answers first (``do_bot_answer``); the person's
messages are limited in size and rate (``check_text_length``, ``check_send_rate``); an agent
whose last console closes is offline until one opens again (``do_console_opened`` /
``do_console_closed``).
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from datetime import datetime, timedelta

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Avg, F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from balcao import languages
from balcao.accounts import throttle
from balcao.accounts.permissions import SYSTEM, check_can
from balcao.accounts.roles import has_capability
from balcao.bot import decision as bot_decision
from balcao.bot import services as bot_services
from balcao.bot.models import Conversation
from balcao.cases import history, outbound
from balcao.cases import services as case_services
from balcao.cases.attachments import AttachmentRefused
from balcao.cases.models import (
    Case,
    CaseEvent,
    Message,
    OutboundMail,
    Requester,
    State,
    Team,
    TeamMembership,
)
from balcao.cases.services import CaseError
from balcao.cases.text import clean_line, clean_text
from balcao.catalog.models import Channel
from balcao.deadlines.services import calendar_from_model
from balcao.errors import Refused
from balcao.kb import services as kb
from balcao.livechat.models import AgentPresence, ChatSession

logger = logging.getLogger(__name__)

AGENTS_GROUP = "chat.agents"
# When no chat was concluded in the last week, a conversation is reckoned to take this long.
DEFAULT_HANDLING = timedelta(minutes=5)
HANDLING_WINDOW = timedelta(days=7)
MAX_TEXT = 10000

# The chat workflow's states (cases/migrations/0002_builtin_workflows.py, seed 004's list).
NOT_STARTED = "atendimento-nao-iniciado"
IN_PROGRESS = "em-atendimento"
OFFLINE = "chat-off-line"
CONCLUDED_BY_PERSON = "chat-concluido-pelo-usuario"
CONCLUDED = "concluido"
CANCELLED = "cancelado"

LIVE = (ChatSession.State.WAITING, ChatSession.State.ACTIVE)
# Why the bot's conversation of a waiting chat ended when it passed the person to the queue
# (bot.Conversation.close_reason, 40 characters).
HANDED_OFF = "passada a um atendente"
RATE_WINDOW_SECONDS = 60
# The clock the message limit's window is read from (seconds since the epoch).
rate_clock = time.time


class ChatRefused(Refused):
    """A chat action refused; ``str(exc)`` says why, in words for the person."""


class ChatRateLimited(ChatRefused):
    """The person sent more messages this minute than ``BALCAO_CHAT_RATE``; ``retry_after``
    is how many seconds until the next one goes."""

    def __init__(self, message: str, retry_after: int):
        super().__init__(message)
        self.retry_after = retry_after


class MissingContactData(ChatRefused):
    """Seed 004, fig. 02: no chat without an e-mail and a phone; ``fields`` names the
    missing ones (``email``, ``phone``) so the page can open "Meus Dados" on them."""

    def __init__(self, message: str, fields: list[str]):
        super().__init__(message)
        self.fields = fields


# --- events to both sides ---------------------------------------------------------------


def broadcast(session: ChatSession, event: str, *, agents: bool = False, **data) -> None:
    """Tell the conversation's group (both sides) of ``event`` once the transaction commits;
    with ``agents``, the agents' queue group as well. Nobody hears of a rolled-back change."""
    payload = {"type": "chat.event", "event": event, "session": session.pk, **data}
    groups = [session.group] + ([AGENTS_GROUP] if agents else [])
    transaction.on_commit(lambda: send_to_groups(groups, payload))


def broadcast_positions() -> None:
    """After commit, tell every waiting person their new place and estimate (someone
    ahead was answered, gave up or was transferred)."""

    def tell() -> None:
        for session in waiting_sessions():
            send_to_groups(
                [session.group],
                {
                    "type": "chat.event",
                    "event": "position",
                    "session": session.pk,
                    "position": queue_position(session),
                    "estimated_wait_seconds": int(estimated_wait(session).total_seconds()),
                },
            )

    transaction.on_commit(tell)


def send_to_groups(groups: list[str], payload: dict) -> None:
    """Send ``payload`` to each of ``groups`` on the channel layer. A layer that is down must not
    undo a committed change: the failure is logged. Called from a thread that runs an event loop
    (a coroutine calling a service without ``sync_to_async``), ``async_to_sync`` may not block
    that loop's thread, so the sends go through a short-lived thread of their own."""
    layer = get_channel_layer()
    if layer is None:
        return

    def send() -> None:
        try:
            for group in groups:
                async_to_sync(layer.group_send)(group, payload)
        except Exception:
            logger.exception("live chat: could not send %s", payload.get("event"))

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        send()
    else:
        worker = threading.Thread(target=send, name="balcao-chat-send")
        worker.start()
        worker.join()


# --- who may chat, and when ----------------------------------------------------------------


def missing_contact_data(requester: Requester) -> list[str]:
    """Seed 004, fig. 02: "Caso seu cadastro de pessoa não possuir pelo menos um endereço de
    e-mail e um telefone de contato informados não será possível prosseguir." The fields
    missing from ``requester``: ``email``, ``phone``."""
    missing = []
    if not (requester.email or "").strip():
        missing.append("email")
    if not (requester.phone or "").strip():
        missing.append("phone")
    return missing


def check_contact_data(requester: Requester) -> None:
    """Refuse (``MissingContactData``) naming exactly what to add in "Meus Dados"."""
    missing = missing_contact_data(requester)
    if not missing:
        return
    labels = {"email": _("um endereço de e-mail"), "phone": _("um telefone")}
    raise MissingContactData(
        _(
            "Para utilizar o chat é necessário ter ao menos um endereço de e-mail e um "
            "telefone para contato. Informe %(missing)s em “Meus Dados” e tente novamente."
        )
        % {"missing": _(" e ").join(str(labels[f]) for f in missing)},
        missing,
    )


def staffed(channel: Channel, now: datetime | None = None) -> bool:
    """Whether a person answers the chat now: the channel's calendar when it has one, always
    for a 24-hour channel, else the bot's hand-off hours (seed 002: "de segunda a sexta, das
    8h às 18h, exceto feriados")."""
    now = now or timezone.now()
    if channel.calendar_id is not None:
        return calendar_from_model(channel.calendar).is_open(now)
    if channel.hours == Channel.Hours.ALWAYS:
        return True
    return bot_services.staffed_now(now)


def opens_at(channel: Channel, now: datetime | None = None) -> datetime | None:
    """When the chat opens next (shown with the offer to leave a message)."""
    now = now or timezone.now()
    if channel.calendar_id is not None:
        return calendar_from_model(channel.calendar).next_opening(now)
    if channel.hours == Channel.Hours.ALWAYS:
        return now
    return bot_services.staffed_calendar().next_opening(now)


def _state(case: Case, slug: str) -> State:
    state = State.objects.filter(workflow_id=case.state.workflow_id, slug=slug).first()
    if state is None:
        raise ChatRefused(
            _("O canal “%(channel)s” não usa o fluxo de estados do chat.")
            % {"channel": case.channel}
        )
    return state


def _move(case: Case, slug: str, *, actor, reason: str = "") -> Case:
    """Move the case along the chat workflow, through "Em Atendimento" when the workflow
    has no direct way (a case waiting for the person is concluded from there)."""
    target = _state(case, slug)
    case = Case.objects.select_related("state").get(pk=case.pk)
    if case.state_id == target.pk:
        return case
    if not case.state.outgoing.filter(target=target).exists() and slug != IN_PROGRESS:
        case = _move(case, IN_PROGRESS, actor=actor)
    return case_services.do_change_state(
        case, target, actor=actor, reason=reason, tell_requester=False
    )


# --- messages ---------------------------------------------------------------------------


def _author_name(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def message_data(message: Message) -> dict:
    """A message as both sides receive it (the bot's signed "Assistente virtual")."""
    if message.author_kind == Message.Author.BOT:
        author_name = _("Assistente virtual")
    else:
        author_name = _author_name(message.author_user)
    return {
        "id": message.pk,
        "author": message.author_kind,
        "author_name": author_name,
        "text": message.body,
        "at": message.created_at.isoformat(),
        "files": [
            {"id": a.pk, "name": a.filename, "size": a.size, "type": a.content_type}
            for a in message.attachments.all()
        ],
    }


def check_text_length(text: str) -> None:
    """A chat message is at most ``BALCAO_CHAT_MAX_CHARS`` characters: a longer one is refused
    whole, saying so, rather than cut (issue 24: a clear error, nothing stored half)."""
    limit = settings.BALCAO_CHAT_MAX_CHARS
    length = len((text or "").strip())
    if length > limit:
        raise ChatRefused(
            _(
                "A mensagem tem %(length)s caracteres e o máximo é %(limit)s: ela não foi "
                "enviada. Divida-a em partes menores."
            )
            % {"length": length, "limit": limit}
        )


def check_send_rate(session: ChatSession) -> None:
    """At most ``BALCAO_CHAT_RATE`` messages a minute from the person in one conversation,
    by socket and by the page alike: a fixed window (``accounts.throttle.window``) counted
    in the shared cache, so every server process counts together (docs/architecture.md).
    Beyond it the message is refused (``ChatRateLimited``) and nothing is stored; what was
    sent before stays, and the next window takes messages again. 0 turns the limit off."""
    limit = settings.BALCAO_CHAT_RATE
    if limit <= 0:
        return
    number, left = throttle.window(rate_clock(), RATE_WINDOW_SECONDS)
    key = f"livechat:rate:{session.pk}:{number}"
    cache.add(key, 0, left + 1)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between the two calls
        cache.set(key, 1, left + 1)
        count = 1
    if count > limit:
        raise ChatRateLimited(
            _(
                "Você enviou muitas mensagens em pouco tempo e esta não foi enviada. Aguarde "
                "%(seconds)s segundos e envie de novo; as anteriores já foram entregues."
            )
            % {"seconds": left},
            left,
        )


def _add_message(case: Case, text: str, *, author_kind: str, actor=None, files=()) -> Message:
    """A public message on the case with its files, each checked by its content and the
    channel's limits before anything is stored (seed 004: "JPEG, JPG, MP4, OFX, PDF, PNG e
    TXT"; the channel holds the list and the size) — ``cases.services.do_add_message``
    without the e-mail: the person sees an agent's message live, or by the unread mark
    (seed 004, fig. 07), and gets the whole record by e-mail at the end."""
    text = clean_text(text or "", MAX_TEXT).strip()
    try:
        return case_services.do_add_message(
            case, text, author_kind=author_kind, actor=actor, files=files, email=False
        )
    except (AttachmentRefused, CaseError) as exc:
        raise ChatRefused(str(exc)) from exc


def _system_message(session: ChatSession, text: str) -> Message:
    message = _add_message(session.case, text, author_kind=Message.Author.SYSTEM, actor=SYSTEM)
    broadcast(session, "message", message=message_data(message))
    return message


# --- the person's side ----------------------------------------------------------------


@transaction.atomic
def do_start_chat(
    requester: Requester, channel: Channel, *, service=None, reason: str, files=(), now=None
) -> ChatSession:
    """ "Novo Atendimento" (seed 004, fig. 03): "selecionar o módulo referente ao qual deseja
    atendimento e digitar a sua dúvida, bastando clicar sobre o botão 'Enviar' para
    registrar o atendimento". It opens a case with a protocol ("Todo atendimento on-line gera
    um número de identificação e tem prioridade na fila de espera": the case is of high
    priority) and joins the queue. Files may go with the opening ("O envio de arquivos pode
    ser realizado tanto na abertura do atendimento, quanto durante o atendimento").

    Refused without an e-mail and a phone on file (fig. 02). Outside staffed hours the reason
    is left as a message and the case waits in "Chat Off-Line" (the IPM list of states)."""
    check_contact_data(requester)
    reason = clean_text(reason or "", MAX_TEXT).strip()
    if not reason:
        raise ChatRefused(_("Digite a sua dúvida para iniciar o atendimento."))
    is_staffed = staffed(channel, now)
    case = case_services.do_open_case(
        channel=channel,
        subject=clean_line(reason, 250),
        description=reason,
        requester=requester,
        service=service,
        actor=SYSTEM,
        priority=Case.Priority.HIGH,
        acknowledge=not is_staffed,
    )
    session = ChatSession.objects.create(
        case=case,
        requester=requester,
        channel=channel,
        queued_at=timezone.now(),
        state=ChatSession.State.WAITING if is_staffed else ChatSession.State.OFFLINE,
    )
    message = _add_message(
        case, reason, author_kind=Message.Author.REQUESTER, actor=SYSTEM, files=files
    )
    if not is_staffed:
        _move(case, OFFLINE, actor=SYSTEM)
        return session
    session.person_read_at = message.created_at
    session.save(update_fields=["person_read_at"])
    broadcast(session, "queued", agents=True, queue=queue_entry(session))
    _bot_answers_on_commit(session, reason)
    return session


def do_send(
    session: ChatSession, *, author_user=None, from_person: bool = False, text: str, files=()
) -> Message:
    """A message, with files, from the person or from the conversation's agent (seed 004:
    "usuário e atendente poderão enviar arquivos"). Only the agent who holds the
    conversation writes in it; a concluded conversation takes no more messages. A message
    is at most ``BALCAO_CHAT_MAX_CHARS`` long, and the person's at most ``BALCAO_CHAT_RATE``
    a minute; while the person waits, the bot answers theirs after commit."""
    check_text_length(text)
    if from_person:
        check_send_rate(session)
    with transaction.atomic():
        session = _locked(session)
        if session.state not in LIVE:
            raise ChatRefused(
                _(
                    "Este atendimento já foi encerrado. Para um novo pedido, inicie um novo "
                    "atendimento."
                )
            )
        if from_person:
            kind, actor = Message.Author.REQUESTER, SYSTEM
        else:
            check_holds(session, author_user)
            kind, actor = Message.Author.AGENT, author_user
        message = _add_message(session.case, text, author_kind=kind, actor=actor, files=files)
        now = message.created_at
        if from_person:
            session.person_read_at = now
            session.save(update_fields=["person_read_at"])
            if session.case.state.category == State.Category.WAITING_REQUESTER:
                _move(session.case, IN_PROGRESS, actor=SYSTEM)  # the person answered
        else:
            session.agent_read_at = now
            session.save(update_fields=["agent_read_at"])
        broadcast(session, "message", message=message_data(message))
        if from_person:
            _bot_answers_on_commit(session, text)
        return message


# --- the bot while the person waits --------------------------------------------------------


def bot_on_duty() -> bool:
    """Whether the agency's bot answers people waiting for an agent (issue 24: "While
    waiting, the bot answers first when the channel has one"): ``BALCAO_CHAT_BOT`` on, the
    catalogue has an active automated chat channel (the agency's chatbot, seed 000's "100%
    automatizado") and the knowledge base it answers from has published articles."""
    if not settings.BALCAO_CHAT_BOT:
        return False
    return (
        Channel.objects.filter(active=True, kind=Channel.Kind.CHAT, automated=True).exists()
        and kb.published_articles().exists()
    )


def _bot_may_answer(session: ChatSession) -> bool:
    """Only while nobody has ever answered: once an agent accepts, the bot is silent, even
    if the conversation goes back to a team's queue."""
    return session.state == ChatSession.State.WAITING and session.accepted_at is None


def _bot_answers_on_commit(session: ChatSession, text: str) -> None:
    """After the person's message is stored and told, the bot's answer (outside the
    transaction: the bot may take a while, and no row stays locked meanwhile)."""
    if _bot_may_answer(session) and (text or "").strip():
        pk = session.pk
        transaction.on_commit(lambda: do_bot_answer(pk, text), robust=True)


def _end_bot(session: ChatSession, reason: str) -> None:
    """The bot's part of the conversation is over (an agent took it, or it ended)."""
    if session.bot_conversation_id is not None:
        conversation = Conversation.objects.filter(pk=session.bot_conversation_id).first()
        if conversation is not None:
            bot_services.close_conversation(conversation, reason)


def do_bot_answer(session_pk: int, text: str) -> Message | None:
    """The bot answers a person waiting for an agent (issue 24; seed 002's rules, through
    ``bot.services.post_message``: masked turns in the bot's record, the gap inbox, the
    hand-off). Its answer lands on the case as a message from the bot and reaches the person
    live. When the person asks for a person (the bot's own ``asked_for_human``) or the bot
    hands off (it does not know, in staffed hours), the bot's conversation ends and a system
    message says the conversation stays in the queue; the bot says nothing more in it.
    Nothing once an agent has accepted, even if they did while the bot was thinking.
    Returns the message posted, if any."""
    text = (text or "").strip()
    if not text or not bot_on_duty():
        return None
    with transaction.atomic():
        session = _locked(ChatSession(pk=session_pk))
        if not _bot_may_answer(session):
            return None
        conversation = (
            Conversation.objects.filter(pk=session.bot_conversation_id).first()
            if session.bot_conversation_id
            else None
        )
        if conversation is None or (
            conversation.state == Conversation.State.CLOSED
            and conversation.close_reason != HANDED_OFF
        ):  # the first question, or the bot's conversation was closed for being idle
            conversation = bot_services.start_conversation(
                languages.normalise_or_default(session.requester.preferred_language)
            )
            session.bot_conversation = conversation
            session.save(update_fields=["bot_conversation"])
        elif conversation.state != Conversation.State.BOT:
            return None
    asked = bot_decision.asked_for_human(text)
    try:
        result = bot_services.post_message(conversation, text)
    except bot_services.ConversationClosed:
        return None
    with transaction.atomic():
        session = _locked(session)
        if not _bot_may_answer(session):
            return None
        if asked or result.get("handoff"):
            bot_services.close_conversation(conversation, HANDED_OFF)
            position = queue_position(session)
            if asked:
                note = _(
                    "Você pediu para falar com um atendente: o assistente virtual não responde "
                    "mais nesta conversa. Você continua na fila (posição %(position)s) e um "
                    "atendente vai responder aqui."
                )
            else:
                note = _(
                    "O assistente virtual não encontrou uma resposta e passou a conversa para um "
                    "atendente. Você continua na fila (posição %(position)s) e um atendente "
                    "vai responder aqui."
                )
            return _system_message(session, note % {"position": position})
        answer = result.get("answer") or ""
        if not answer:
            return None
        message = _add_message(session.case, answer, author_kind=Message.Author.BOT, actor=SYSTEM)
        broadcast(session, "message", message=message_data(message))
        return message


def agent_group(user) -> str:
    """The group of one agent's consoles: what only they may read (their internal notes)."""
    return f"chat.agent.{user.pk}"


def do_add_note(session: ChatSession, *, author_user, text: str) -> Message:
    """An internal note on the conversation's case, by the agent holding it: never sent to
    the person's side, only to the author's consoles."""
    check_text_length(text)
    with transaction.atomic():
        session = _locked(session)
        check_holds(session, author_user)
        check_can(author_user, "cases.note")
        note = case_services.do_add_message(
            session.case,
            clean_text(text or "", MAX_TEXT),
            author_kind=Message.Author.AGENT,
            actor=author_user,
            internal=True,
        )
        payload = {
            "type": "chat.event",
            "event": "note",
            "session": session.pk,
            "message": message_data(note),
        }
        groups = [agent_group(author_user)]
        transaction.on_commit(lambda: send_to_groups(groups, payload))
        return note


def do_mark_read(session: ChatSession, *, by_person: bool, user=None) -> ChatSession:
    """The person (or the agent) has read the conversation up to now: the red mark on the
    chat icon goes away (seed 004, fig. 07–08: "Quando um atendimento aparecer em vermelho
    significa que você possui uma mensagem não lida")."""
    with transaction.atomic():
        session = _locked(session)
        if not by_person:
            check_holds(session, user)
        field = "person_read_at" if by_person else "agent_read_at"
        setattr(session, field, timezone.now())
        session.save(update_fields=[field])
        broadcast(session, "read", by="person" if by_person else "agent")
        return session


def unread_for_person(session: ChatSession) -> int:
    """Messages from the agent (or the system) the person has not read (fig. 07's badge)."""
    return _unread(session, session.person_read_at, exclude=Message.Author.REQUESTER)


def unread_for_agent(session: ChatSession) -> int:
    return _unread(session, session.agent_read_at, exclude=Message.Author.AGENT)


def _unread(session: ChatSession, since, *, exclude: str) -> int:
    messages = Message.objects.filter(case_id=session.case_id, internal=False).exclude(
        author_kind=exclude
    )
    if since is not None:
        messages = messages.filter(created_at__gt=since)
    return messages.count()


def unread_badge(requester: Requester) -> int:
    """The number on the widget's icon: the person's conversations with unread messages."""
    return sum(
        1
        for session in ChatSession.objects.filter(requester=requester).exclude(
            state=ChatSession.State.OFFLINE
        )[:20]
        if unread_for_person(session)
    )


@transaction.atomic
def do_conclude_by_person(session: ChatSession) -> ChatSession:
    """ "Concluir Atendimento" (seed 004, fig. 10): "Automaticamente uma mensagem será
    incluída ao diálogo comunicando ao atendente que o atendimento foi encerrado"; the case
    becomes "Chat Concluído pelo Usuário"; "Após a conclusão do atendimento você receberá um
    e-mail contendo todos os dados do registro de atendimento" (queued, sent on commit)."""
    session = _locked(session)
    if session.state not in LIVE:
        raise ChatRefused(_("Este atendimento já foi encerrado."))
    _system_message(session, _("O usuário concluiu o atendimento."))
    _finish(session, ChatSession.State.CONCLUDED)
    _end_bot(session, "concluída pelo usuário")
    _move(session.case, CONCLUDED_BY_PERSON, actor=SYSTEM)
    queue_transcript(session)
    broadcast(session, "concluded", agents=True, state=session.state)
    broadcast_positions()
    if session.agent_id is not None:
        _refresh_busy(session.agent)
    return session


# --- the agent's side ---------------------------------------------------------------------


def _locked(session: ChatSession) -> ChatSession:
    return (
        ChatSession.objects.select_for_update(of=("self",))
        .select_related("case__state", "case__channel", "agent", "requester")
        .get(pk=session.pk)
    )


def check_holds(session: ChatSession, user) -> None:
    """Only the agent holding the conversation acts in it ("nobody reads a conversation
    that is not theirs"); a supervisor takes it over by ``do_transfer`` first."""
    check_can(user, "cases.reply")
    if session.agent_id is None or session.agent_id != getattr(user, "pk", None):
        raise ChatRefused(_("Esta conversa não está com você."))


def presence_of(user) -> AgentPresence:
    presence, _created = AgentPresence.objects.get_or_create(user=user)
    return presence


def active_count(user) -> int:
    return ChatSession.objects.filter(agent=user, state=ChatSession.State.ACTIVE).count()


def _refresh_busy(user) -> None:
    """Busy at the maximum, available again below it (paused and offline stay as set)."""
    presence = presence_of(user)
    full = active_count(user) >= presence.max_chats
    Status = AgentPresence.Status
    new = presence.status
    if full and presence.status == Status.AVAILABLE:
        new = Status.BUSY
    elif not full and presence.status == Status.BUSY:
        new = Status.AVAILABLE
    if new != presence.status:
        presence.status = new
        presence.save(update_fields=["status", "updated_at"])
        _broadcast_presence(presence)


def _broadcast_presence(presence: AgentPresence) -> None:
    payload = {
        "type": "chat.event",
        "event": "presence",
        "agent": presence.user_id,
        "status": presence.status,
        "active": active_count(presence.user),
        "max_chats": presence.max_chats,
        "consoles": presence.connections,
    }
    transaction.on_commit(lambda: send_to_groups([AGENTS_GROUP], payload))


@transaction.atomic
def do_accept(agent, session: ChatSession) -> ChatSession:
    """An agent answers a waiting conversation, within their maximum of simultaneous
    conversations; the case goes to "Em Atendimento" and to the agent. Two agents
    accepting the same conversation: the second is refused."""
    check_can(agent, "cases.reply")
    presence = AgentPresence.objects.select_for_update().get(pk=presence_of(agent).pk)
    session = _locked(session)
    if session.state != ChatSession.State.WAITING:
        raise ChatRefused(_("Esta conversa já foi atendida ou encerrada."))
    if presence.status in (AgentPresence.Status.PAUSED, AgentPresence.Status.OFFLINE):
        raise ChatRefused(_("Fique disponível para atender conversas."))
    if active_count(agent) >= presence.max_chats:
        raise ChatRefused(
            _("Você já está em %(n)s conversas, o máximo permitido.") % {"n": presence.max_chats}
        )
    case = session.case
    if (
        case.team_id is not None
        and not TeamMembership.objects.filter(team_id=case.team_id, user=agent).exists()
    ):
        raise ChatRefused(_("Você não faz parte da equipe desta conversa."))
    session.state = ChatSession.State.ACTIVE
    session.agent = agent
    session.accepted_at = timezone.now()
    session.agent_read_at = session.accepted_at
    session.save(update_fields=["state", "agent", "accepted_at", "agent_read_at"])
    case_services.do_assign_case(case, assignee=agent, actor=SYSTEM)
    _move(case, IN_PROGRESS, actor=agent)
    _end_bot(session, "atendente assumiu a conversa")
    broadcast(
        session,
        "accepted",
        agents=True,
        agent=agent.pk,
        agent_name=_author_name(agent),
        state=session.state,
    )
    _refresh_busy(agent)
    broadcast_positions()
    return session


@transaction.atomic
def do_close_by_agent(session: ChatSession, agent, reason: str) -> ChatSession:
    """The agent closes the conversation with a closing reason; the case becomes
    "Concluído" ("Cancelado" when nobody had answered it) and the person gets the record
    by e-mail, as when they conclude it themselves (seed 004)."""
    session = _locked(session)
    reason = clean_text(reason or "", 2000).strip()
    if not reason:
        raise ChatRefused(_("Informe o motivo do encerramento."))
    if session.state == ChatSession.State.WAITING:
        check_can(agent, "cases.assign")
    elif session.state == ChatSession.State.ACTIVE:
        check_holds(session, agent)
    else:
        raise ChatRefused(_("Este atendimento já foi encerrado."))
    was_waiting = session.state == ChatSession.State.WAITING
    _system_message(
        session, _("O atendente encerrou o atendimento: %(reason)s") % {"reason": reason}
    )
    session.close_reason = reason
    _finish(session, ChatSession.State.CLOSED)
    _end_bot(session, "encerrada pelo atendente")
    _move(session.case, CANCELLED if was_waiting else CONCLUDED, actor=agent, reason=reason)
    queue_transcript(session)
    broadcast(session, "closed", agents=True, state=session.state, reason=reason)
    if was_waiting:
        broadcast_positions()
    else:
        _refresh_busy(agent)
    return session


def _finish(session: ChatSession, state: str) -> None:
    session.state = state
    session.closed_at = timezone.now()
    session.save(update_fields=["state", "closed_at", "close_reason"])


@transaction.atomic
def do_transfer(
    session: ChatSession, *, actor, to_agent=None, to_team: Team | None = None
) -> ChatSession:
    """Transfer a conversation to another agent (it stays in progress, with them) or to a
    team (it goes back to the queue for that team's members). The holder transfers their own;
    a supervisor (``cases.assign``) transfers or takes over anyone's. Nobody is handed a
    conversation while offline (their console closed): a supervisor taking it over is there."""
    if (to_agent is None) == (to_team is None):
        raise ChatRefused(_("Escolha um atendente ou uma equipe."))
    session = _locked(session)
    if session.state not in LIVE:
        raise ChatRefused(_("Este atendimento já foi encerrado."))
    if not has_capability(actor, "cases.assign"):
        check_holds(session, actor)
    previous = session.agent
    case = session.case
    if to_agent is not None:
        if not has_capability(to_agent, "cases.reply"):
            raise ChatRefused(_("%(user)s não atende conversas.") % {"user": to_agent})
        if to_agent != actor and presence_of(to_agent).status == AgentPresence.Status.OFFLINE:
            raise ChatRefused(
                _("%(user)s está desconectado do chat: escolha outro atendente ou uma equipe.")
                % {"user": _author_name(to_agent)}
            )
        session.state = ChatSession.State.ACTIVE
        session.agent = to_agent
        session.accepted_at = session.accepted_at or timezone.now()
        case_services.do_assign_case(case, assignee=to_agent, actor=SYSTEM)
        _move(case, IN_PROGRESS, actor=SYSTEM)
        _end_bot(session, "atendente assumiu a conversa")
        target = _author_name(to_agent)
    else:
        session.state = ChatSession.State.WAITING
        session.agent = None
        session.queued_at = timezone.now()
        case_services.do_assign_case(case, team=to_team, actor=SYSTEM)
        Case.objects.filter(pk=case.pk).update(assignee=None)
        target = str(to_team)
    session.save(update_fields=["state", "agent", "accepted_at", "queued_at"])
    history.record(
        case,
        CaseEvent.Action.UPDATED,
        actor=actor,
        field="chat",
        old=_author_name(previous),
        new=target,
        reason=_("transferência da conversa"),
    )
    _system_message(session, _("Conversa transferida para %(target)s.") % {"target": target})
    broadcast(
        session,
        "transferred",
        agents=True,
        agent=session.agent_id,
        previous=getattr(previous, "pk", None),
        team=getattr(to_team, "pk", None),
        state=session.state,
    )
    if previous is not None:
        _refresh_busy(previous)
    if to_agent is not None:
        _refresh_busy(to_agent)
    broadcast_positions()
    return session


@transaction.atomic
def do_set_presence(user, status: str) -> AgentPresence:
    """Available, busy, paused or offline, as supervisors see it live. What the agent
    chooses is what a console opening later brings back (``do_console_opened``)."""
    check_can(user, "cases.reply")
    if status not in AgentPresence.Status.values:
        raise ChatRefused(_("Situação desconhecida."))
    presence = presence_of(user)
    presence.status = status
    presence.resume_status = ""
    presence.save(update_fields=["status", "resume_status", "updated_at"])
    _broadcast_presence(presence)
    return presence


# Each of these is one UPDATE whose condition is checked by the database as it writes, so
# consoles opening and closing at once in several server processes never lose a count, and
# an agent is set offline only if no console opened in between.


def do_console_opened(user) -> AgentPresence:
    """An agent's console socket opened (issue 24: presence follows the console). The first
    one back after the last closed returns the agent to the status they had."""
    pk = presence_of(user).pk
    rows = AgentPresence.objects.filter(pk=pk)
    with transaction.atomic():
        rows.update(connections=F("connections") + 1)
        restored = (
            rows.filter(status=AgentPresence.Status.OFFLINE)
            .exclude(resume_status="")
            .update(status=F("resume_status"), resume_status="", updated_at=timezone.now())
        )
        presence = AgentPresence.objects.select_related("user").get(pk=pk)
        if restored:
            _broadcast_presence(presence)
            _refresh_busy(user)  # conversations may have ended meanwhile
            presence.refresh_from_db()
    return presence


def do_console_closed(user) -> AgentPresence:
    """An agent's console socket closed. When it was their last, in any server process, they
    are offline (supervisors see it; no conversation goes to them) until one opens again,
    which brings back the status they had (``resume_status``)."""
    pk = presence_of(user).pk
    rows = AgentPresence.objects.filter(pk=pk)
    with transaction.atomic():
        rows.filter(connections__gt=0).update(connections=F("connections") - 1)
        gone = (
            rows.filter(connections=0)
            .exclude(status=AgentPresence.Status.OFFLINE)
            .update(
                resume_status=F("status"),
                status=AgentPresence.Status.OFFLINE,
                updated_at=timezone.now(),
            )
        )
        presence = AgentPresence.objects.select_related("user").get(pk=pk)
        if gone:
            _broadcast_presence(presence)
    return presence


def do_reset_console_counts() -> int:
    """The websocket process starts, holding no socket yet — called by ``balcao.asgi`` in the
    one websocket process of ``balcao serve`` without Redis, where every console was counted:
    counts left by a process that was killed without closing its sockets go back to zero, and
    agents who were shown online are offline until their console opens again (which brings
    their status back). How many agents were reset."""
    rows = AgentPresence.objects.filter(connections__gt=0)
    with transaction.atomic():
        rows.exclude(status=AgentPresence.Status.OFFLINE).update(
            resume_status=F("status"),
            status=AgentPresence.Status.OFFLINE,
            updated_at=timezone.now(),
        )
        return rows.update(connections=0)


# --- the queue ------------------------------------------------------------------------------


def waiting_sessions(for_user=None):
    """The queue, first come first served, for supervisors (their wait is ``now -
    queued_at``); with ``for_user``, the conversations that agent may accept (those of no
    team or of one of their teams)."""
    sessions = ChatSession.objects.filter(state=ChatSession.State.WAITING).select_related(
        "case", "case__service", "channel"
    )
    if for_user is not None:
        sessions = sessions.filter(
            Q(case__team__isnull=True) | Q(case__team__teammembership__user=for_user)
        )
    return sessions


def queue_position(session: ChatSession) -> int:
    """1 for the next conversation to be answered; 0 when not waiting."""
    if session.state != ChatSession.State.WAITING:
        return 0
    ahead = ChatSession.objects.filter(state=ChatSession.State.WAITING).filter(
        Q(queued_at__lt=session.queued_at) | Q(queued_at=session.queued_at, pk__lt=session.pk)
    )
    return ahead.count() + 1


def mean_handling_time(now=None) -> timedelta:
    """The mean time from answer to end of the chats finished in the last 7 days
    (``DEFAULT_HANDLING`` when there were none)."""
    now = now or timezone.now()
    mean = (
        ChatSession.objects.filter(
            closed_at__gte=now - HANDLING_WINDOW,
            accepted_at__isnull=False,
            state__in=[ChatSession.State.CONCLUDED, ChatSession.State.CLOSED],
        )
        .annotate(took=F("closed_at") - F("accepted_at"))
        .aggregate(mean=Avg("took"))["mean"]
    )
    if not mean or mean <= timedelta(0):
        return DEFAULT_HANDLING
    return mean


def estimated_wait(session: ChatSession, now=None) -> timedelta:
    """Position × mean handling time ÷ agents available now (at least one)."""
    position = queue_position(session)
    if not position:
        return timedelta(0)
    agents = AgentPresence.objects.filter(
        status__in=[AgentPresence.Status.AVAILABLE, AgentPresence.Status.BUSY]
    ).count()
    return mean_handling_time(now) * position / max(1, agents)


def queue_entry(session: ChatSession) -> dict:
    """A waiting conversation as the agents' queue shows it (no personal data)."""
    case = session.case
    return {
        "id": session.pk,
        "protocol": case.protocol,
        "subject": case.subject,
        "service": str(case.service) if case.service_id else "",
        "channel": session.channel.name,
        "queued_at": session.queued_at.isoformat(),
        "team": case.team_id,
    }


def sessions_of_agent(user):
    return ChatSession.objects.filter(agent=user, state=ChatSession.State.ACTIVE)


# --- the record by e-mail -------------------------------------------------------------------


def transcript_text(session: ChatSession) -> str:
    """The record (seed 004: "todos os dados do registro de atendimento"): data, the
    public messages in order, and the list of files."""
    case = Case.objects.select_related("state", "channel", "service", "assignee").get(
        pk=session.case_id
    )
    lines = [
        _("Protocolo: %(protocol)s") % {"protocol": case.protocol},
        _("Situação: %(state)s") % {"state": case.state.name},
        _("Aberto em: %(at)s") % {"at": outbound.format_moment(case.created_at)},
        _("Módulo: %(service)s") % {"service": case.service or "—"},
        _("Atendente: %(agent)s") % {"agent": _author_name(session.agent) or "—"},
        _("Assunto: %(subject)s") % {"subject": case.subject},
        "",
        _("Mensagens:"),
    ]
    messages = list(
        case.messages.filter(internal=False)
        .select_related("author_user")
        .prefetch_related("attachments")
    )
    for message in messages:
        who = (
            _author_name(message.author_user)
            if message.author_kind == Message.Author.AGENT
            else message.author_label
        )
        lines.append(f"[{outbound.format_moment(message.created_at)}] {who}: {message.body}")
    names = [a.filename for m in messages for a in m.attachments.all()]
    lines += ["", _("Arquivos:")]
    lines += [f"- {name}" for name in names] or ["—"]
    return "\n".join(lines)


def queue_transcript(session: ChatSession) -> OutboundMail | None:
    """The e-mail with the record, written now and sent after commit (cases.outbound)."""
    case = session.case
    with translation.override(outbound._language_of(case)):
        subject = _("[%(protocol)s] Registro do atendimento por chat") % {"protocol": case.protocol}
        body = "\n".join(
            [
                _("Segue o registro completo do seu atendimento por chat."),
                "",
                transcript_text(session),
                *outbound._footer(case, with_code_hint=False),
            ]
        )
    return outbound.queue_mail(case, OutboundMail.Kind.ANSWER, subject, body)
