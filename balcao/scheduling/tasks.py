"""Background work of scheduled sessions (huey discovers this module in every app)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task


@db_task(retries=3, retry_delay=120)
def send_registration_mail(pk: int, kind: str) -> bool:
    """An e-mail to a person signed up for an open session (invitation, waiting list,
    cancellation, reminder), right after the transaction that caused it; a refused send is
    retried by huey."""
    from balcao.scheduling.services import send_mail_now

    return send_mail_now(pk, kind)


@db_periodic_task(crontab(minute="*/5"))
def send_session_reminders() -> int:
    """Conecta Todos reminders, the day before and one hour before (issue 25), each once."""
    from balcao.scheduling.services import send_due_reminders

    return send_due_reminders()
