"""Whether an incoming e-mail is advertising, to be filed apart (pure: no Django).

Issue 22: "a classifier that learns from agents' 'this is advertising' / 'not advertising'
marks …, plus header rules (``List-Unsubscribe``, bulk senders), optional SpamAssassin
(``spamc``) when installed; advertising is filed apart, does not start the 48-hour clock".
The Portuguese tender (seed ``003_…txt``) expects about 2,000 e-mails a month, about 30 % of
them advertising. A person's request filed as advertising gets no clock and no answer, so
every rule here errs towards opening the case; in order:

1. **A sender the agents marked "not advertising"** (more often than "advertising") is never
   filed by a rule — a partner's newsletter that the office does want to handle.
2. **Header rules.** ``List-Unsubscribe`` on a message that is not a discussion list's post
   (a list that people write to carries ``List-Post``: RFC 2369); ``Precedence: bulk`` or
   ``junk`` outside a discussion list; the campaign headers and ``X-Mailer`` names of the
   e-mail-marketing services (Mailchimp, Brevo/Sendinblue, RD Station, E-goi, …). The
   sending-infrastructure headers that transactional mail carries too (``Feedback-ID``,
   ``X-SES-*``, ``X-Mailgun-*``, ``X-SG-EID``, ``List-Id`` alone) decide only together with
   an unsubscribe line in the text — a person writing "quero sair da lista" from Gmail has
   neither.
3. **The learnt classifier**: a multinomial naive Bayes over the sender, its domain, the
   subject, the text, the links' domains and the header signs, counting each token once per
   message ("binarised" multinomial NB, which suits short texts better than raw counts), with
   Laplace smoothing and equal class priors (marks are corrections, not a sample of the
   mail). It speaks only after ``MIN_DOCS`` marks of each kind and files a message only at
   ``THRESHOLD`` or above.
4. **SpamAssassin**, when ``spamc`` is installed and nothing above filed the message: its
   spam verdict files it. A missing, slow or broken ``spamd`` never stops the ingest.

The learnt state is a JSON-able dict (``empty_state()``), kept by the caller (the
``AdvertisingFilter`` row) and changed only by ``learn``.
"""

from __future__ import annotations

import math
import re
import shutil
import subprocess
from dataclasses import dataclass
from email import policy
from email.message import Message
from email.parser import BytesParser
from typing import Any

from balcao.textnorm import fold

AD, HAM = "ad", "ham"
#: A message is filed by the classifier at this probability or above (a person's message
#: filed by mistake loses its clock: only a confident verdict files).
THRESHOLD = 0.9
#: Marks of each kind the classifier needs before it says anything.
MIN_DOCS = 5
#: Laplace smoothing.
ALPHA = 1.0
#: Tokens read from one message (the text's first words carry the offer).
MAX_TOKENS = 1500
#: Beyond this many distinct tokens the ones seen in only one message are forgotten.
MAX_VOCABULARY = 60_000
#: ``spamc``: wall-clock limit, and the largest message sent to it (spamd's own default).
SPAMC_TIMEOUT = 5.0
SPAMC_MAX_BYTES = 500 * 1024

_WORD = re.compile(r"[a-z][a-z0-9]{1,29}")
_URL_HOST = re.compile(r"https?://([a-z0-9.-]+)", re.IGNORECASE)
_UNSUBSCRIBE = re.compile(
    r"unsubscribe|opt[ -]?out|descadastr|desinscrev|deixar de receber"
    r"|nao (?:deseja|quer|pretende) (?:mais )?receber"
    r"|(?:cancelar|anular|remover) (?:a |o |sua |seu )?"
    r"(?:inscricao|subscricao|assinatura|registo|cadastro|e-?mail da lista)"
    r"|remover (?:da|desta) lista|sair (?:da|desta) lista|darse de baja|dar de baja"
    r"|gerir (?:as )?(?:suas )?preferencias|gerenciar (?:suas )?preferencias",
)
_BULK_MAILER = re.compile(
    r"mailchimp|mandrill|sendinblue|brevo|mailjet|mailerlite|rd ?station|e-?goi|mautic"
    r"|phplist|acumbamail|benchmark ?email|constant ?contact|campaign ?monitor|createsend"
    r"|hubspot|activecampaign|getresponse|klaviyo|emarsys|icontact|leadlovers|dinamize"
    r"|sendy|mailwizz|moosend|omnisend|mailpoet|convertkit|aweber|exacttarget|marketo"
    r"|pardot|eloqua|selligent|listmonk|newsletter",
    re.IGNORECASE,
)
# Headers only e-mail-marketing campaigns carry (lower case; a name starting with one).
_CAMPAIGN_HEADERS = (
    "x-campaign",  # X-Campaign, X-CampaignID, X-Campaign-Id (Mailchimp and many others)
    "x-mailchimp",
    "x-mc-user",
    "x-mailin-campaign",  # Brevo/Sendinblue
    "x-rpcampaign",
    "x-sfmc-stack",  # Salesforce Marketing Cloud
    "x-csa-complaints",  # Certified Senders Alliance (certified bulk senders)
    "x-egoi",
    "x-newsletter",
    "x-listmonk",
)
# Headers of the sending services that carry transactional mail as well.
_ESP_HEADERS = (
    "feedback-id",
    "x-ses-",
    "x-mailgun-",
    "x-sg-eid",
    "x-sg-id",
    "x-mandrill-user",
    "x-mj-",
    "x-pm-message-id",
    "x-report-abuse",
    "x-sparkpost",
    "x-msys-api",
)


@dataclass(frozen=True)
class Verdict:
    """Whether the message is advertising; ``score``: the probability behind it (1.0 for a
    rule, the classifier's for the classifier, None when nothing had an opinion);
    ``reason``: the rule, header or words that decided (short, for the record);
    ``source``: which of "sender", "rule", "bayes", "spamassassin" decided ("" none)."""

    is_advertising: bool
    score: float | None
    reason: str
    source: str = ""


@dataclass(frozen=True)
class Sample:
    """What the filter reads from one message."""

    tokens: tuple[str, ...]  # distinct, in the order met
    sender: str  # lower case, "" when none
    rule: str | None  # the header rule that files the message, if one does
    weak: str | None  # a sending-service header, which files only with unsubscribe text
    unsubscribe_text: bool


def empty_state() -> dict[str, Any]:
    return {
        "version": 1,
        "docs": {AD: 0, HAM: 0},
        "totals": {AD: 0, HAM: 0},
        "tokens": {AD: {}, HAM: {}},
        "vocabulary": 0,
        "senders": {},
    }


def _state(state: dict[str, Any] | None) -> dict[str, Any]:
    return state if state and state.get("version") == 1 else empty_state()


# --- reading a message ---------------------------------------------------------------------


def headers_of(raw: bytes) -> Message:
    """The message's headers only (the body is not parsed: cheap on a 30 MB message)."""
    return BytesParser(policy=policy.compat32).parsebytes(raw, headersonly=True)


def _header(headers: Message, name: str) -> str:
    value = headers.get(name)
    return str(value).strip() if value is not None else ""


def header_rule(headers: Message) -> tuple[str | None, str | None]:
    """(the header rule that files the message, a sending-service header that files it only
    with unsubscribe text) — each the header as it should be named in the record, or None."""
    names = [str(key).lower() for key in headers]
    discussion_list = "list-post" in names
    precedence = _header(headers, "Precedence").lower()
    rule = weak = None
    for name in names:
        if name.startswith(_CAMPAIGN_HEADERS):
            rule = _original_name(headers, name)
            break
    mailer = _header(headers, "X-Mailer") or _header(headers, "User-Agent")
    if rule is None and mailer and _BULK_MAILER.search(mailer):
        rule = "X-Mailer: " + mailer[:60]
    if rule is None and not discussion_list:
        if "list-unsubscribe" in names:
            rule = "List-Unsubscribe"
        elif precedence in ("bulk", "junk"):
            rule = "Precedence: " + precedence
    for name in names:
        if name.startswith(_ESP_HEADERS) or (name == "list-id" and not discussion_list):
            weak = _original_name(headers, name)
            break
    return rule, weak


def _original_name(headers: Message, lower: str) -> str:
    return next((str(key) for key in headers if str(key).lower() == lower), lower)


def words(text: str) -> list[str]:
    """Folded words of ``text`` (accents and case removed), no bare numbers."""
    return _WORD.findall(fold(text))


def read(raw: bytes, *, sender: str, subject: str, text: str) -> Sample:
    """The filter's view of a message: its tokens and what its headers say. ``sender``,
    ``subject`` and ``text`` as the parser decoded them (balcao.mail.parsing)."""
    headers = headers_of(raw)
    rule, weak = header_rule(headers)
    sender = (sender or "").strip().lower()
    folded = fold(text or "")
    found: dict[str, None] = {}

    def add(token: str) -> None:
        if len(found) < MAX_TOKENS:
            found.setdefault(token, None)

    if sender:
        add("from:" + sender)
        add("domain:" + sender.rpartition("@")[2])
    for word in words(subject or ""):
        add("subject:" + word)
    for name in [str(key).lower() for key in headers]:
        if name.startswith(("list-", "x-", "feedback-id", "precedence")):
            add("header:" + name[:40])
    if _header(headers, "Precedence"):
        add("precedence:" + _header(headers, "Precedence").lower()[:20])
    mailer = _header(headers, "X-Mailer")
    if mailer:
        for word in words(mailer)[:2]:
            add("mailer:" + word)
    for host in _URL_HOST.findall(folded)[:50]:
        add("link:" + ".".join(host.lower().split(".")[-2:]))
    for word in _WORD.findall(folded):
        add(word)
        if len(found) >= MAX_TOKENS:
            break
    return Sample(
        tokens=tuple(found),
        sender=sender,
        rule=rule,
        weak=weak,
        unsubscribe_text=bool(_UNSUBSCRIBE.search(folded)),
    )


# --- deciding ------------------------------------------------------------------------------


def probability(sample: Sample, state: dict[str, Any] | None) -> tuple[float, list[str]] | None:
    """P(advertising | tokens) by the learnt naive Bayes and the three tokens that pushed it
    most towards advertising, or None before ``MIN_DOCS`` marks of each kind."""
    state = _state(state)
    docs = state["docs"]
    if docs[AD] < MIN_DOCS or docs[HAM] < MIN_DOCS:
        return None
    vocabulary = max(int(state["vocabulary"]), 1)
    ad_counts, ham_counts = state["tokens"][AD], state["tokens"][HAM]
    ad_denominator = state["totals"][AD] + ALPHA * vocabulary
    ham_denominator = state["totals"][HAM] + ALPHA * vocabulary
    log_odds = 0.0  # equal priors
    pushes: list[tuple[float, str]] = []
    for token in sample.tokens:
        in_ad, in_ham = ad_counts.get(token, 0), ham_counts.get(token, 0)
        if not (in_ad or in_ham):
            continue  # unseen in both: the same factor for both classes after smoothing
        weight = math.log((in_ad + ALPHA) / ad_denominator) - math.log(
            (in_ham + ALPHA) / ham_denominator
        )
        log_odds += weight
        if weight > 0:
            pushes.append((weight, token))
    pushes.sort(reverse=True)
    if log_odds >= 0:
        p = 1.0 / (1.0 + math.exp(-min(log_odds, 700.0)))
    else:
        p = math.exp(max(log_odds, -700.0)) / (1.0 + math.exp(max(log_odds, -700.0)))
    return p, [token.rpartition(":")[2] for _, token in pushes[:3]]


def classify(sample: Sample, state: dict[str, Any] | None, *, threshold: float = THRESHOLD):
    """The verdict of the marks, the header rules and the classifier (see the module's
    docstring for the order); SpamAssassin is asked by ``verdict``."""
    state = _state(state)
    marks = state["senders"].get(sample.sender) if sample.sender else None
    if marks and marks.get(HAM, 0) > marks.get(AD, 0):
        return Verdict(False, 0.0, sample.sender, "sender")
    if sample.rule:
        return Verdict(True, 1.0, sample.rule, "rule")
    if sample.weak and sample.unsubscribe_text:
        return Verdict(True, 1.0, sample.weak + " + unsubscribe", "rule")
    learnt = probability(sample, state)
    if learnt is None:
        return Verdict(False, None, "", "")
    p, pushes = learnt
    return Verdict(p >= threshold, round(p, 4), ", ".join(pushes), "bayes")


def spamassassin(raw: bytes, *, timeout: float = SPAMC_TIMEOUT) -> tuple[float, float] | None:
    """(score, required score) from SpamAssassin's ``spamc -c``, or None when ``spamc`` is
    not installed, the message is too big for it, or spamd could not be asked in time."""
    executable = shutil.which("spamc")
    if executable is None or len(raw) > SPAMC_MAX_BYTES:
        return None
    command = [
        executable,
        "-c",  # check only: print "score/required", exit 1 when spam
        "-x",  # an error is an error (not a silent "0/0")
        "--connect-retries=1",
        "-t",
        str(max(int(timeout), 1)),
        "-s",
        str(SPAMC_MAX_BYTES),
    ]
    try:
        done = subprocess.run(  # noqa: S603 — a fixed command found by shutil.which, no shell
            command, input=raw, capture_output=True, timeout=timeout, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if done.returncode not in (0, 1):
        return None
    match = re.fullmatch(
        r"\s*(-?\d+(?:\.\d+)?)\s*/\s*(\d+(?:\.\d+)?)\s*", done.stdout.decode("ascii", "replace")
    )
    if match is None or float(match.group(2)) <= 0:
        return None
    return float(match.group(1)), float(match.group(2))


def verdict(
    raw: bytes,
    *,
    sender: str,
    subject: str,
    text: str,
    state: dict[str, Any] | None,
    use_spamc: bool = True,
    threshold: float = THRESHOLD,
) -> Verdict:
    """Whether the raw message is advertising: ``classify``, then SpamAssassin when it is
    installed and nothing filed the message (a sender marked "not advertising" excepted)."""
    sample = read(raw, sender=sender, subject=subject, text=text)
    found = classify(sample, state, threshold=threshold)
    if found.is_advertising or found.source == "sender" or not use_spamc:
        return found
    checked = spamassassin(raw)
    if checked is not None and checked[0] >= checked[1]:
        return Verdict(True, 1.0, f"{checked[0]:g}/{checked[1]:g}", "spamassassin")
    return found


# --- learning ------------------------------------------------------------------------------


def learn(
    state: dict[str, Any] | None, sample: Sample, label: str, *, forget: str | None = None
) -> dict[str, Any]:
    """The state after an agent's mark: ``label`` is ``AD`` or ``HAM``; ``forget`` is the
    message's earlier mark, taken back first (a mark changed is counted once). Changes
    ``state`` in place (the caller holds the only copy, read under a row lock) and returns
    it; a fresh state when ``state`` is empty."""
    state = _state(state)
    if forget in (AD, HAM):
        _count(state, sample, forget, -1)
    _count(state, sample, label, +1)
    if state["vocabulary"] > MAX_VOCABULARY:
        _prune(state)
    return state


def _count(state: dict[str, Any], sample: Sample, label: str, step: int) -> None:
    if label not in (AD, HAM):
        raise ValueError(f"label must be {AD!r} or {HAM!r}, not {label!r}")
    other = HAM if label == AD else AD
    counts, others = state["tokens"][label], state["tokens"][other]
    for token in sample.tokens:
        before = counts.get(token, 0)
        after = max(before + step, 0)
        if after:
            counts[token] = after
        else:
            counts.pop(token, None)
        if not before and after and token not in others:
            state["vocabulary"] += 1
        elif before and not after and token not in others:
            state["vocabulary"] -= 1
        state["totals"][label] += after - before
    state["docs"][label] = max(state["docs"][label] + step, 0)
    if sample.sender:
        marks = state["senders"].setdefault(sample.sender, {AD: 0, HAM: 0})
        marks[label] = max(marks.get(label, 0) + step, 0)
        if not (marks.get(AD) or marks.get(HAM)):
            del state["senders"][sample.sender]


def _prune(state: dict[str, Any]) -> None:
    """Forget the tokens seen in a single message (the long tail: names, codes)."""
    for label in (AD, HAM):
        counts = state["tokens"][label]
        rare = [token for token, n in counts.items() if n == 1]
        for token in rare:
            del counts[token]
        state["totals"][label] -= len(rare)
    ad, ham = state["tokens"][AD], state["tokens"][HAM]
    state["vocabulary"] = len(ad.keys() | ham.keys())
