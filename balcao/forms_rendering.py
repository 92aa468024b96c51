"""Form widgets written in Python, byte for byte as Django's own widget templates write them.

Django renders every widget — and every ``<option>`` of a select — through its template
engine: an input is three template files (the widget, ``input.html``, ``attrs.html``), a
select of twelve options thirty-seven. On the console's case page (nine fields, four selects)
that was ≈ 4.5 ms of the ≈ 13 ms spent in templates (measured in process at 1 M cases,
tests/bench/bench_cases.py, 2026-12-04).

:class:`Renderer` (``FORM_RENDERER``) writes the plain widgets — text-like inputs, textareas,
selects and their options, a file input with nothing uploaded yet — with the same markup and
escaping as the templates in ``django/forms/templates/django/forms/widgets/``, and leaves
every other widget (and any template a project overrides) to those templates.
``tests/test_forms_rendering.py`` renders each widget both ways and compares.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.forms.renderers import DjangoTemplates
from django.template import TemplateDoesNotExist
from django.utils.html import conditional_escape

_WIDGETS = "django/forms/widgets/"
_INPUT_TYPES = (
    "text email number password hidden url date datetime time search tel color file checkbox"
).split()


def _attrs(attrs: Mapping[str, Any]) -> str:
    """``attrs.html``: `` name="value"`` each, a bare name for True, nothing for False."""
    out = []
    for name, value in attrs.items():
        if value is False:
            continue
        if value is True:
            out.append(f" {conditional_escape(name)}")
        else:
            out.append(f' {conditional_escape(name)}="{conditional_escape(str(value))}"')
    return "".join(out)


def _input(widget: Mapping[str, Any]) -> str:
    value = widget["value"]
    shown = f' value="{conditional_escape(str(value))}"' if value is not None else ""
    return (
        f'<input type="{conditional_escape(widget["type"])}" '
        f'name="{conditional_escape(widget["name"])}"{shown}{_attrs(widget["attrs"])}>'
    )


def _file_input(widget: Mapping[str, Any]) -> str | None:
    if widget.get("is_initial"):
        return None  # a file already there: the template writes its link and checkbox
    return (
        f'<input type="{conditional_escape(widget["type"])}" '
        f'name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>'
    )


def _textarea(widget: Mapping[str, Any]) -> str:
    value = widget["value"]
    return (
        f'<textarea name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>\n'
        f"{conditional_escape(value) if value else ''}</textarea>"
    )


def _option(option: Mapping[str, Any]) -> str:
    return (
        f'<option value="{conditional_escape(str(option["value"]))}"'
        f"{_attrs(option['attrs'])}>{conditional_escape(option['label'])}</option>"
    )


class Renderer(DjangoTemplates):
    """Django's template renderer, with the plain widgets written directly."""

    def render(self, template_name, context, request=None):
        draw = _DRAW.get(template_name)
        if draw is not None and template_name not in self._overridden():
            written = draw(self, context["widget"])
            if written is not None:
                return written
        return super().render(template_name, context, request)

    def _overridden(self) -> frozenset[str]:
        """Widget templates a project or app replaces: those are rendered as templates."""
        found = getattr(self, "_overridden_names", None)
        if found is None:
            names = set()
            for name in _DRAW:
                try:
                    origin = self.get_template(name).origin.name
                except TemplateDoesNotExist:  # pragma: no cover — Django ships them all
                    continue
                if "/django/forms/templates/" not in origin.replace("\\", "/"):
                    names.add(name)
            found = self._overridden_names = frozenset(names)
        return found

    def _select(self, widget: Mapping[str, Any]) -> str:
        parts = [f'<select name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>']
        for group_name, group_choices, _index in widget["optgroups"]:
            if group_name:
                parts.append(f'\n  <optgroup label="{conditional_escape(group_name)}">')
            for option in group_choices:
                parts.append("\n  ")
                name = option["template_name"]
                if name == _WIDGETS + "select_option.html" and name not in self._overridden():
                    parts.append(_option(option) + "\n")  # the template file's last newline
                else:  # as ``{% include %}`` does it: not stripped
                    parts.append(self.get_template(name).render({"widget": option}))
            if group_name:
                parts.append("\n  </optgroup>")
        parts.append("\n</select>")
        return "".join(parts)


_DRAW: dict[str, Callable[[Renderer, Mapping[str, Any]], str | None]] = {
    **{_WIDGETS + f"{kind}.html": lambda _r, w: _input(w) for kind in _INPUT_TYPES},
    _WIDGETS + "input.html": lambda _r, w: _input(w),
    _WIDGETS + "clearable_file_input.html": lambda _r, w: _file_input(w),
    _WIDGETS + "textarea.html": lambda _r, w: _textarea(w),
    _WIDGETS + "select.html": lambda r, w: r._select(w),
    _WIDGETS + "select_option.html": lambda _r, w: _option(w),
}
