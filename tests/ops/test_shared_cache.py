"""Limits count per client, not per process: the default cache is shared (a database
table, or Redis with REDIS_URL), while rendered fragments stay in a per-process cache."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.db import DatabaseCache

from balcao.cases import intake


def test_the_default_cache_is_never_one_process_memory():
    backend = settings.CACHES["default"]["BACKEND"]
    assert "locmem" not in backend
    assert "locmem" in settings.CACHES["local"]["BACKEND"]


@pytest.mark.django_db
def test_a_second_process_sees_the_first_ones_count(settings):
    """Another worker builds its own cache object from the same settings: it must read
    the submissions counted here (a locmem cache would start from zero)."""
    settings.BALCAO_PUBLIC_FORM_RATE = "2/10m"
    for _ in range(2):
        intake.count_submission("198.51.100.7")
    options = settings.CACHES["default"]
    if options["BACKEND"].endswith("DatabaseCache"):
        other_process = DatabaseCache(options["LOCATION"], {})
    else:  # Redis
        other_process = caches.create_connection("default")
    key, _remaining = intake._rate_key("198.51.100.7", 600)
    assert other_process.get(key) == 2
    with pytest.raises(intake.RateLimited):
        intake.check_rate("198.51.100.7")
