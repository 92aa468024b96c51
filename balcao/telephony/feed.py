"""``balcao telephony ami``: the long-running AMI feed (issue 23). It keeps the live state
(``balcao.telephony.live``) from Asterisk's Manager Interface, publishes it in the cache for
the supervisors' wallboard (``LIVE_CACHE_KEY``) and dials the pending callbacks when an agent
is free (``services.dial_pending_callbacks``); a lost connection is retried for ever."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time

from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError

from balcao.telephony import services
from balcao.telephony.ami import AmiFeed

log = logging.getLogger(__name__)

#: The wallboard's data (``LiveState.snapshot``), refreshed every round, gone when stale.
LIVE_CACHE_KEY = "telephony:live"


async def run(
    feed: AmiFeed | None = None,
    *,
    interval: float = 2.0,
    stop: asyncio.Event | None = None,
) -> None:
    """Rounds every ``interval`` seconds until ``stop`` is set: while logged in, publish the
    state and dial what is due. A failing round is logged and the next one goes on."""
    feed = feed or AmiFeed.from_settings(settings)
    stop = stop or asyncio.Event()
    try:
        requeued = await sync_to_async(services.requeue_interrupted_callbacks)()
    except DatabaseError:  # not reachable yet, or not migrated as `balcao serve` starts
        log.exception("AMI: the callbacks left dialling could not be read")
    else:
        if requeued:
            log.warning(
                "AMI: %d callback(s) left dialling by a previous run are pending again", requeued
            )
    feed.start()
    try:
        while not stop.is_set():
            if feed.connected:
                try:
                    snapshot = feed.state.snapshot(time.time())
                    await sync_to_async(cache.set)(LIVE_CACHE_KEY, snapshot, interval * 5 + 10)
                    await services.dial_pending_callbacks(feed)
                except Exception:
                    log.exception("AMI: a callback round failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), interval)
    finally:
        feed.close()
