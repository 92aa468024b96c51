"""Login tests: a clean cache (delay counters) and a clock tests can move forward."""

from __future__ import annotations

import pytest
from django_otp.oath import totp


@pytest.fixture(autouse=True)
def _clean_cache(request):
    """Delay counters live in the shared cache (a database table without Redis): only
    tests that reach the database have any to clear."""
    from django.core.cache import cache

    uses_db = request.node.get_closest_marker("django_db") is not None or any(
        name in request.fixturenames for name in ("db", "transactional_db", "live_server")
    )
    if uses_db:
        cache.clear()
    yield
    if uses_db:
        cache.clear()


@pytest.fixture
def clock(monkeypatch):
    """The login services' clock, frozen; ``clock.advance(s)`` moves it forward."""
    import time

    from balcao.accounts import services

    class Clock:
        now = time.time()

        def advance(self, seconds: float) -> None:
            self.now += seconds

    fake = Clock()
    monkeypatch.setattr(services, "_clock", lambda: fake.now)
    return fake


@pytest.fixture
def totp_code():
    """The code an authenticator app shows now for ``device``."""

    def code(device) -> str:
        return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"

    return code
