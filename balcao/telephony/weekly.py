"""The contact centre's weekly report, e-mailed (seed ``003_…txt``, section 13: weekly,
monthly and final reports; issue 23: "weekly reports e-mailed automatically").

Every Monday the periodic job (``balcao.ops.tasks``) sends last week's report — Monday to
Sunday, the 13.1 indicators as a PDF — to the supervisors and managers."""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from balcao.accounts.roles import MANAGER, SUPERVISOR, emails_of
from balcao.telephony import reports
from balcao.telephony.models import SentReport
from balcao.telephony.services import contact_centre_report

RECIPIENT_ROLES = (SUPERVISOR, MANAGER)


def last_week(today: date) -> tuple[date, date]:
    """The Monday and Sunday of the week before the one ``today`` falls in."""
    monday = today - timedelta(days=today.weekday() + 7)
    return monday, monday + timedelta(days=6)


def do_send_weekly_report(today: date | None = None) -> int:
    """E-mail last week's contact-centre report (PDF) to the supervisors and managers, on
    commit, once: a ``SentReport`` (kind weekly) records it, so a job run twice or again
    after a restart sends nothing more. Nothing is sent when no call of that week was
    imported, or nobody has an address. Returns how many people it was sent to."""
    start, end = last_week(today or timezone.localdate())
    weekly = SentReport.Kind.WEEKLY
    if SentReport.objects.filter(kind=weekly, start=start, end=end).exists():
        return 0
    data = contact_centre_report(start, end)
    if not data["indicators"]["a"]["value"]:
        return 0
    people = sorted({email for role in RECIPIENT_ROLES for email in emails_of(role)})
    if not people:
        return 0
    pdf = reports.render(data, "pdf")
    dates = {"start": start.isoformat(), "end": end.isoformat()}
    message = EmailMessage(
        _("Central telefônica: relatório semanal de %(start)s a %(end)s") % dates,
        "\n".join(
            [
                _("Segue em anexo o relatório semanal da central telefônica (%(start)s a %(end)s).")
                % dates,
                "",
                _("Chamadas recebidas: %(received)s")
                % {"received": data["indicators"]["a"]["value"]},
                _("Chamadas atendidas: %(answered)s")
                % {"answered": data["indicators"]["e"]["value"]},
            ]
        ),
        settings.DEFAULT_FROM_EMAIL,
        people,
    )
    message.attach(f"central-telefonica-{start}-{end}.pdf", pdf, "application/pdf")
    with transaction.atomic():
        _row, created = SentReport.objects.get_or_create(
            kind=weekly, start=start, end=end, defaults={"recipients": len(people)}
        )
        if not created:
            return 0
        transaction.on_commit(lambda: message.send(fail_silently=True))
    return len(people)
