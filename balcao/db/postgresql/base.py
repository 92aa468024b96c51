"""Django's PostgreSQL backend, reading ``timestamptz`` with psycopg's C loader.

Django registers its own loader for ``timestamptz`` so that every datetime comes back
in the connection's time zone; that loader subclasses psycopg's pure-Python one, and
with psycopg[binary] the C implementation is then never used. A page of 50 cases
carries about 150 datetimes: parsing them in Python cost ~1.4 ms of the ~2.1 ms the
page query takes in the web process (measured at 1 M cases; tests/bench/bench_cases.py).

When Django wants UTC datetimes (``USE_TZ`` on, no database ``TIME_ZONE``) — always
the case for Balcão — psycopg's C loader already returns them: Django sets the
session's ``TimeZone`` to UTC and psycopg maps it to ``datetime.timezone.utc``. So
this backend registers that loader instead, and leaves everything else to Django.
Selected by ``DATABASE_URL=postgres://…`` (see balcao/settings.py).
"""

from __future__ import annotations

import datetime
from functools import lru_cache

from django.db.backends.postgresql import base
from psycopg import adapt

try:  # the C implementation, shipped by psycopg[binary] (or psycopg[c])
    from psycopg_binary._psycopg import TimestamptzLoader as _CTimestamptzLoader
except ImportError:  # pragma: no cover — pure-Python psycopg: keep Django's loader
    _CTimestamptzLoader = None


class UTCTimestamptzLoader(adapt.Loader):
    """Delegates to psycopg's C loader (a final C type, so it is wrapped, not
    subclassed); ``timezone`` is what Django's cursor check compares."""

    timezone = datetime.UTC

    def __init__(self, oid: int, context=None):
        super().__init__(oid, context)
        self._load = _CTimestamptzLoader(oid, context).load

    def load(self, data):
        return self._load(data)


@lru_cache
def _adapters_with_c_loader(template: adapt.AdaptersMap) -> adapt.AdaptersMap:
    adapters = adapt.AdaptersMap(template)
    adapters.register_loader("timestamptz", UTCTimestamptzLoader)
    return adapters


class DatabaseWrapper(base.DatabaseWrapper):
    def get_connection_params(self):
        params = super().get_connection_params()
        if _CTimestamptzLoader is not None and self.timezone is datetime.UTC:
            params["context"] = _adapters_with_c_loader(params["context"])
        return params
