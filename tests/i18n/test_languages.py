"""One reading of language tags (``balcao.languages``, pure) for every part of Balcão, and the
pure modules' messages found in the catalogues."""

from __future__ import annotations

import subprocess
import sys

import pytest
from django.conf import settings
from hypothesis import given
from hypothesis import strategies as st

from balcao import languages
from balcao.catalog import recommender

from .test_translations import LOCALES, po_path, read_po


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("pt-BR", "pt-BR"),
        ("pt-br", "pt-BR"),
        ("PT_BR", "pt-BR"),
        ("pt", "pt-BR"),
        ("pt-PT", "pt-PT"),
        ("pt_pt", "pt-PT"),
        (" pt-pt ", "pt-PT"),
        ("en", "en"),
        ("EN", "en"),
        ("en-GB", "en"),
        ("en_US", "en"),
    ],
)
def test_normalise(value, expected):
    assert languages.normalise(value) == expected


@pytest.mark.parametrize("value", ["", " ", "es", "fr-FR", "english", "ptbr", "pt-AO", 7, b"en"])
def test_unknown_languages_raise(value):
    with pytest.raises(languages.UnknownLanguage) as caught:
        languages.normalise(value)
    assert isinstance(caught.value, ValueError)


def test_absent_means_the_default():
    assert languages.normalise(None) == "pt-BR"
    assert languages.normalise(None, default="en") == "en"


@pytest.mark.parametrize(
    ("value", "expected"), [(None, "pt-BR"), ("", "pt-BR"), ("xx", "pt-BR"), ("pt-pt", "pt-PT")]
)
def test_normalise_or_default(value, expected):
    assert languages.normalise_or_default(value) == expected


@given(st.one_of(st.none(), st.text(max_size=8), st.sampled_from(["pt-br", "PT_pt", "en-au"])))
def test_a_known_tag_is_canonical_and_stays_so(value):
    tag = languages.normalise_or_default(value)
    assert tag in languages.LANGUAGES
    assert languages.normalise(tag) == tag


def test_codes_agree_with_the_settings():
    """Each canonical tag has its Django code in settings.LANGUAGES and its gettext locale."""
    assert sorted(languages.django_code(tag) for tag in languages.LANGUAGES) == sorted(
        code for code, _name in settings.LANGUAGES
    )
    assert languages.django_code(languages.DEFAULT) == settings.LANGUAGE_CODE
    assert {languages.locale_name(tag) for tag in languages.LANGUAGES} == {"pt_BR", *LOCALES}


def test_the_pure_modules_import_no_django():
    code = (
        "import sys, balcao.languages, balcao.catalog.recommender, balcao.catalog.triage_batch;"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'django'))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


@pytest.mark.parametrize("locale", LOCALES)
def test_every_triage_message_is_in_the_catalogue(locale):
    """The recommender's sentences (``gettext_noop``) were extracted by makemessages."""
    found = {entry.msgid for entry in read_po(po_path(locale)) if all(entry.msgstr.values())}
    missing = [msgid for msgid in recommender.MESSAGES.values() if msgid not in found]
    assert not missing, f"run makemessages and translate: {missing}"
