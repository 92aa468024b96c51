"""The live chat's websockets (issue 24): the person's conversation and the agent's console.

Both only parse, check who is connected, and call ``livechat.services``; what changes reaches
the other side through the channel-layer groups the services broadcast to after commit.
Refusals to connect close with 4403 (forbidden); a refused action answers
``{"event": "error", "message": …}`` in pt-BR (with ``"code": "rate_limited"`` and
``retry_after`` seconds when the person sent too many messages), and the socket stays open.
A frame longer than any acceptable message, or one that is not JSON, is refused the same way
without being read; typing events are forwarded at most once a second per socket.
"""

from __future__ import annotations

import time

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.utils.translation import gettext as _
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.models import Device

from balcao.accounts.roles import has_capability
from balcao.cases import followup
from balcao.errors import Refused
from balcao.livechat import services
from balcao.livechat.models import ChatSession

FORBIDDEN = 4403
# Room in a frame for the JSON around a message's text (type, session, escapes).
FRAME_OVERHEAD = 1024
TYPING_EVERY_SECONDS = 1.0

# Where the portal keeps the proof of an e-mail, and for how long it holds.
EMAIL_SESSION_KEY = followup.EMAIL_SESSION_KEY
GRANT_SECONDS = followup.GRANT_SECONDS


def proven_email(session) -> str:
    """The e-mail this browser proved control of ("Meus Atendimentos", close-the-loop
    issue), with the same lifetime as the follow-up page's grant; "" when none."""
    proof = (session or {}).get(EMAIL_SESSION_KEY) or {}
    if not proof or time.time() - proof.get("at", 0) > GRANT_SECONDS:
        return ""
    return (proof.get("email") or "").strip().lower()


def verified_staff(user, session, capability: str = "cases.reply") -> bool:
    """The console's rule (``console.decorators.staff_view``) for a socket: an active user
    whose session carries a confirmed second factor of their own, holding ``capability``."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    persistent_id = (session or {}).get(DEVICE_ID_SESSION_KEY)
    if not persistent_id:
        return False
    device = Device.from_persistent_id(persistent_id)
    if device is None or device.user_id != user.pk or not device.confirmed:
        return False
    return has_capability(user, capability)


class ChatConsumer(AsyncJsonWebsocketConsumer):
    """What both sides share: group events forwarded as JSON, refusals as error events."""

    side = ""
    last_typing = 0.0

    async def receive(self, text_data=None, bytes_data=None, **kwargs) -> None:
        """Refuse, unread, a frame too long to carry an acceptable message (a text of
        ``BALCAO_CHAT_MAX_CHARS``, each character escaped at worst) or one that is not JSON,
        instead of failing the socket."""
        size = len(text_data or "") + len(bytes_data or b"")
        if size > 6 * settings.BALCAO_CHAT_MAX_CHARS + FRAME_OVERHEAD:
            await self.refuse(
                services.ChatRefused(
                    _("A mensagem é longa demais (no máximo %(limit)s caracteres).")
                    % {"limit": settings.BALCAO_CHAT_MAX_CHARS}
                )
            )
            return
        try:
            if not text_data:
                raise ValueError("a binary frame")
            content = await self.decode_json(text_data)
        except ValueError:
            await self.refuse(services.ChatRefused(_("Mensagem ilegível.")))
            return
        await self.receive_json(content, **kwargs)

    def typing_due(self) -> bool:
        """At most one typing event a second from this socket reaches the group."""
        now = time.monotonic()
        if now - self.last_typing < TYPING_EVERY_SECONDS:
            return False
        self.last_typing = now
        return True

    async def chat_event(self, event: dict) -> None:
        if event.get("event") == "typing" and event.get("by") == self.side:
            return
        await self.send_json({k: v for k, v in event.items() if k != "type"})

    async def refuse(self, exc: Exception) -> None:
        error = {"event": "error", "message": str(exc)}
        if isinstance(exc, services.ChatRateLimited):
            error.update(code="rate_limited", retry_after=exc.retry_after)
        await self.send_json(error)


class PersonConsumer(ChatConsumer):
    """``ws/chat/<token>/``: the person's conversation, open only to the browser that proved
    control of the requester's e-mail. Receives ``message`` (text), ``read`` and ``typing``."""

    side = "person"

    async def connect(self) -> None:
        token = self.scope["url_route"]["kwargs"]["token"]
        self.chat = await database_sync_to_async(self._allowed_session)(token)
        if self.chat is None:
            await self.close(code=FORBIDDEN)
            return
        self.group = self.chat.group
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        await self.send_json(await database_sync_to_async(snapshot)(self.chat.pk, by_person=True))

    def _allowed_session(self, token: str) -> ChatSession | None:
        address = proven_email(self.scope.get("session"))
        if not address:
            return None
        chat = ChatSession.objects.select_related("requester").filter(token=token).first()
        if chat is None or (chat.requester.email or "").strip().lower() != address:
            return None
        return chat

    async def disconnect(self, code) -> None:
        if getattr(self, "group", None):
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive_json(self, content, **kwargs) -> None:
        kind = content.get("type") if isinstance(content, dict) else None
        try:
            if kind == "message":
                await database_sync_to_async(self._send)(str(content.get("text", "")))
            elif kind == "read":
                await database_sync_to_async(self._read)()
            elif kind == "typing" and self.typing_due():
                await self.channel_layer.group_send(
                    self.group,
                    {
                        "type": "chat.event",
                        "event": "typing",
                        "session": self.chat.pk,
                        "by": "person",
                    },
                )
        except Refused as exc:
            await self.refuse(exc)

    def _send(self, text: str) -> None:
        services.do_send(ChatSession.objects.get(pk=self.chat.pk), from_person=True, text=text)

    def _read(self) -> None:
        services.do_mark_read(ChatSession.objects.get(pk=self.chat.pk), by_person=True)


class AgentConsumer(ChatConsumer):
    """``ws/console/chat/``: an agent's console — the queue (``chat.agents``) and the
    conversations they hold. Receives ``accept``, ``message``, ``note``, ``typing`` and ``read``,
    each naming its ``session``, and ``presence`` (``status``); acting on a conversation
    held by someone else is refused. Its sockets are counted on the agent's presence: when
    the last one closes the agent is offline, and the next one to open brings their status
    back (``services.do_console_opened`` / ``do_console_closed``)."""

    side = "agent"

    async def connect(self) -> None:
        user = self.scope.get("user")
        allowed = await database_sync_to_async(verified_staff)(user, self.scope.get("session"))
        if not allowed:
            await self.close(code=FORBIDDEN)
            return
        self.user = user
        self.groups_joined: set[str] = set()
        await self._join(services.AGENTS_GROUP)
        await self._join(services.agent_group(user))
        held = await database_sync_to_async(
            lambda: list(services.sessions_of_agent(user).values_list("pk", flat=True))
        )()
        for pk in held:
            await self._join(f"chat.{pk}")
        await database_sync_to_async(services.do_console_opened)(user)
        self.counted = True
        await self.accept()
        await self.send_json(await database_sync_to_async(agent_snapshot)(user))

    async def _join(self, group: str) -> None:
        if group not in self.groups_joined:
            await self.channel_layer.group_add(group, self.channel_name)
            self.groups_joined.add(group)

    async def _leave(self, group: str) -> None:
        if group in self.groups_joined:
            await self.channel_layer.group_discard(group, self.channel_name)
            self.groups_joined.discard(group)

    async def disconnect(self, code) -> None:
        for group in list(getattr(self, "groups_joined", ())):
            await self._leave(group)
        if getattr(self, "counted", False):
            self.counted = False
            await database_sync_to_async(services.do_console_closed)(self.user)

    async def chat_event(self, event: dict) -> None:
        """Follow the conversations this agent gets or loses, then forward the event."""
        name, group = event.get("event"), f"chat.{event.get('session')}"
        if name in ("accepted", "transferred"):
            if event.get("agent") == self.user.pk:
                await self._join(group)
            elif group in self.groups_joined:
                await self._leave(group)
                await super().chat_event(event)
                return
        if name in ("concluded", "closed") and group in self.groups_joined:
            await super().chat_event(event)
            await self._leave(group)
            return
        await super().chat_event(event)

    async def receive_json(self, content, **kwargs) -> None:
        if not isinstance(content, dict):
            return
        kind = content.get("type")
        try:
            pk = int(content.get("session") or 0)
        except (TypeError, ValueError):
            pk = 0
        try:
            if kind == "accept":
                await database_sync_to_async(self._accept)(pk)
                await self._join(f"chat.{pk}")
                await self.send_json(await database_sync_to_async(snapshot)(pk, by_person=False))
            elif kind == "message":
                await database_sync_to_async(self._send)(pk, str(content.get("text", "")))
            elif kind == "read":
                await database_sync_to_async(self._read)(pk)
            elif kind == "note":
                await database_sync_to_async(self._note)(pk, str(content.get("text", "")))
            elif kind == "presence":
                await database_sync_to_async(services.do_set_presence)(
                    self.user, str(content.get("status", ""))
                )
            elif kind == "typing" and self.typing_due():
                await database_sync_to_async(self._holding)(pk)
                await self.channel_layer.group_send(
                    f"chat.{pk}",
                    {"type": "chat.event", "event": "typing", "session": pk, "by": "agent"},
                )
        except Refused as exc:
            await self.refuse(exc)

    def _session(self, pk: int) -> ChatSession:
        chat = ChatSession.objects.filter(pk=pk).first()
        if chat is None:
            raise services.ChatRefused("Conversa não encontrada.")
        return chat

    def _holding(self, pk: int) -> ChatSession:
        chat = self._session(pk)
        services.check_holds(chat, self.user)
        return chat

    def _accept(self, pk: int) -> None:
        services.do_accept(self.user, self._session(pk))

    def _send(self, pk: int, text: str) -> None:
        services.do_send(self._session(pk), author_user=self.user, text=text)

    def _note(self, pk: int, text: str) -> None:
        services.do_add_note(self._session(pk), author_user=self.user, text=text)

    def _read(self, pk: int) -> None:
        services.do_mark_read(self._session(pk), by_person=False, user=self.user)


def snapshot(pk: int, *, by_person: bool) -> dict:
    """What a side sees when it (re)connects: where the conversation stands and its
    public messages, so nothing said while the socket was down is lost."""
    chat = ChatSession.objects.select_related("case__state", "agent").get(pk=pk)
    messages = (
        chat.case.messages.filter(internal=False)
        .select_related("author_user")
        .prefetch_related("attachments")
    )
    return {
        "event": "snapshot",
        "session": chat.pk,
        "protocol": chat.case.protocol,
        "state": chat.state,
        "case_state": chat.case.state.name,
        "position": services.queue_position(chat),
        "estimated_wait_seconds": int(services.estimated_wait(chat).total_seconds()),
        "unread": services.unread_for_person(chat)
        if by_person
        else services.unread_for_agent(chat),
        "messages": [services.message_data(m) for m in messages],
    }


def agent_snapshot(user) -> dict:
    """The agent's queue (all of it for a supervisor) and the conversations they hold."""
    presence = services.presence_of(user)
    sees_all = has_capability(user, "cases.assign")
    return {
        "event": "console",
        "status": presence.status,
        "max_chats": presence.max_chats,
        "queue": [
            services.queue_entry(s)
            for s in services.waiting_sessions(for_user=None if sees_all else user)
        ],
        "active": list(services.sessions_of_agent(user).values_list("pk", flat=True)),
    }
