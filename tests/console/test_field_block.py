"""``{% field_block %}`` writes what ``{% include "console/_field.html" %}`` wrote, byte for
byte, for every kind of field the case page shows (balcao/console/templatetags/
console_fields.py)."""

from __future__ import annotations

import pytest
from django import forms
from django.template import Context, Template
from django.utils import translation

from balcao.console.forms import ExtendForm

INCLUDE = Template('{% include "console/_field.html" with field=field reveal_required=reveal %}')
TAG = Template("{% load console_fields %}{% field_block field reveal_required=reveal %}")
TAG_PLAIN = Template("{% load console_fields %}{% field_block field %}")


class Sample(forms.Form):
    text = forms.CharField(label="Texto <b>&</b>", help_text='Até 5 "linhas" & <mais>')
    optional = forms.CharField(label="Opcional", required=False, widget=forms.Textarea)
    menu = forms.ChoiceField(
        label="Situação", choices=[("a", "A & B"), ("b", "<C>")], required=False
    )
    files = forms.FileField(label="Arquivos", required=False)
    agree = forms.BooleanField(label="De acordo", required=False)
    number = forms.IntegerField(label="Dias", min_value=1)


def _fields():
    unbound = Sample(auto_id="id_%s")
    bound = Sample({"text": "", "number": "0", "menu": "zz"})
    bound.is_valid()
    bound.add_error("text", 'Outro erro <com> marcação & aspas "".')
    extend = ExtendForm({"justification": ""})
    extend.is_valid()
    no_id = Sample(auto_id=False)
    for form in (unbound, bound, extend, ExtendForm(), no_id):
        yield from form


@pytest.mark.parametrize("language", ["pt-br", "pt-pt", "en"])
def test_the_tag_writes_what_the_include_wrote(language):
    compared = 0
    with translation.override(language):
        for field in _fields():
            for reveal in (False, True):
                context = {"field": field, "reveal": reveal}
                expected = INCLUDE.render(Context(context))
                assert TAG.render(Context(context)) == expected, (field.name, reveal)
                compared += 1
            assert TAG_PLAIN.render(Context({"field": field})) == INCLUDE.render(
                Context({"field": field, "reveal": False})
            )
    assert compared == 2 * (6 + 6 + 1 + 1 + 6)


def test_errors_and_required_marks_are_written():
    form = Sample({"text": "", "number": "0"})
    form.is_valid()
    html = TAG.render(Context({"field": form["text"], "reveal": False}))
    assert 'class="field danger"' in html
    assert 'id="id_text_error"' in html
    assert "Texto &lt;b&gt;&amp;&lt;/b&gt;" in html
    optional = TAG.render(Context({"field": form["optional"], "reveal": True}))
    assert 'id="id_optional_required" hidden' in optional
