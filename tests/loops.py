"""Running a coroutine from a test, in an event loop of its own.

The browser tests keep Playwright's event loop running in the test thread for the rest of the
session (tests/e2e/conftest.py, ``browser``), and pytest-django runs tests without a database
after them, so a test cannot use ``asyncio.run`` or ``async_to_sync`` in its own thread: asgiref
refuses ("You cannot use AsyncToSync in the same thread as an async event loop"). A thread of
its own has no loop, as a server's event loop does not share one with its clients.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")


def run(coro_function: Callable[[], Awaitable[T]], timeout: float = 60) -> T:
    """``coro_function()`` run to its end in a fresh event loop in a new thread; its result,
    or its error raised here."""
    outcome: dict[str, object] = {}

    async def main() -> T:
        return await coro_function()

    def target() -> None:
        try:
            outcome["value"] = asyncio.run(main())
        except BaseException as exc:  # noqa: BLE001 - handed to the test
            outcome["error"] = exc

    thread = threading.Thread(target=target)
    thread.start()
    thread.join(timeout)
    assert not thread.is_alive(), "the test's event loop did not finish"
    if "error" in outcome:
        raise outcome["error"]  # type: ignore[misc]
    return outcome["value"]  # type: ignore[return-value]
