"""``{% console_menu %}``: the items of the console's menu that the person signed in may use
(balcao.console.navigation writes them once per language and set of roles)."""

from django import template

from balcao.console.navigation import menu_items

register = template.Library()


@register.simple_tag(takes_context=True)
def console_menu(context):
    return menu_items(context["request"].user)
