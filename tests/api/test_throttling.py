"""Finding #4 (API): the public rate limit counts per client address as the trusted-proxy
middleware resolved it, never per ``X-Forwarded-For`` written by the client."""

from __future__ import annotations

import json

import pytest
from django.core.cache import cache

from balcao.apikit.throttling import PublicRateThrottle

pytestmark = pytest.mark.django_db

CLIENT = "203.0.113.7"  # documentation range: no other test's budget


@pytest.fixture(autouse=True)
def _fresh_budgets():
    """The database cache rolls back with the test; Redis (REDIS_URL) does not."""
    cache.clear()
    yield
    cache.clear()


def choose(client, **meta):
    return client.post(
        "/api/v1/triage/choice",
        json.dumps({"outcome": 1, "chosen": "x"}),
        content_type="application/json",
        **meta,
    )


def test_a_fresh_forwarded_for_per_call_is_still_throttled(client):
    for n in range(60):
        response = choose(client, REMOTE_ADDR=CLIENT, HTTP_X_FORWARDED_FOR=f"10.0.{n}.1")
        assert response.status_code == 422  # refused choice, but served
    response = choose(client, REMOTE_ADDR=CLIENT, HTTP_X_FORWARDED_FOR="10.9.9.9")
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "http_error"
    assert int(response["Retry-After"]) >= 1


def test_each_client_address_has_its_own_budget(client):
    for _ in range(60):
        choose(client, REMOTE_ADDR=CLIENT)
    assert choose(client, REMOTE_ADDR=CLIENT).status_code == 429
    assert choose(client, REMOTE_ADDR="203.0.113.8").status_code == 422


def test_behind_a_trusted_proxy_the_forwarded_client_is_counted(client, settings):
    """The middleware puts the real client in REMOTE_ADDR; the throttle counts that."""
    settings.BALCAO_TRUSTED_PROXIES = ["127.0.0.1"]
    from django.test import Client

    proxied = Client()  # a new handler reads the setting
    for _ in range(60):
        choose(proxied, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=CLIENT)
    assert choose(proxied, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=CLIENT).status_code == 429
    assert (
        choose(proxied, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9").status_code
        == 422
    )


def test_every_throttled_endpoint_uses_the_address_throttle():
    """ninja's own throttles key on the raw header: none may come back."""
    from balcao.api.urls import api

    throttles = [
        throttle
        for _prefix, router in api._routers
        for path_view in router.path_operations.values()
        for operation in path_view.operations
        for throttle in operation.throttle_objects
    ]
    assert len(throttles) >= 6  # bot (4) and triage (2)
    assert all(isinstance(t, PublicRateThrottle) for t in throttles)
