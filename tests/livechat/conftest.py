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


# --- the real ASGI application for browser tests ----------------------------------------


@pytest.fixture
def asgi_server():
    """The real ASGI application (HTTP and websockets, static files by the finders) under
    uvicorn in a thread: the desk's script joins ``/ws/console/chat/`` on the page's origin."""
    import threading
    import time

    import uvicorn
    from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler

    from balcao.asgi import application
    from tests.conftest import free_port

    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            ASGIStaticFilesHandler(application),
            host="127.0.0.1",
            port=port,
            lifespan="off",
            log_level="warning",
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "uvicorn did not start"
    yield f"127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)


def _says(host: str, path: str, session_key: str, greeting: str, payloads) -> None:
    """A plain websocket client on ``path``: connect with the session's cookie, read the
    ``greeting`` event, send ``payloads`` (a pause after each), in a thread of its own."""
    import asyncio
    import json
    import threading

    import websockets
    from django.conf import settings

    async def talk():
        async with websockets.connect(
            f"ws://{host}{path}",
            origin=f"http://{host}",
            additional_headers={"Cookie": f"{settings.SESSION_COOKIE_NAME}={session_key}"},
        ) as socket:
            assert json.loads(await socket.recv())["event"] == greeting
            for payload in payloads:
                await socket.send(json.dumps(payload))
                await asyncio.sleep(0.3)

    failure = []

    def target():
        try:
            asyncio.run(talk())
        except BaseException as exc:  # noqa: BLE001 - handed to the test
            failure.append(exc)

    thread = threading.Thread(target=target)
    thread.start()
    thread.join(30)
    if failure:
        raise failure[0]


def person_says(host: str, token: str, session_key: str, *payloads: dict) -> None:
    """The person's widget, as a plain websocket client: connect, send ``payloads``."""
    _says(host, f"/ws/chat/{token}/", session_key, "snapshot", payloads)


class HeldRequest:
    """The page's next request to ``pattern`` held in the browser until ``release()``: what
    the person does while it travels happens for certain before the answer arrives."""

    def __init__(self, page, pattern: str):
        self.page, self.routes = page, []
        page.route(pattern, lambda route: self.routes.append(route), times=1)

    def wait(self):
        """The held request, once the page has sent it (fails after 15 s)."""
        for _ in range(300):
            if self.routes:
                return self.routes[0].request
            self.page.wait_for_timeout(50)
        raise AssertionError("the browser did not send")

    def release(self) -> None:
        self.routes[0].continue_()


def in_browser(steps, contexts: int = 1) -> None:
    """Run ``steps(page, …)`` in Debian's chromium, one page in a browser context of its own
    for each of ``contexts`` (a person and an agent: two sets of cookies), in a thread of its
    own: Playwright's event loop stays out of the test's thread, where the ORM and the
    transactional flush run."""
    import shutil
    import threading

    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    if not shutil.os.path.exists(chromium):
        pytest.skip("Debian's chromium is not installed (scripts/ensure-chromium.sh)")
    failure = []

    def target():
        from playwright.sync_api import sync_playwright

        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=chromium, headless=True, args=["--no-sandbox", "--disable-gpu"]
                )
                try:
                    pages = [
                        browser.new_context(locale="pt-BR").new_page() for _ in range(contexts)
                    ]
                    for page in pages:
                        page.set_default_timeout(15_000)
                    steps(*pages)
                finally:
                    browser.close()
        except BaseException as exc:  # noqa: BLE001 - handed to the test
            failure.append(exc)

    thread = threading.Thread(target=target)
    thread.start()
    thread.join(240)
    assert not thread.is_alive(), "the browser did not finish"
    if failure:
        raise failure[0]


def agent_says(host: str, session_key: str, *payloads: dict) -> None:
    """The agent's console, as a plain websocket client: connect, send ``payloads``."""
    _says(host, "/ws/console/chat/", session_key, "console", payloads)
