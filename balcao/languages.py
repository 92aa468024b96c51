"""The three languages of Balcão and their codes (pure: no Django import).

One tag per language is canonical everywhere data is kept or exchanged (articles,
conversations, triage requests, catalogue texts): ``pt-BR``, ``pt-PT``, ``en``. Two other
spellings of the same languages meet it at the edges:

* Django's language codes (URL prefix, cookie, ``get_language()``, ``translation.override``):
  ``pt-br``, ``pt-pt``, ``en`` (``settings.LANGUAGES``);
* gettext locale names (the folders of ``balcao/locale``): ``pt_BR``, ``pt_PT``, ``en``.

:func:`normalise` is the one reading of a tag given by a person or a client: case and ``_``
do not matter, ``pt`` alone is pt-BR (the agency's default) and any ``en-*`` is ``en``;
anything else raises :class:`UnknownLanguage`. Callers map that error to their own
(``TriageInputError`` on ``language``, ``KbError``). :func:`normalise_or_default` is for
values that come from Django itself (the active language), where an unknown code only means
"not one of ours".
"""

from __future__ import annotations

PT_BR = "pt-BR"
PT_PT = "pt-PT"
EN = "en"
LANGUAGES = (PT_BR, PT_PT, EN)
DEFAULT = PT_BR

_ALIASES = {"pt-br": PT_BR, "pt": PT_BR, "pt-pt": PT_PT, "en": EN}


class UnknownLanguage(ValueError):
    """A language tag that is none of pt-BR, pt-PT, en (or a blank / non-text one)."""

    def __init__(self, value: object) -> None:
        super().__init__(f"unknown language {value!r}: use pt-BR, pt-PT or en")
        self.value = value


def normalise(value: object, default: str = DEFAULT) -> str:
    """The canonical tag of ``value``; ``None`` means ``default``.

    ``"PT_pt"`` → ``pt-PT``, ``"pt"`` → ``pt-BR``, ``"en-GB"`` → ``en``. A blank string, a
    non-string or another language (``es``, ``fr-FR``) raises :class:`UnknownLanguage`.
    """
    if value is None:
        return default
    if not isinstance(value, str):
        raise UnknownLanguage(value)
    tag = value.strip().replace("_", "-").lower()
    if tag.startswith("en-"):
        tag = "en"
    found = _ALIASES.get(tag)
    if found is None:
        raise UnknownLanguage(value)
    return found


def normalise_or_default(value: object, default: str = DEFAULT) -> str:
    """Like :func:`normalise`, but anything unknown or blank is ``default``."""
    try:
        return normalise(value or None, default)
    except UnknownLanguage:
        return default


def django_code(language: str) -> str:
    """Django's code of a language (``pt-PT`` → ``pt-pt``), for ``translation.override``."""
    return normalise(language).lower()


def locale_name(language: str) -> str:
    """The gettext locale name of a language (``pt-PT`` → ``pt_PT``): its catalogue folder."""
    return normalise(language).replace("-", "_")
