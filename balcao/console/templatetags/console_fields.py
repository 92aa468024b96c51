"""``{% field_block field %}``: a form field with its label, help and error, as
``console/_field.html`` writes it, written in Python. The case page includes that template
fourteen times or more (reply, state, assignment, extension, LAI answer, ombudsman and unit
forms), and each ``{% include %}`` with its ``{% if %}``s and lookups cost more than the
field it wraps: a tenth of the page's CPU (tests/bench/bench_cases.py, issue 19). A test
keeps the two byte-identical (tests/console/test_field_block.py)."""

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

register = template.Library()


@register.simple_tag
def field_block(field, reveal_required=False):
    """The ``<div class="field">`` of ``field`` (a bound field). ``reveal_required``: a
    field required only for some choices carries a hidden "(obrigatório)" that the page's
    script shows when it applies (console/_field.html's ``reveal_required``)."""
    esc = conditional_escape
    errors = field.errors
    auto_id = esc(field.auto_id)
    required = ""
    if field.field.required:
        required = f' <span class="required">({esc(gettext("obrigatório"))})</span>'
    elif reveal_required:
        required = (
            f' <span class="required" id="{auto_id}_required" hidden>'
            f"({esc(gettext('obrigatório'))})</span>"
        )
    help_text = ""
    if field.help_text:
        help_text = f'<p class="help" id="{auto_id}_helptext">{esc(field.help_text)}</p>'
    error = ""
    if errors:
        error = (
            f'<p class="field-error" id="{auto_id}_error">'
            f"{' '.join(str(esc(e)) for e in errors)}</p>"
        )
    return mark_safe(  # noqa: S308 — every value is escaped or a widget's own markup
        f'<div class="field{" danger" if errors else ""}">\n'
        f'  <label for="{esc(field.id_for_label)}">{esc(field.label)}{required}</label>\n'
        f"  {esc(field)}\n"
        f"  {help_text}\n"
        f"  {error}\n"
        "</div>\n"
    )
