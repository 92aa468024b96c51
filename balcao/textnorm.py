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


# Stop words: function words plus the fillers people put around a question ("gostaria de
# saber", "por favor", greetings). Removing them leaves the terms that carry the subject, so
# a greeting alone has no terms and is refused (the engine then greets back).
STOP_WORDS_PT: frozenset[str] = frozenset(
    """
    a o as os um uma uns umas de do da dos das d em no na nos nas num numa ao aos pelo
    pela pelos pelas por para pra pro pros pras com sem sob sobre ate apos entre e ou
    mas nem que se ja nao sim tambem so mais menos muito muita muitos muitas pouco eu tu
    ele ela vos eles elas me te lhe mim ti comigo voce voces vc vcs cs meu minha meus
    minhas teu tua seu sua seus suas nosso nossa nossos nossas dele dela este esta estes
    estas esse essa esses essas isto isso aquilo aquele aquela como qual quais quem onde
    quando porque pq oque quanto quantos quanta quantas ser sou es somos sao era foi fui
    estar estou estao estava tem tenho tinha ter ha haver havia vai vou vamos ir fazer
    faco faz fiz feito fazendo posso pode podem poderia devo deve devem preciso precisa
    precisamos precisaria necessario quero queria gostaria saber sei sabe informar
    informacao informacoes duvida duvidas ajuda ajudar ajude favor porfavor obrigado
    obrigada obg vlw valeu ola oi oie opa eai ei bom boa dia tarde noite tudo bem beleza
    blz alo hello hi hey aqui ali la entao assim agora ainda depois antes sempre nunca
    algum alguma alguns algumas outro outra outros outras todo toda todos todas cada
    qualquer mesmo mesma caso coisa coisas etc ne tipo ta to tou pois certo ok okay qnto
    qto qnt oq q tb tbm pf pfv agr hj msm ver vejo funciona funcionar funcionamento
    """.split()
)

STOP_WORDS_EN: frozenset[str] = frozenset(
    """
    a an the of to in on at by for from with without about into over under up down and
    or but nor so if then than that this these those there here it its is are was were
    be been being am do does did doing done have has had having can could should would
    will shall may might must i me my mine we us our you your yours he him his she her
    they them their what which who whom whose where when why how not no yes please
    thanks thank hi hello hey dear good morning afternoon evening want wanted need needs
    know tell help just also very much many some any all get got make made go going let
    like kindly regarding ok okay whats hows im dont wanna works work working
    """.split()
)

STOP_WORDS: dict[str, frozenset[str]] = {"pt": STOP_WORDS_PT, "en": STOP_WORDS_EN}
