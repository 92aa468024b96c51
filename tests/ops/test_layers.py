"""The channel layer's relay (balcao.ops.layers): a ``group_send`` from a process without
websockets reaches the websocket process's consumers over its Unix socket, and nobody without
the run's token can push events there."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from balcao.ops import layers
from tests.loops import run

TOKEN = "token-de-teste"


@pytest.fixture
def websocket_process(tmp_path, monkeypatch):
    """``balcao.asgi`` under uvicorn on a Unix socket in a thread, given the run's token as
    ``balcao serve`` gives it: the socket's path."""
    import uvicorn

    from balcao.asgi import application

    monkeypatch.setenv(layers.TOKEN_ENV, TOKEN)
    path = str(tmp_path / "ws.sock")
    server = uvicorn.Server(
        uvicorn.Config(application, uds=path, lifespan="off", log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "uvicorn did not start"
    yield path
    server.should_exit = True
    thread.join(10)


def test_an_event_reaches_a_consumer_of_the_websocket_process(websocket_process):
    from channels.layers import get_channel_layer

    local = get_channel_layer()  # the websocket process's in-memory layer (same process here)

    async def scenario():
        channel = await local.new_channel()
        await local.group_add("chat-7", channel)
        relay = layers.RelayChannelLayer(socket=websocket_process, token=TOKEN)
        await relay.group_send("chat-7", {"type": "chat.event", "event": "accepted"})
        return await asyncio.wait_for(local.receive(channel), 5)

    assert run(scenario) == {"type": "chat.event", "event": "accepted"}


def test_without_the_token_nothing_is_pushed(websocket_process):
    relay = layers.RelayChannelLayer(socket=websocket_process, token="outro")
    with pytest.raises(layers.RelayError, match="403"):
        run(lambda: relay.group_send("chat-7", {"type": "chat.event"}))


def test_a_missing_websocket_process_is_a_clear_error(tmp_path):
    relay = layers.RelayChannelLayer(socket=str(tmp_path / "absent.sock"), token=TOKEN)
    with pytest.raises(layers.RelayError, match="not answering"):
        run(lambda: relay.group_send("chat-7", {"type": "chat.event"}))


@pytest.mark.django_db
def test_the_relay_path_is_not_served_without_the_runs_token(client, monkeypatch):
    """``balcao serve --asgi`` and plain Django: no token, so the path is Django's (404)."""
    monkeypatch.delenv(layers.TOKEN_ENV, raising=False)
    assert not layers.relay_enabled()
    assert client.post(layers.RELAY_PATH, {}).status_code == 404


def test_the_layer_receives_nothing():
    relay = layers.RelayChannelLayer(socket="/nonexistent", token=TOKEN)
    with pytest.raises(NotImplementedError):
        run(relay.new_channel)
