"""Periodic jobs, all registered here (huey): one place to see what runs when.

The worker (``balcao run_huey``) runs them; with ``REDIS_URL`` set several workers
share one queue and each periodic job is enqueued once per tick by the scheduler.
The jobs call each app's services; nothing here holds domain logic.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from balcao.accounts.models import LoginFailure


@db_periodic_task(crontab(minute="*/10"))
def retry_pending_webhooks() -> int:
    """Re-enqueue webhook deliveries that a worker restart left undelivered."""
    from balcao.api.models import WebhookDelivery
    from balcao.api.tasks import deliver_webhook
    from balcao.api.webhooks import MAX_ATTEMPTS

    stale = timezone.now() - timedelta(hours=1)
    pending = WebhookDelivery.objects.filter(
        delivered_at__isnull=True, attempts__lt=MAX_ATTEMPTS, created_at__lt=stale
    ).values_list("pk", flat=True)[:500]
    for pk in pending:
        deliver_webhook(pk)
    return len(pending)


@db_periodic_task(crontab(minute="*"))
def retry_outbound_mail() -> int:
    """Send again the e-mails to people whose server refused them, with backoff (and any a
    worker restart left queued)."""
    from balcao.cases.outbound import retry_due

    return retry_due()


@db_periodic_task(crontab(minute="*/15"))
def sweep_deadlines() -> dict[str, int]:
    """Flag cases due soon or overdue and notify assignees and supervisors once."""
    from balcao.cases.clock import sweep_deadlines as sweep

    return sweep()


@db_periodic_task(crontab(minute="*"))
def close_idle_conversations() -> dict[str, int]:
    """Chat idle for 20 minutes (policy chat-idle-20min): warn, then close."""
    from balcao.bot.services import close_idle_conversations as close_idle

    return close_idle()


@db_periodic_task(crontab(minute="5", hour="2"))
def archive_unanswered_complementations() -> int:
    """Manifestations and LAI requests whose author never sent the complementation asked."""
    from balcao.ombudsman.services import archive_unanswered

    return archive_unanswered()


@db_periodic_task(crontab(minute="*"))
def fetch_mailboxes() -> int:
    """Read every active mailbox over IMAP (issue 22); one that fails is logged and the
    others go on. Returns how many messages were taken."""
    import logging

    from balcao.mail import imap
    from balcao.mail.models import Mailbox

    taken = 0
    for mailbox in Mailbox.objects.filter(active=True).exclude(imap_host=""):
        try:
            taken += imap.fetch_mailbox(mailbox).new
        except Exception:  # noqa: BLE001 — a mailbox down never stops the others
            logging.getLogger("balcao.mail").exception("mailbox %s could not be read", mailbox)
    return taken


@db_periodic_task(crontab(minute="20", hour="8"))
def remind_ombudsman_forwardings() -> int:
    """Units reminded of the ombudsman's forwardings due within two days or overdue."""
    from balcao.ombudsman.services import remind_forwardings

    return remind_forwardings()


@db_periodic_task(crontab(minute="17", hour="3"))
def purge_old_login_failures() -> int:
    """Failed-login rows only matter for the lockout window; keep 30 days for audit."""
    cutoff = timezone.now() - timedelta(days=30)
    deleted, _ = LoginFailure.objects.filter(at__lt=cutoff).delete()
    return deleted


@db_periodic_task(crontab(minute="25", hour="3"))
def purge_shared_triage_texts() -> int:
    """Needs shared on the portal lose their text when nobody will use it: after a day when
    the person chose no channel, after 30 days when staff did not take it up."""
    from balcao.catalog.services import purge_shared_texts

    return purge_shared_texts()


@db_periodic_task(crontab(minute="40", hour="3"))
def purge_old_recordings() -> int:
    """Call recordings older than BALCAO_RECORDING_DAYS (90, seed 003) lose their file."""
    from balcao.telephony.recordings import purge_old_recordings as purge

    return purge()


@db_periodic_task(crontab(minute="0", hour="7", day_of_week="1"))
def email_weekly_contact_centre_report() -> int:
    """Every Monday at 07:00, last week's contact-centre report (PDF) to the supervisors and
    managers (seed 003, section 13: weekly reports); nothing when no call was imported."""
    from balcao.telephony.weekly import do_send_weekly_report

    return do_send_weekly_report()


@db_task()
def heartbeat(path: str) -> str:
    """Write a line to ``path`` (operators and tests check that a worker is alive).

    Written beside and renamed into place, so a reader never sees a half-written file."""
    target = Path(path)
    partial = target.with_name(f".{target.name}.partial")
    partial.write_text(f"{timezone.now().isoformat()} {settings.HUEY['huey_class']}\n")
    partial.replace(target)
    return path


@db_periodic_task(crontab(minute="15", hour="7", day="1-7"))
def email_monthly_contact_centre_report() -> int:
    """Early each month, last month's activity report (PDF; seed 003, 13.2, with the 13.2.1
    sample drawn if none was) to supervisors and managers, once (``SentReport``): on days
    1–7 so that a late queue_log import or a worker that was down is still covered."""
    from balcao.telephony.periodic import do_send_monthly_report

    return do_send_monthly_report()
