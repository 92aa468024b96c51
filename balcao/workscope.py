"""Reads that hold for one unit of work, done once per unit instead of once per item.

A batch of e-mail (balcao.mail.imap: up to ``BALCAO_MAIL_BATCH`` messages in one
transaction) asks the same questions for every message — which webhooks are active, which
addresses are the agency's units, what the advertising filter learnt, which business calendar
a clock counts on. Inside ``with workscope.scope():`` each answer is read the first time
and kept until the block ends; outside a scope ``remember`` simply computes, so a single
request or a test sees every change at once. What changes during a batch (a webhook added
by someone else in that second) is seen by the next batch, as if it had come a moment later.

Pure: no Django import.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Hashable, Iterator
from contextvars import ContextVar
from typing import TypeVar

T = TypeVar("T")

_store: ContextVar[dict[Hashable, object] | None] = ContextVar("balcao_workscope", default=None)


@contextlib.contextmanager
def scope() -> Iterator[None]:
    """Keep what ``remember`` reads until the block ends (a scope inside another one shares
    the outer one's answers)."""
    if _store.get() is not None:
        yield
        return
    token = _store.set({})
    try:
        yield
    finally:
        _store.reset(token)


def remember(key: Hashable, compute: Callable[[], T]) -> T:
    """``compute()``, read once per scope for ``key`` (every time when no scope is open)."""
    store = _store.get()
    if store is None:
        return compute()
    if key not in store:
        store[key] = compute()
    return store[key]  # type: ignore[return-value]


def active() -> bool:
    return _store.get() is not None
