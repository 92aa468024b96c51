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


@db_task(retries=3, retry_delay=120)
def send_session_request_mail(pk: int, kind: str, reason: str = "") -> bool:
    """An e-mail with its ``.ics`` about a (tele)presential session (confirmation,
    reschedule, cancellation, reminder) to the case's official recipient."""
    from balcao.scheduling.presential import send_mail_now

    return send_mail_now(pk, kind, reason)


@db_periodic_task(crontab(minute="*/5"))
def send_session_reminders() -> int:
    """Reminders the day before and one hour before (issue 25), each once: Conecta Todos
    registrations and confirmed (tele)presential sessions."""
    from balcao.scheduling import presential, services

    return services.send_due_reminders() + presential.send_due_reminders()


@db_periodic_task(crontab(minute="*/15"))
def sweep_direct_contacts() -> tuple[int, int]:
    """Direct contact (Portaria, art. 40 III): the reminder one working day before the
    person's 5 working days end, once; expired contacts marked."""
    from balcao.scheduling.contact import sweep

    return sweep()


@db_periodic_task(crontab(hour="3", minute="40"))
def purge_session_recordings() -> int:
    """Session recordings past ``BALCAO_SESSION_RECORDING_DAYS`` lose their file (daily)."""
    from balcao.scheduling.record import purge_old_recordings

    return purge_old_recordings()
