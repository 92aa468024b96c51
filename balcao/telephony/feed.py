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
from django.utils.translation import gettext

from balcao.telephony import administration, services
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
    outage = _Outage()
    try:
        while not stop.is_set():
            await outage.round(feed.connected)
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


#: Seconds without the PBX before the outage is an occurrence (a restart takes a few).
DOWN_AFTER = 60.0


class _Outage:
    """The PBX unreachable for ``DOWN_AFTER`` seconds is recorded as an unavailability of
    the phone service, closed when the feed is logged in again (seed 003, 13.2 d: "Indicação
    … da indisponibilidade dos serviços"; ``administration.record_automatic_occurrence``)."""

    def __init__(self) -> None:
        self.down_since: float | None = time.monotonic()  # not logged in yet
        self.recorded = False
        self.closed = False

    async def round(self, connected: bool) -> None:
        try:
            if connected:
                self.down_since, self.recorded = None, False
                if not self.closed:  # also one a previous run left open
                    await sync_to_async(administration.end_automatic_occurrence)("phone")
                    self.closed = True
                return
            self.closed = False
            if self.down_since is None:
                self.down_since = time.monotonic()
            elif not self.recorded and time.monotonic() - self.down_since >= DOWN_AFTER:
                await sync_to_async(administration.record_automatic_occurrence)(
                    "phone",
                    gettext("A central telefônica (AMI) não responde: %(host)s.")
                    % {"host": settings.BALCAO_AMI_HOST or "?"},
                )
                self.recorded = True
        except DatabaseError:
            log.exception("AMI: the outage could not be recorded")
