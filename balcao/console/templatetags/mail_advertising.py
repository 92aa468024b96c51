"""``{% case_opening_mail case as opening %}``: the e-mail that opened a case, for the case
page's "É publicidade" form (issue 22: agents mark advertising, the filter learns)."""

from django import template

from balcao.mail import services

register = template.Library()


@register.simple_tag
def case_opening_mail(case):
    return services.case_opening_mail(case)
