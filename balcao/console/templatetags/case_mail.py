"""``{% case_mail case %}``: the e-mails sent to the person about a case, with their outcome
(sent, queued for another attempt, failed), so an agent sees when an answer did not reach
anyone."""

from django import template

from balcao.cases.models import OutboundMail

register = template.Library()


@register.inclusion_tag("console/_case_mail.html")
def case_mail(case):
    mails = list(
        OutboundMail.objects.filter(case=case)
        .exclude(kind=OutboundMail.Kind.UNIT_FORWARD)  # shown with the unit forwards
        .only(
            "kind", "status", "attempts", "last_error", "created_at", "sent_at", "next_attempt_at"
        )
        .order_by("created_at", "pk")
    )
    return {
        "mails": mails,
        "failed": any(m.status == OutboundMail.Status.FAILED for m in mails),
        "SENT": OutboundMail.Status.SENT,
        "FAILED": OutboundMail.Status.FAILED,
    }


@register.inclusion_tag("console/_case_rating.html")
def case_rating(case):
    """The person's rating of the service, once they gave it on the follow-up page."""
    from balcao.cases.models import CaseRating

    return {"rating": CaseRating.objects.filter(case=case).first()}
