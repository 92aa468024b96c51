"""The live chat's button on the portal's own pages (issue 24: "one <script> tag on any
website, plus the portal page"): there while the agency has a live chat channel, never on the
console or the chat's own pages."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db

WIDGET = "balcao/chat-widget.js"


@pytest.fixture(autouse=True)
def _fresh():
    from balcao.portal import context_processors

    context_processors._live_chat[:] = [None, 0.0]
    yield
    context_processors._live_chat[:] = [None, 0.0]


def test_no_chat_channel_no_button(client):
    assert WIDGET not in client.get("/").content.decode()


def test_the_portal_pages_carry_the_button_once_a_chat_channel_exists(
    client, chat_channel, staff, verified_client
):
    for path in ("/", "/perguntas-frequentes/", "/en/"):
        page = client.get(path).content.decode()
        assert page.count(WIDGET) == 1, path
        assert 'data-label="' in page
    assert WIDGET not in verified_client(staff["agent"]).get("/console/").content.decode()
    from django.test import RequestFactory

    from balcao.portal.context_processors import live_chat

    chat_page = RequestFactory().get("/atendimento/chat/abc/")
    assert live_chat(chat_page) == {"show_chat_widget": False}  # its own page has the chat
