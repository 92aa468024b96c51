"""``{% options choices selected %}``: the ``<option>`` elements of a menu, written in
Python — as the work queue's rows are (balcao/console/queue_views.py) — rather than looped
by the template engine: the queue's filter and bulk menus, an ``{% if %}`` per option, were
a tenth of the page's CPU (tests/bench/bench_cases.py, issue 19)."""

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

register = template.Library()


@register.simple_tag
def options(choices, selected=None):
    """``<option value="…"[ selected]>label</option>`` for each (value, label) of
    ``choices``, values and labels escaped; ``selected`` is compared as the template's
    ``==`` would (value to value)."""
    return mark_safe(  # noqa: S308 — every value and label is escaped
        "".join(
            f'<option value="{conditional_escape(value)}"'
            f"{' selected' if selected is not None and value == selected else ''}>"
            f"{conditional_escape(label)}</option>"
            for value, label in choices
        )
    )
