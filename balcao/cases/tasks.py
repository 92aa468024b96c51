"""Background work of the case core (huey discovers this module in every app)."""

from __future__ import annotations

from huey.contrib.djhuey import db_task

from balcao.cases import outbound


@db_task()
def send_outbound_mail(pk: int) -> bool:
    """First attempt at an e-mail to a person, right after the transaction that wrote it;
    a refused send is retried by ``ops.tasks.retry_outbound_mail`` with backoff."""
    return outbound.send_queued(pk)
