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
    """``{id: value}`` of one small table, reloaded after ``TTL`` or on an unknown id.

    ``columns`` are read with ``values_list``: one column gives the value itself,
    several give a tuple."""

    def __init__(self, model_label: str, *columns: str):
        self.model_label, self.columns = model_label, columns
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

    def ids_where(self, match: Callable[[object], bool]) -> list[int]:
        """Ids whose value ``match``es, reloading once when none does."""
        found = [pk for pk, value in self.rows().items() if match(value)]
        if not found:
            found = [pk for pk, value in self.reload().items() if match(value)]
        return found

    def reload(self) -> dict:
        from django.apps import apps

        model = apps.get_model(self.model_label)
        with self._lock:
            values = model.objects.values_list("id", *self.columns)
            rows = {pk: rest[0] if len(rest) == 1 else tuple(rest) for pk, *rest in values}
            self._rows, self._loaded_at = rows, time.monotonic()
            return rows

    def clear(self) -> None:
        self._rows = None


channel_slugs = TableSnapshot("catalog.Channel", "slug")
channel_confidential = TableSnapshot("catalog.Channel", "confidential")
channel_names = TableSnapshot("catalog.Channel", "name")
service_slugs = TableSnapshot("catalog.Service", "slug")
team_slugs = TableSnapshot("cases.Team", "slug")
team_names = TableSnapshot("cases.Team", "name")
states = TableSnapshot("cases.State", "slug", "name", "category")

SNAPSHOTS = (
    channel_slugs,
    channel_confidential,
    channel_names,
    service_slugs,
    team_slugs,
    team_names,
    states,
)


def ids_with_slug(snapshot: TableSnapshot, slug: str) -> list[int]:
    """Ids whose slug is ``slug`` (empty when none; the list then matches nothing)."""
    return snapshot.ids_where(lambda value: value == slug)


def confidential_channel_ids() -> list[int]:
    """Ids of the channels whose cases only the ombudsman role sees (none in most
    agencies: read from the snapshot without reloading when there are none)."""
    return [pk for pk, confidential in channel_confidential.rows().items() if confidential]


def state_ids_with_slug(slug: str) -> list[int]:
    """Ids of the states called ``slug`` (one per workflow that has it)."""
    return states.ids_where(lambda value: value[0] == slug)


def state_ids_in(category: str) -> list[int]:
    """Ids of the states in ``category`` (open, waiting_requester…)."""
    return [pk for pk, (_slug, _name, cat) in states.rows().items() if cat == category]


def clear_all() -> None:
    for snapshot in SNAPSHOTS:
        snapshot.clear()


def connect_signals() -> None:
    """Drop a snapshot in this process whenever its table changes through the ORM."""
    from django.apps import apps
    from django.db.models.signals import post_delete, post_save

    for number, snapshot in enumerate(SNAPSHOTS):

        def drop(sender, snapshot=snapshot, **kwargs):
            snapshot.clear()

        model = apps.get_model(snapshot.model_label)
        uid = f"balcao.cases.lookups.{number}"
        post_save.connect(drop, sender=model, weak=False, dispatch_uid=uid + ".save")
        post_delete.connect(drop, sender=model, weak=False, dispatch_uid=uid + ".delete")
