"""Per-process snapshots of the small reference tables a case list names.

A page of the case list names each case's channel, service, team and state. Those
tables hold tens of rows and change a few times a year, yet asking PostgreSQL for
them on every request cost four queries — a third of the list's CPU at 1 M cases
(tests/bench/bench_cases.py). Each web process keeps a snapshot instead:

- a save or delete of a row through the ORM drops this process's snapshot at once
  (``connect_signals``, called from ``CasesConfig.ready``);
- other processes reload theirs after ``TTL`` seconds, so a renamed slug or state
  name reaches every process within half a minute;
- an id the snapshot does not know (a channel created a second ago in another
  process) reloads the snapshot before answering, so a new row is never shown as
  missing.

Only names are cached here, never who may see what: visibility, roles and tokens
are read from the database on every request.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

TTL = 30.0  # seconds a snapshot may lag behind another process's change


class TableSnapshot:
    """``{id: value}`` for one small table, reloaded after ``TTL`` or on an unknown id."""

    def __init__(self, load: Callable[[], dict]):
        self._load = load
        self._rows: dict | None = None
        self._loaded_at = 0.0
        self._lock = threading.Lock()

    def rows(self) -> dict:
        rows = self._rows
        if rows is None or time.monotonic() - self._loaded_at > TTL:
            rows = self.reload()
        return rows

    def get(self, pk):
        """The value for ``pk`` (None for a None id or a row that does not exist)."""
        if pk is None:
            return None
        rows = self.rows()
        if pk not in rows:
            rows = self.reload()
        return rows.get(pk)

    def reload(self) -> dict:
        with self._lock:
            rows = self._load()
            self._rows, self._loaded_at = rows, time.monotonic()
            return rows

    def clear(self) -> None:
        self._rows = None


def _channels() -> dict:
    from balcao.catalog.models import Channel

    return dict(Channel.objects.values_list("id", "slug"))


def _channel_names() -> dict:
    from balcao.catalog.models import Channel

    return dict(Channel.objects.values_list("id", "name"))


def _team_names() -> dict:
    from balcao.cases.models import Team

    return dict(Team.objects.values_list("id", "name"))


def _services() -> dict:
    from balcao.catalog.models import Service

    return dict(Service.objects.values_list("id", "slug"))


def _teams() -> dict:
    from balcao.cases.models import Team

    return dict(Team.objects.values_list("id", "slug"))


def _states() -> dict:
    from balcao.cases.models import State

    return {pk: (slug, name, category) for pk, slug, name, category in
            State.objects.values_list("id", "slug", "name", "category")}


channel_slugs = TableSnapshot(_channels)
channel_names = TableSnapshot(_channel_names)
service_slugs = TableSnapshot(_services)
team_slugs = TableSnapshot(_teams)
team_names = TableSnapshot(_team_names)
states = TableSnapshot(_states)  # id -> (slug, name, category)

SNAPSHOTS = (channel_slugs, channel_names, service_slugs, team_slugs, team_names, states)


def ids_with_slug(snapshot: TableSnapshot, slug: str) -> list[int]:
    """Ids whose slug is ``slug`` (empty when none; the list then matches nothing)."""
    found = [pk for pk, value in snapshot.rows().items() if value == slug]
    if not found:
        found = [pk for pk, value in snapshot.reload().items() if value == slug]
    return found


def state_ids_with_slug(slug: str) -> list[int]:
    """Ids of the states called ``slug`` (one per workflow that has it)."""
    found = [pk for pk, (state_slug, _n, _c) in states.rows().items() if state_slug == slug]
    if not found:
        found = [pk for pk, (state_slug, _n, _c) in states.reload().items()
                 if state_slug == slug]
    return found


def state_ids_in(category: str) -> list[int]:
    """Ids of the states in ``category`` (open, waiting_requester…)."""
    return [pk for pk, (_slug, _name, cat) in states.rows().items() if cat == category]


def clear_all() -> None:
    for snapshot in SNAPSHOTS:
        snapshot.clear()


def connect_signals() -> None:
    """Drop a snapshot in this process whenever its table changes through the ORM."""
    from django.db.models.signals import post_delete, post_save

    from balcao.cases.models import State, Team
    from balcao.catalog.models import Channel, Service

    for model, snapshot in ((Channel, channel_slugs), (Channel, channel_names),
                            (Service, service_slugs), (Team, team_slugs), (Team, team_names),
                            (State, states)):
        def drop(sender, snapshot=snapshot, **kwargs):
            snapshot.clear()

        uid = f"balcao.cases.lookups.{model._meta.label}.{id(snapshot)}"
        post_save.connect(drop, sender=model, weak=False, dispatch_uid=uid + ".save")
        post_delete.connect(drop, sender=model, weak=False, dispatch_uid=uid + ".delete")
