"""What the person types while the last message travels stays theirs: the chatbot's
question box is emptied after an answer only when it still holds the question that was
sent. (The live chat's widget and the agent's desk keep the same rule:
tests/livechat/test_limits.py, tests/livechat/test_console_pages.py.)"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.livechat.conftest import HeldRequest

pytestmark = pytest.mark.e2e


def test_the_chatbot_keeps_the_next_question_typed_while_the_last_one_travels(page, live_server):
    page.goto(f"{live_server.url}/chatbot/")
    box = page.locator("#chat-text")
    held = HeldRequest(page, "**/chatbot/mensagem/")
    box.fill("Como emito a GRU?")
    box.press("Enter")
    assert held.wait().method == "POST"
    box.fill("E quanto custa?")
    held.release()
    page.locator("#chat-turns").get_by_text("Como emito a GRU?").wait_for()
    page.wait_for_load_state("networkidle")
    assert box.input_value() == "E quanto custa?"

    # with nothing typed meanwhile, the box is emptied for the next question
    box.press("Enter")
    page.locator("#chat-turns").get_by_text("E quanto custa?").wait_for()
    expect(box).to_have_value("")
