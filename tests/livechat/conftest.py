"""Fixtures for the live chat: a chat channel on the IPM workflow (seed 004's limits), a
person with e-mail and phone, agents."""

from __future__ import annotations

import pytest

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"
# An executable's first bytes (MZ header), sent with a name that says PDF.
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200


@pytest.fixture
def chat_channel(db):
    from balcao.cases.models import Workflow
    from balcao.catalog.models import Channel

    return Channel.objects.create(
        slug="chat",
        name="Chat",
        kind="chat",
        hours=Channel.Hours.ALWAYS,
        workflow=Workflow.objects.get(slug="chat"),
        max_attachment_bytes=2 * 1024 * 1024,
    )


@pytest.fixture
def person(db):
    from balcao.cases.models import Requester

    return Requester.objects.create(
        name="Hauana Andrade", email="hauana@example.com", phone="4735311500"
    )


@pytest.fixture
def agent(make_user):
    from balcao.livechat import services

    def make(name: str, *, max_chats: int = 3, role: str = "agent"):
        user = make_user(role, username=name, first_name=name.title())
        services.do_set_presence(user, "available")
        if max_chats != 3:
            user.chat_presence.max_chats = max_chats
            user.chat_presence.save()
        return user

    return make
