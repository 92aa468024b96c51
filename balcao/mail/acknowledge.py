"""Whether an incoming e-mail gets Balcão's automatic acknowledgement (pure: no Django).

Issue 22: a new message opens a case and the person receives the protocol, the due date and
the follow-up link — but an automatic answer to the wrong message starts a mail loop or spams a
list. RFC 3834 ("Recommendations for Automatic Responses to Electronic Mail"), section 2: a
responder MUST NOT answer messages that are themselves automatic (``Auto-Submitted`` other than
``no``, bounces, receipts), SHOULD NOT answer mailing lists and bulk mail, and SHOULD NOT send
the same response to the same sender more than once within a period of several days. The
parser (balcao.mail.parsing, contract ``shared/contracts/mail.md``) already folds all the
"automatic, bounce, list" signs into ``auto_reply``; this decides the rest.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from datetime import datetime, timedelta

from balcao.mail.parsing import ParsedMail

#: One acknowledgement per sender in this time (RFC 3834 §2: "within a period of several
#: days"; a day keeps a person who writes twice about two matters informed of both protocols
#: only when a day apart — the second case is still opened and answered).
QUIET_PERIOD = timedelta(days=1)


def acknowledgement_refusal(
    message: ParsedMail,
    *,
    opens_case: bool,
    own_addresses: Collection[str],
    last_acknowledged: datetime | None,
    now: datetime,
) -> str | None:
    """Why ``message`` gets no acknowledgement (a short reason for the log), or None when it
    gets one. ``opens_case``: the message starts a new case (a reply in a thread is answered by
    people, not acknowledged again); ``last_acknowledged``: when this sender last got one."""
    if message.error:
        return "unreadable"
    if message.auto_reply:
        return "automatic, bulk or list message (RFC 3834)"
    sender = (message.from_addr or "").strip().lower()
    if not sender or "@" not in sender:
        return "no sender address"
    if sender in {address.strip().lower() for address in own_addresses}:
        return "sent by the agency's own address"
    if not opens_case:
        return "continues a case"
    if last_acknowledged is not None and now - last_acknowledged < QUIET_PERIOD:
        return "sender acknowledged less than a day ago"
    return None


# --- the sender's language ------------------------------------------------------------------

_WORD = re.compile(r"[a-zà-ÿ]+")
_ENGLISH = frozenset(
    "the and is are to of my you your please for with this that have would could dear "
    "regards thank thanks i we it not an".split()
)
_PORTUGUESE = frozenset(
    "o a os as de do da dos das que e em um uma para não meu minha por com se foi está "
    "pedido obrigado obrigada bom dia boa tarde".split()
)
# Words one side of the Atlantic writes and the other does not (spelling and usage).
_PT_PT = frozenset(
    "exmo exmos exma exmas cumprimentos contacto contactos registo receção telemóvel equipa "
    "utente facto actualmente".split()
)
_PT_BR = frozenset(
    "você vocês prezado prezada prezados contato contatos registro recepção celular equipe "
    "att atenciosamente".split()
)


def sender_language(content_language: str, text: str, *, default: str) -> str:
    """The language to answer a new e-mail in (issue 22: "automatic acknowledgement …, in the
    sender's language"): its ``Content-Language`` when it names one of ours, else what its
    words say — English, or Portuguese of Portugal or of Brazil by the words only one of them
    writes ("cumprimentos", "contacto", "telemóvel" / "prezado", "contato", "celular") —,
    else ``default`` (the agency's own). Returns a canonical tag (balcao.languages)."""
    from balcao import languages

    for tag in (content_language or "").split(","):
        if not tag.strip():
            continue
        try:
            return languages.normalise(tag.strip())
        except languages.UnknownLanguage:
            continue
    words = _WORD.findall((text or "")[:4000].lower())
    english = sum(w in _ENGLISH for w in words)
    portuguese = sum(w in _PORTUGUESE for w in words)
    if english >= 3 and english > 2 * portuguese:
        return languages.EN
    if portuguese >= 3:
        european = sum(w in _PT_PT for w in words)
        brazilian = sum(w in _PT_BR for w in words)
        if european > brazilian:
            return languages.PT_PT
        if brazilian > european:
            return languages.PT_BR
    return default
