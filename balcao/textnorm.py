"""Text normalisation shared by the pure cores (retrieval, triage recommender).

No Django import: this module is used by plain-Python code and tests.
Folding rule: lower case, accents removed ("faturação" → "faturacao"), punctuation
split, then a Snowball stem for the language so "registrar", "registro" and
"registros" meet.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import Stemmer  # PyStemmer: Snowball stemmers in C

_TOKEN_RE = re.compile(r"[a-z0-9]+")

_STEMMER_NAMES = {"pt": "portuguese", "en": "english"}


def fold(text: str) -> str:
    """Lower-case ``text`` and strip diacritics (ç → c, ã → a)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def tokens(text: str) -> list[str]:
    """Folded word tokens of ``text`` (letters and digits only)."""
    return _TOKEN_RE.findall(fold(text))


def language_family(language: str | None) -> str:
    """'pt' for pt-BR/pt-PT/pt, 'en' for en/en-GB…; Portuguese when unknown."""
    if language and language.lower().startswith("en"):
        return "en"
    return "pt"


@lru_cache(maxsize=4)
def _stemmer(family: str) -> Stemmer.Stemmer:
    return Stemmer.Stemmer(_STEMMER_NAMES[family])


def stems(text: str, language: str | None = "pt-BR") -> list[str]:
    """Folded, stemmed tokens of ``text`` for ``language``."""
    return _stemmer(language_family(language)).stemWords(tokens(text))
