"""General vocabulary for the bot's retriever: how people abbreviate and spell, as data.

Kept apart from the scoring code so a knowledge manager can extend it without touching the
retriever. Every entry is written *folded* (lower case, no accents), the form produced by
:func:`balcao.textnorm.tokens`.

Issue 20: the lists that were here mapped the INPI's own vocabulary ("logotipo" → marca,
"boleto" → GRU, "empresa" → CNPJ, "take" → deadline); an ablation showed they did not help
even on the set written beside them (93.8 % without, 93.0 % with), and on another agency's
base they can only mislead. What stays is general language only, the same for any agency:

* ``REPLACEMENTS`` — a word typed in chat shorthand, or in the other side of the Atlantic's
  spelling, read as the word it stands for ("msg" → mensagem, "registo" → registro,
  "telemovel" → celular), before anything else; shorthand of words that carry no subject
  ("vc", "pq", "qro") is among the stop words instead (:mod:`balcao.textnorm`);
* ``SYNONYMS`` — canonical word → multi-word phrasings, matched longest first (none needed
  yet; kept for general phrasings an agency finds).

A domain's own words come from the knowledge base itself: each article's ``variants`` are
indexed with its question.
"""

from __future__ import annotations

REPLACEMENTS_PT: dict[str, str] = {
    # chat shorthand (pt-BR and pt-PT)
    "msg": "mensagem",
    "msgs": "mensagens",
    "nd": "nada",
    "ngm": "ninguem",
    "cel": "celular",
    "tel": "telefone",
    "fone": "telefone",
    "info": "informacao",
    "infos": "informacoes",
    "doc": "documento",
    "docs": "documentos",
    "qdo": "quando",
    "dps": "depois",
    "td": "tudo",
    "tds": "todos",
    "vdd": "verdade",
    "qro": "quero",
    "qria": "queria",
    "mt": "muito",
    "mto": "muito",
    "fzr": "fazer",
    "eh": "e",
    "pfvr": "favor",
    "tbem": "tambem",
    "cmg": "comigo",
    "kd": "cade",
    "net": "internet",
    # European / Brazilian spelling and words for the same thing
    "registo": "registro",
    "registos": "registros",
    "registar": "registrar",
    "registei": "registrei",
    "contacto": "contato",
    "contactos": "contatos",
    "contactar": "contatar",
    "equipa": "equipe",
    "facto": "fato",
    "telemovel": "celular",
    "utilizador": "usuario",
    "ecra": "tela",
    "ficheiro": "arquivo",
    "ficheiros": "arquivos",
    "autocarro": "onibus",
    "comboio": "trem",
    "marcacao": "agendamento",
    "marcacoes": "agendamentos",
}
REPLACEMENTS_EN: dict[str, str] = {
    "u": "you",
    "ur": "your",
    "pls": "please",
    "plz": "please",
    "thx": "thanks",
    "msg": "message",
    "info": "information",
    "docs": "documents",
    "doc": "document",
    "appt": "appointment",
    "dept": "department",
    "govt": "government",
    "tel": "telephone",
}

REPLACEMENTS: dict[str, dict[str, str]] = {"pt": REPLACEMENTS_PT, "en": REPLACEMENTS_EN}

# canonical word -> phrasings (folded; one or more words each). Per language family.
SYNONYMS: dict[str, dict[str, tuple[str, ...]]] = {"pt": {}, "en": {}}
