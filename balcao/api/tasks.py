from huey.contrib.djhuey import db_task
from huey.exceptions import RetryTask

from balcao.api.models import WebhookDelivery
from balcao.api.webhooks import MAX_ATTEMPTS, attempt_delivery, backoff_seconds


@db_task(retries=MAX_ATTEMPTS - 1)
def deliver_webhook(delivery_id: int) -> bool:
    """Deliver one webhook event; on failure retry later with exponential backoff."""
    delivery = WebhookDelivery.objects.select_related("webhook").filter(pk=delivery_id).first()
    if delivery is None or delivery.delivered_at is not None:
        return True
    ok, error = attempt_delivery(delivery)
    if not ok and delivery.attempts < MAX_ATTEMPTS:
        raise RetryTask(
            f"webhook {delivery.webhook_id}: {error}", delay=backoff_seconds(delivery.attempts)
        )
    return ok
