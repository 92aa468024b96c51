"""``{% unit_forwards as section %}``: the case page's forwards to units by e-mail and the
form to make one (balcao.console.unit_views.case_section)."""

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def unit_forwards(context):
    from balcao.console.unit_views import case_section

    return case_section(context)
