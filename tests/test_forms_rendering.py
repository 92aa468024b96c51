"""balcao.forms_rendering writes the plain widgets exactly as Django's templates do."""

from __future__ import annotations

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe

from balcao.console.forms import MultipleFileInput
from balcao.forms_rendering import Renderer


class Everything(forms.Form):
    name = forms.CharField(label="Nome", max_length=20, help_text="<b>ajuda</b>")
    email = forms.EmailField(required=False, widget=forms.EmailInput(attrs={"autofocus": True}))
    age = forms.IntegerField(min_value=0, required=False)
    secret = forms.CharField(widget=forms.PasswordInput, required=False)
    hidden = forms.CharField(widget=forms.HiddenInput, required=False)
    site = forms.URLField(required=False, assume_scheme="https")
    when = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    agree = forms.BooleanField(required=False)
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 2, "data-x": 'a"b<c'}))
    choice = forms.ChoiceField(
        choices=[("", "(nenhum)"), ("a", "Á & B"), ("b", mark_safe("<i>b</i>")), (3, "três")],
        required=False,
    )
    grouped = forms.ChoiceField(
        choices=[("Grupo <1>", [("x", "X"), ("y", "Y")]), ("z", "Z")], required=False
    )
    many = forms.MultipleChoiceField(choices=[("1", "um"), ("2", "dois")], required=False)
    upload = forms.FileField(required=False)
    uploads = forms.FileField(required=False, widget=MultipleFileInput())
    radio = forms.ChoiceField(choices=[("r", "R"), ("s", "S")], widget=forms.RadioSelect)


DATA = [
    {},
    {
        "name": 'Zé "aspas" <script>',
        "email": "a@b",
        "age": "-1",
        "text": "linha 1\n<b>linha 2</b> & ",
        "choice": "b",
        "grouped": "y",
        "many": ["1", "2"],
        "agree": "on",
        "when": "2026-12-04",
        "radio": "s",
    },
]


@pytest.mark.parametrize("data", DATA)
def test_every_widget_is_written_as_djangos_templates_write_it(data):
    for bound in (True, False):
        ours = Everything(data if bound else None, renderer=Renderer())
        theirs = Everything(data if bound else None, renderer=DjangoTemplates())
        if bound:
            ours.is_valid(), theirs.is_valid()
        for name in Everything.base_fields:
            assert str(ours[name]) == str(theirs[name]), name
        assert ours.as_div() == theirs.as_div()


def test_the_console_uses_it(settings):
    from django.forms.renderers import get_default_renderer

    assert settings.FORM_RENDERER == "balcao.forms_rendering.Renderer"
    assert isinstance(get_default_renderer(), Renderer)
