"""One catalogue lookup per translated string, whatever the language.

Python's ``gettext`` looks a string up in the language's catalogue and, when it is not
there, asks the next translation of a chain of fallbacks. Django builds that chain from
every app's catalogue of the language's parent: for ``pt-br`` (gettext's ``pt_BR``, which
gettext expands to ``pt_BR`` then ``pt``) six catalogues of European Portuguese from
``django.contrib`` hang behind the merged Brazilian one. pt-BR is the language the
interface is written in, so most of its strings are in no catalogue and every one walks the
whole chain: on the console's case page that was ≈ 8 % of the time spent rendering
(measured in process at 1 M cases, tests/bench/bench_cases.py, 2026-12-04).

:func:`install` makes each translation keep its fallbacks' entries as catalogues of lower
priority of its own (the same answers, in the same order, each with its own plural rule)
and drop the chain, so a string is found, or known to be missing, in one lookup.
"""

from __future__ import annotations

import gettext

from django.utils.translation import trans_real


def flatten(translation: trans_real.DjangoTranslation) -> trans_real.DjangoTranslation:
    """Move ``translation``'s gettext fallbacks into its own catalogue, below its
    entries; a fallback that is not a catalogue (``NullTranslations``) ends the chain as
    before: the string is returned as written."""
    catalog = translation._catalog
    fallback = translation._fallback
    if not isinstance(fallback, gettext.GNUTranslations):
        return translation  # flattened already, or nothing behind it
    while isinstance(fallback, gettext.GNUTranslations) and isinstance(
        catalog, trans_real.TranslationCatalog
    ):
        own = fallback._catalog
        if isinstance(own, trans_real.TranslationCatalog):
            catalogs, plurals = own._catalogs, own._plurals
        else:
            catalogs, plurals = [own], [fallback.plural]
        catalog._catalogs.extend(dict(c) for c in catalogs)
        catalog._plurals.extend(plurals)
        fallback = fallback._fallback
    if not isinstance(fallback, gettext.GNUTranslations):
        translation._fallback = fallback
    if isinstance(catalog, trans_real.TranslationCatalog):
        _merge_neighbours(catalog)
    return translation


def _merge_neighbours(catalog: trans_real.TranslationCatalog) -> None:
    """Merge consecutive catalogues that share a plural rule (the first one's entries
    win, as when they were asked in turn): a missing string is then a few lookups."""
    catalogs: list[dict] = []
    plurals: list = []
    for entries, plural in zip(catalog._catalogs, catalog._plurals, strict=True):
        if plurals and _rule(plurals[-1]) == _rule(plural):
            merged = dict(entries)
            merged.update(catalogs[-1])
            catalogs[-1] = merged
        else:
            catalogs.append(dict(entries))
            plurals.append(plural)
    catalog._catalogs, catalog._plurals = catalogs, plurals


def _rule(plural):
    return getattr(plural, "__code__", plural)


_django_translation = trans_real.translation


def _translation(language):
    return flatten(_django_translation(language))  # a flattened one has nothing to move


def install() -> None:
    """Flatten every translation Django builds from now on (called once, at start-up)."""
    if trans_real.translation is not _translation:
        trans_real._translations.clear()
        trans_real.translation = _translation
