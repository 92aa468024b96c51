"""Web processes that stop pausing for the garbage collector once they are warm.

Measured on the case page at 1 M cases (docs/benchmarks.md, 2026-12-05): one request in
twenty or so waited 100–145 ms while Python's full (generation 2) collection walked every
object the process had loaded — Django, every app's modules, the compiled templates, the
per-process caches — none of which is ever garbage. ``gc.freeze()`` moves the objects alive
at that moment out of the collector's sight, so later collections walk only what requests
create. A process freezes after its 1st, 10th, 100th and 1,000th request: the first ones load
the URL configuration, the views and the templates; later freezes take in what was loaded
lazily since. What is frozen is never collected: cyclic garbage alive at a freeze (at most
what four requests left) stays for the life of the process — a bounded price, and gunicorn
workers live for one ``balcao serve``.

Pure: no Django import (``balcao.wsgi`` and ``balcao.ops.nginx`` wrap their application).
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable

FREEZE_AFTER = frozenset({1, 10, 100, 1000})


class FreezeWhenWarm:
    """A WSGI application that is ``app``, calling ``gc.freeze()`` after the requests
    counted in ``FREEZE_AFTER``."""

    def __init__(self, app: Callable[..., Iterable[bytes]]) -> None:
        self.app = app
        self.served = 0

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        try:
            return self.app(environ, start_response)
        finally:
            self.served += 1
            if self.served in FREEZE_AFTER:
                gc.freeze()
