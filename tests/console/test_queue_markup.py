"""The work queue's tabs and menus, written in Python (balcao/console/queue_views.py,
{% options %}), are the markup the template's loops wrote — escaping included."""

from __future__ import annotations

import pytest
from django.template import Context, Engine
from django.utils.safestring import mark_safe
from django.utils.translation import override

from balcao.console.queue_views import _tabs_html
from balcao.console.templatetags.console_options import options

ENGINE = Engine(libraries={"i18n": "django.templatetags.i18n"})
# What console/case_list.html looped before.
TABS = ENGINE.from_string(
    "{% load i18n %}{% for view in views %}\n"
    '    <li><a href="?view={{ view.slug }}{% if tab_query %}&amp;{{ tab_query }}{% endif %}"'
    '{% if view.current %} aria-current="page" class="current"{% endif %}>{{ view.label }}'
    '{% if view.count is not None %} <span class="count">{% if view.capped %}99+{% else %}'
    '{{ view.count }}{% endif %}<span class="sr-only"> {% translate "atendimentos" %}</span>'
    "</span>{% endif %}</a></li>{% endfor %}"
)
OPTIONS = ENGINE.from_string(
    '{% for value, label in choices %}<option value="{{ value }}"'
    "{% if selected == value %} selected{% endif %}>{{ label }}</option>{% endfor %}"
)
VIEWS = [
    {"slug": "abertos", "label": "Abertos", "count": 7, "capped": False, "current": True},
    {"slug": "meus", "label": "Meus <b>&", "count": 100, "capped": True, "current": False},
    {
        "slug": "todos",
        "label": mark_safe("<i>Todos</i>"),
        "count": None,
        "capped": False,
        "current": False,
    },
    {"slug": 'x"y', "label": "Zero", "count": 0, "capped": False, "current": False},
]


@pytest.mark.parametrize("language", ["pt-br", "pt-pt", "en"])
@pytest.mark.parametrize("tab_query", ["", "q=gru&team=patentes", "q=%22a%22+%3Cb%3E&x='y"])
def test_the_tabs_are_what_the_template_wrote(language, tab_query):
    with override(language):
        theirs = TABS.render(Context({"views": VIEWS, "tab_query": tab_query}))
        assert _tabs_html(VIEWS, tab_query) == theirs


@pytest.mark.parametrize("selected", [None, "", "b", 2, "nada"])
def test_the_options_are_what_the_template_wrote(selected):
    choices = [
        ("", "Todas"),
        ("a", "Á & <B>"),
        ("b", mark_safe("<i>b</i>")),
        (2, "dois"),
        ('"q"', "aspas"),
    ]
    theirs = OPTIONS.render(Context({"choices": choices, "selected": selected}))
    assert options(choices, selected) == theirs


def test_the_page_labeller_words_each_deadline_as_deadline_label():
    """``deadline_labeller`` reuses a wording per page; each label is still the one
    ``deadline_label`` gives that case (hours and minutes on the due day included)."""
    from datetime import UTC, datetime, timedelta

    from balcao.console.queue import deadline_label, deadline_labeller

    now = datetime(2026, 12, 3, 15, 30, tzinfo=UTC)
    today, horizon = now.date(), now + timedelta(days=3)
    label = deadline_labeller(now=now, today=today, horizon=horizon)
    for hours in range(-100, 200, 7):
        for closed, paused in ((False, False), (True, False), (False, True)):
            due_at = now + timedelta(hours=hours, minutes=hours % 11)
            args = {"closed": closed, "paused": paused, "due_day": due_at.date()}
            once = deadline_label(due_at, now=now, today=today, horizon=horizon, **args)
            assert label(due_at, **args) == once
    no_due = {"closed": False, "paused": False, "due_day": None}
    assert label(None, **no_due) == deadline_label(
        None, now=now, today=today, horizon=horizon, **no_due
    )
