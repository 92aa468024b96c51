"""Webhooks on case events: HMAC-signed, sent after commit, retried with backoff.

Signature: ``X-Balcao-Signature: sha256=HEX`` where HEX is
HMAC-SHA256(secret, f"{X-Balcao-Timestamp}.{body}"), so a receiver can refuse
replays older than a few minutes.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request

from django.dispatch import receiver
from django.utils import timezone

from balcao import workscope
from balcao.api.models import Webhook, WebhookDelivery
from balcao.cases.events import case_event

MAX_ATTEMPTS = 6
TIMEOUT_SECONDS = 10


def sign(secret: str, timestamp: str, body: bytes) -> str:
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def backoff_seconds(attempt: int) -> int:
    """30 s, 1 min, 2 min, 4 min, 8 min… between attempts."""
    return 30 * 2 ** max(0, attempt - 1)


def case_payload(event: str, case, message=None) -> dict:
    payload = {
        "event": event,
        "case": {
            "id": case.pk,
            "protocol": case.protocol,
            "channel": case.channel.slug,
            "state": case.state.slug,
            "state_category": case.state.category,
            "team": case.team.slug if case.team_id else None,
            "assignee": case.assignee.username if case.assignee_id else None,
            "due_at": case.due_at.isoformat() if case.due_at else None,
            "updated_at": case.updated_at.isoformat() if case.updated_at else None,
        },
    }
    if message is not None:
        payload["message"] = {"id": message.pk, "author_kind": message.author_kind}
    return payload


@receiver(case_event)
def queue_deliveries(sender, event, case, message=None, **extra):
    """Runs after commit (see cases.events): one delivery per interested webhook."""
    from balcao.api.tasks import deliver_webhook

    active = workscope.remember("api.webhooks", lambda: list(Webhook.objects.filter(active=True)))
    hooks = [hook for hook in active if hook.wants(event)]
    if not hooks:
        return
    payload = case_payload(event, case, message)
    for hook in hooks:
        delivery = WebhookDelivery.objects.create(webhook=hook, event=event, payload=payload)
        deliver_webhook(delivery.pk)


def attempt_delivery(delivery: WebhookDelivery) -> tuple[bool, str]:
    """POST the delivery once; returns (delivered, error)."""
    body = json.dumps(delivery.payload, separators=(",", ":"), ensure_ascii=False).encode()
    timestamp = str(int(time.time()))
    request = urllib.request.Request(  # noqa: S310 — admin-configured http(s) URL
        delivery.webhook.url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": "Balcao-Webhook/1",
            "X-Balcao-Event": delivery.event,
            "X-Balcao-Delivery": str(delivery.pk),
            "X-Balcao-Timestamp": timestamp,
            "X-Balcao-Signature": sign(delivery.webhook.secret, timestamp, body),
        },
    )
    delivery.attempts += 1
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            delivery.last_status = response.status
            ok = 200 <= response.status < 300
            error = "" if ok else f"HTTP {response.status}"
    except urllib.error.HTTPError as exc:
        delivery.last_status, ok, error = exc.code, False, f"HTTP {exc.code}"
    except (urllib.error.URLError, OSError) as exc:
        ok, error = False, str(getattr(exc, "reason", exc))[:300]
    delivery.last_error = error
    if ok:
        delivery.delivered_at = timezone.now()
    delivery.save(update_fields=["attempts", "last_status", "last_error", "delivered_at"])
    return ok, error
