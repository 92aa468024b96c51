"""Every translation answers from one flattened catalogue (``balcao.translations``) and
answers exactly what Django's chain of fallbacks answered."""

from __future__ import annotations

import gettext

import pytest
from django.utils import translation
from django.utils.translation import trans_real

from balcao import translations

# Strings of django.contrib (English msgids), of Balcão (pt-BR msgids) and one nobody has.
PROBES = [
    "This field is required.",
    "Enter a valid email address.",
    "Password",
    "Log out",
    "%(count)d second",
    "Atendimentos",
    "Outros atendimentos do requerente",
    "a string that no catalogue holds",
]
PLURALS = [("%(num)d minute", "%(num)d minutes"), ("%(count)d item", "%(count)d items")]


def _django_chain(language: str):
    """The translation Django builds, before flattening (its chain of fallbacks kept)."""
    saved = dict(trans_real._translations)
    trans_real._translations.clear()
    try:
        return translations._django_translation(language)
    finally:
        trans_real._translations.clear()
        trans_real._translations.update(saved)


@pytest.mark.parametrize("language", ["pt-br", "pt-pt", "en"])
def test_the_active_translation_has_no_chain_and_answers_as_before(language):
    chain = _django_chain(language)
    with translation.override(language):
        flat = trans_real._active.value
        assert not isinstance(flat._fallback, gettext.GNUTranslations)
        for probe in PROBES:
            assert flat.gettext(probe) == chain.gettext(probe), probe
        for singular, plural in PLURALS:
            for n in (0, 1, 2, 5):
                assert flat.ngettext(singular, plural, n) == chain.ngettext(singular, plural, n)


def test_pt_br_had_a_chain_to_flatten():
    """The reason for the module: without it a pt-BR miss walks six catalogues."""
    chain = _django_chain("pt-br")
    depth, fallback = 0, chain._fallback
    while isinstance(fallback, gettext.GNUTranslations):
        depth, fallback = depth + 1, fallback._fallback
    assert depth >= 1
    assert translation.gettext("Atendimentos") == "Atendimentos"  # the source language
