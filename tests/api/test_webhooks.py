"""Webhooks: sent after commit to a real local HTTP server, HMAC-signed, retried on failure."""

import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from balcao.api.models import Webhook, WebhookDelivery
from balcao.api.webhooks import attempt_delivery, backoff_seconds

pytestmark = pytest.mark.django_db


@pytest.fixture
def receiver():
    """A real HTTP server on loopback recording what it receives."""
    received = []
    status = {"code": 204}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append((dict(self.headers), body))
            self.send_response(status["code"])
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/hook", received, status
    server.shutdown()


def test_case_event_is_delivered_signed_after_commit(
    receiver, open_case, django_capture_on_commit_callbacks
):
    url, received, _ = receiver
    hook = Webhook.objects.create(name="sistema", url=url, secret="s3cr3t")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        case = open_case()
    assert received == []  # nothing leaves before the commit
    for callback in callbacks:
        callback()
    assert len(received) == 1
    headers, body = received[0]
    payload = json.loads(body)
    assert payload["event"] == "case.opened" and payload["case"]["protocol"] == case.protocol
    expected = hmac.new(
        b"s3cr3t", headers["X-Balcao-Timestamp"].encode() + b"." + body, hashlib.sha256
    ).hexdigest()
    assert headers["X-Balcao-Signature"] == f"sha256={expected}"
    delivery = WebhookDelivery.objects.get(webhook=hook)
    assert delivery.delivered_at is not None and delivery.attempts == 1


def test_rolled_back_change_sends_nothing(receiver, open_case, django_capture_on_commit_callbacks):
    url, received, _ = receiver
    Webhook.objects.create(name="sistema", url=url, secret="x")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        from django.db import transaction

        try:
            with transaction.atomic():
                open_case()
                raise RuntimeError("rollback")
        except RuntimeError:
            pass
    assert callbacks == [] and received == []


def test_failed_delivery_is_kept_for_retry_with_backoff(receiver):
    url, received, status = receiver
    status["code"] = 500
    hook = Webhook.objects.create(name="sistema", url=url, secret="x")
    delivery = WebhookDelivery.objects.create(
        webhook=hook, event="case.opened", payload={"event": "case.opened"}
    )
    ok, error = attempt_delivery(delivery)
    assert not ok and error == "HTTP 500"
    delivery.refresh_from_db()
    assert delivery.attempts == 1 and delivery.delivered_at is None
    status["code"] = 200
    assert attempt_delivery(delivery) == (True, "")
    assert [backoff_seconds(n) for n in (1, 2, 3)] == [30, 60, 120]


def test_unreachable_receiver_is_an_error_not_a_crash():
    hook = Webhook.objects.create(name="fora", url="http://127.0.0.1:9/nada", secret="x")
    delivery = WebhookDelivery.objects.create(webhook=hook, event="e", payload={})
    ok, error = attempt_delivery(delivery)
    assert not ok and error
