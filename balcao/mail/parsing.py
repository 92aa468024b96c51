"""What Balcão understands of one raw e-mail message (``balcao mail parse``).

Pure: the standard library's ``email`` package, ``charset_normalizer`` to guess a missing or
wrong charset and ``inscriptis`` to read an HTML-only body as text; no Django, no network.
The contract is ``../shared/contracts/mail.md``; the points it settles:

- Never an exception: a message that cannot be read still gives a ``ParsedMail`` whose
  ``error`` says why, with every field read as far as it could be ("Bad input gets a clear
  error and loses nothing").
- ``auto_reply`` answers one question — may Balcão send this message an automatic
  acknowledgement? — and is true for a machine's reply (RFC 3834 ``Auto-Submitted`` other than
  ``no``, ``X-Autoreply``/``X-Autorespond``, ``Precedence: auto_reply``, out-of-office subjects,
  Apple's ``X-Apple-Action: VACATION``), a bounce, a read receipt, a feedback report, a message
  with a null return path (``Return-Path: <>``, RFC 5321 §4.5.5: only machines send those), and
  any mailing-list or bulk message. Exchange's ``X-Auto-Response-Suppress`` alone decides
  nothing: it is the *sender's* wish not to get automatic answers, set on ordinary mail too.
- ``bounce``: an RFC 3464 delivery status report, ``X-Failed-Recipients``, or a message from
  ``MAILER-DAEMON``/``postmaster``/a mail delivery system (or with a null return path) whose
  subject says the delivery failed or was delayed.
- ``list``: ``List-Id``, ``List-Post``, ``List-Unsubscribe``, ``Mailing-List``,
  ``X-Mailing-List`` or ``Precedence: list``/``bulk`` — unless the message is a machine's reply,
  a bounce, a read receipt or a feedback report.
- Raw 8-bit bytes in a header (older clients and web forms write Portuguese subjects in
  Windows-1252 without RFC 2047) are decoded with the charsets the message declares elsewhere,
  then Windows-1252; the standard library alone turns each byte into U+FFFD.
"""

from __future__ import annotations

import builtins
import re
from dataclasses import asdict, dataclass, field
from datetime import datetime
from email import policy
from email.header import decode_header, make_header
from email.message import EmailMessage, Message
from email.parser import BytesParser
from email.utils import getaddresses, parsedate_to_datetime
from functools import cached_property, lru_cache
from typing import Any

_MSGID = re.compile(r"<[^<>\s]*>")
_FOLD = re.compile(r"\r?\n[ \t]+")
_MBOX_FROM = re.compile(rb"\AFrom [^\r\n]*\r?\n")
_REPLY_PREFIX = r"^\s*(?:(?:re|aw|fw|fwd|enc|res|rv|sv|tr)\s*:\s*)*"
_OUT_OF_OFFICE = re.compile(
    _REPLY_PREFIX
    + r"(?:auto(?:matic|matische|matische)?[ -]?(?:reply|response|respons|antwort|risposta)"
    r"|autoreply|autoresponse|auto-reply|out of (?:the )?office|abwesenheitsnotiz"
    r"|r[ée]ponse automatique|respuesta autom[áa]tica|resposta autom[áa]tica|ausente"
    r"|away until|on vacation|f[ée]rias)",
    re.IGNORECASE,
)
_BOUNCE_SUBJECT = re.compile(
    r"undeliver|returned mail|delivery status notification|delivery failure"
    r"|delivery has failed|failure notice|mail delivery failed|delivery notification"
    r"|non remis|unzustellbar|nicht zustellbar|delayed mail|could not send message"
    r"|mail system error|not delivered|недоставлен|не доставлено|returned to sender"
    r"|message delayed|n[ãa]o (?:foi )?entregue|falha na entrega",
    re.IGNORECASE,
)
_MAILER = re.compile(
    r"^(?:mailer[-_]?daemon|postmaster|mail[-_]?delivery[-_]?(?:system|subsystem)?)$",
    re.IGNORECASE,
)
_LIST_HEADERS = ("List-Id", "List-Post", "List-Unsubscribe", "Mailing-List", "X-Mailing-List")
_REPORT_STATUS = {"message/delivery-status", "message/global-delivery-status"}


@dataclass
class ParsedMail:
    """One message as the contract's JSON line (fields in the contract's order)."""

    file: str
    message_id: str | None = None
    in_reply_to: str | None = None
    references: builtins.list[str] = field(default_factory=builtins.list)
    from_addr: str | None = None
    from_name: str | None = None
    subject: str = ""
    date: str | None = None
    auto_reply: bool = False
    bounce: bool = False
    list: bool = False
    attachments: builtins.list[str] = field(default_factory=builtins.list)
    text: str = ""
    error: str | None = None

    def as_dict(self) -> dict:
        return asdict(self)


class _ReadMessage(EmailMessage):
    """A parsed message that works its content type out once. The modern policy parses the
    ``Content-Type`` header again on every ``get_content_type`` (and on every ``walk`` step,
    ``get_content_maintype``…: a dozen times for each message read); a change to the
    headers or the default type forgets what was worked out."""

    def get_content_type(self) -> str:
        known = self.__dict__.get("_content_type")
        if known is None:
            known = self.__dict__["_content_type"] = super().get_content_type()
        return known

    def _forget(self) -> None:
        self.__dict__.pop("_content_type", None)

    def __setitem__(self, name, val) -> None:
        self._forget()
        super().__setitem__(name, val)

    def __delitem__(self, name) -> None:
        self._forget()
        super().__delitem__(name)

    def set_raw(self, name, value) -> None:
        self._forget()
        super().set_raw(name, value)

    def replace_header(self, _name, _value) -> None:
        self._forget()
        super().replace_header(_name, _value)

    def set_default_type(self, ctype) -> None:
        self._forget()
        super().set_default_type(ctype)


@lru_cache(maxsize=1)
def _message_of(raw: bytes) -> EmailMessage:
    """``raw`` parsed with the modern policy (an mbox ``From`` line before it dropped); the
    last one is remembered, since ingest reads the same message three times (its fields, its
    files, its HTML). Callers only read what it returns."""
    parser = BytesParser(_ReadMessage, policy=policy.default)
    return parser.parsebytes(_MBOX_FROM.sub(b"", raw, count=1))


def parse_bytes(raw: bytes, *, file: str = "-") -> ParsedMail:
    """Read one raw RFC 5322 message (an mbox ``From`` line before it is allowed)."""
    result = ParsedMail(file=file)
    problems: list[str] = []
    try:
        if not _MBOX_FROM.sub(b"", raw, count=1).strip():
            result.error = "empty message"
            return result
        message = _message_of(raw)
    except Exception as exc:  # noqa: BLE001 — a message never stops the batch
        result.error = f"unreadable message: {exc.__class__.__name__}"
        return result
    charsets = _declared_charsets(message)
    for name, step in (
        ("ids", _read_ids),
        ("from", _read_from),
        ("subject", _read_subject),
        ("date", _read_date),
        ("attachments", _read_attachments),
        ("text", _read_text),
        ("kind", _read_kind),
    ):
        try:
            step(message, result, charsets)
        except Exception as exc:  # noqa: BLE001 — keep what could be read
            problems.append(f"{name}: {exc.__class__.__name__}")
    if message.get_content_maintype() == "multipart" and isinstance(message.get_payload(), str):
        problems.append("broken MIME structure: no part boundary found, raw content kept as text")
    elif message.defects and not (result.text or result.attachments):
        problems.append("broken MIME structure: " + message.defects[0].__class__.__name__)
    if problems:
        result.error = "; ".join(problems)
    return result


# --- headers ----------------------------------------------------------------------------


def _raw_header(message: Message, name: str) -> str | None:
    """The header's value as the parser kept it (undecoded, unfolded), or None."""
    for key, value in message.raw_items():
        if key.lower() == name.lower():
            return _FOLD.sub(" ", str(value)).strip()
    return None


def _header_text(message: Message, name: str, charsets: list[str]) -> str | None:
    """A header decoded: RFC 2047 words by the standard library, raw 8-bit bytes with the
    message's own charsets (then Windows-1252) instead of U+FFFD."""
    if name not in message:
        return None
    raw = _raw_bytes_header(message, name)
    if raw is not None and any(byte > 0x7F for byte in raw) and b"=?" not in raw:
        decoded = _decode_header_bytes(raw, charsets)
        if decoded is not None:
            return decoded.strip()
        return str(message[name]).strip()
    # Unfolded first (a line break and the white space after it become one space), then
    # the RFC 2047 words decoded as the standard library decodes them.
    return str(policy.default.header_factory(name, _raw_header(message, name) or "")).strip()


def _decode_header_bytes(raw: bytes, charsets: list[str]) -> str | None:
    """Raw 8-bit header bytes as text: UTF-8 when they are valid UTF-8, else the first of
    the message's declared charsets (then Windows-1252) that turns every non-ASCII byte into
    a letter ("Formação", "Verão"); None when none does (a stray byte stays U+FFFD, as the
    standard library gives it: there is no right answer to guess)."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    for charset in charsets:
        try:
            text = raw.decode(charset)
        except (LookupError, UnicodeDecodeError):
            continue
        if all(ch.isalpha() or ch in _WESTERN_MARKS for ch in text if ord(ch) > 0x7F):
            return text
    return None


# Non-letters that Western text holds beside its accented letters (quotes, dashes, the
# euro, the ordinal marks of "1º"/"nº"), so a body with them still reads as Western.
_WESTERN_MARKS = set("“”‘’–—…€ºª°«»·•\xa0§")


def _raw_bytes_header(message: Message, name: str) -> bytes | None:
    """The header's original bytes (the parser keeps them as surrogate escapes)."""
    value = _raw_header(message, name)
    if value is None:
        return None
    try:
        return value.encode("ascii", "surrogateescape")
    except UnicodeEncodeError:
        return None


def _declared_charsets(message: Message) -> list[str]:
    found = []
    for match in re.finditer(rb"=\?([A-Za-z0-9_.:-]+)\?[bBqQ]\?", _all_header_bytes(message)):
        found.append(match.group(1).decode("ascii").lower())
    for part in message.walk():
        charset = part.get_param("charset")
        if isinstance(charset, str):
            found.append(charset.lower())
    ordered = []
    for name in [*found, "utf-8", "windows-1252"]:
        if name not in ordered and name not in ("us-ascii", "ascii"):
            ordered.append(name)
    return ordered


def _all_header_bytes(message: Message) -> bytes:
    return "\n".join(str(v) for _, v in message.raw_items()).encode("ascii", "surrogateescape")


def _decode_guess(raw: bytes, charsets: list[str]) -> str:
    for charset in charsets:
        try:
            return raw.decode(charset)
        except (LookupError, UnicodeDecodeError):
            continue
    return raw.decode("utf-8", "replace")


def _read_ids(message: Message, result: ParsedMail, charsets: list[str]) -> None:
    value = _raw_header(message, "Message-ID")
    result.message_id = value or None
    reply = _unwrap_encoded(_raw_header(message, "In-Reply-To"))
    if reply:
        ids = _MSGID.findall(reply)
        result.in_reply_to = ids[0] if ids else reply
    references = _unwrap_encoded(_raw_header(message, "References"))
    result.references = _MSGID.findall(references or "")


def _unwrap_encoded(value: str | None) -> str | None:
    """An id header some software wrote as RFC 2047 encoded words (a long ``<…>`` folded by
    a library that encodes what it cannot fold): the ids inside, decoded."""
    if not value or "=?" not in value:
        return value
    try:
        return str(make_header(decode_header(value)))
    except Exception:  # noqa: BLE001 — keep it as it came
        return value


def _read_from(message: Message, result: ParsedMail, charsets: list[str]) -> None:
    if message.get("From") is None:
        return
    try:
        header: Any = message["From"]
        mailboxes = [(a.display_name, a.addr_spec) for a in header.addresses]
    except Exception:  # noqa: BLE001 — a header the policy cannot parse: read it plainly
        mailboxes = getaddresses([_raw_header(message, "From") or ""])
    for name, addr in mailboxes:
        if addr and addr not in ("<>", "@"):
            result.from_addr = addr
            result.from_name = name.strip() or None
            if result.from_name and "\udc80" <= max(result.from_name) <= "\udcff":
                result.from_name = _decode_guess(
                    result.from_name.encode("utf-8", "surrogateescape"), charsets
                )
            return


def _read_subject(message: Message, result: ParsedMail, charsets: list[str]) -> None:
    subject = _header_text(message, "Subject", charsets)
    result.subject = _FOLD.sub(" ", subject or "")


def _read_date(message: Message, result: ParsedMail, charsets: list[str]) -> None:
    value = _raw_header(message, "Date")
    if not value:
        return
    try:
        moment: datetime = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return
    if moment.tzinfo is None:  # "-0000": the time is UTC, its zone unknown (RFC 5322 §3.3)
        from datetime import UTC

        moment = moment.replace(tzinfo=UTC)
    result.date = moment.isoformat()


# --- kinds ------------------------------------------------------------------------------


def _param(part: Message, name: str, header: str = "content-type") -> str | None:
    """A MIME parameter as text (an RFC 2231 triple collapsed to its value)."""
    value = part.get_param(name, header=header)
    if isinstance(value, tuple):
        value = value[2]
    return value if isinstance(value, str) else None


def _content_type(message: Message) -> tuple[str, str]:
    return message.get_content_type(), (_param(message, "report-type") or "").lower()


def _read_kind(message: Message, result: ParsedMail, charsets: list[str]) -> None:
    content_type, report_type = _content_type(message)
    is_report = content_type == "multipart/report"
    subject = result.subject or ""
    local_part = (result.from_addr or "").partition("@")[0]
    null_return_path = (_raw_header(message, "Return-Path") or "").replace(" ", "") == "<>"
    delivery_report = (is_report and report_type == "delivery-status") or any(
        part.get_content_type() in _REPORT_STATUS for part in message.walk()
    )
    bounce = (
        delivery_report
        or "X-Failed-Recipients" in message
        or (
            (_MAILER.match(local_part) is not None or null_return_path)
            and _BOUNCE_SUBJECT.search(subject) is not None
        )
    )
    receipt_or_report = is_report and report_type in ("disposition-notification", "feedback-report")
    auto_submitted = (_raw_header(message, "Auto-Submitted") or "").strip().lower()
    precedence = (_raw_header(message, "Precedence") or "").strip().lower()
    machine_reply = (
        (auto_submitted not in ("", "no"))
        or any(name in message for name in ("X-Autoreply", "X-Autorespond", "X-Autoresponder"))
        or precedence == "auto_reply"
        or (_raw_header(message, "X-Apple-Action") or "").upper() == "VACATION"
        or _OUT_OF_OFFICE.search(subject) is not None
        or is_report
        or null_return_path
    )
    listed = not (machine_reply or bounce or receipt_or_report) and (
        any(name in message for name in _LIST_HEADERS) or precedence in ("list", "bulk", "junk")
    )
    result.bounce = bounce
    result.list = listed
    result.auto_reply = bounce or receipt_or_report or machine_reply or listed


# --- parts ------------------------------------------------------------------------------


def _leaf_parts(part: Message):
    """Every non-multipart part in document order, a ``message/*`` part counted as one
    (a forwarded message is never opened)."""
    if part.is_multipart() and part.get_content_maintype() != "message":
        for child in part.get_payload():
            if isinstance(child, Message):
                yield from _leaf_parts(child)
    else:
        yield part


def _filename(part: Message) -> str | None:
    name: str | None
    try:
        name = part.get_filename()
    except Exception:  # noqa: BLE001 — a parameter the policy cannot decode
        name = _param(part, "filename", "content-disposition") or _param(part, "name")
    if name is None:
        return None
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _read_attachments(message: Message, result: ParsedMail, charsets: list[str]) -> None:
    result.attachments = [
        name for part in _leaf_parts(message) if (name := _filename(part)) is not None
    ]


def _read_text(message: Message, result: ParsedMail, charsets: list[str]) -> None:
    body = None
    if isinstance(message, EmailMessage):
        body = message.get_body(preferencelist=("plain", "html"))
    if body is None:
        payload = message.get_payload()
        if message.get_content_maintype() == "multipart" and isinstance(payload, str):
            # A multipart whose boundary never matched: its raw content is all there is,
            # and a person can still read it.
            result.text = payload.strip()
        return
    text = _part_text(body, charsets)
    if body.get_content_subtype() == "html":
        text = _html_to_text(text)
    result.text = text.replace("\r\n", "\n").strip()


def _part_text(part: Message, charsets: list[str]) -> str:
    """A text part decoded from its transfer encoding and charset; a missing, unknown or
    wrong charset is guessed, never an exception: UTF-8, then the charsets the message
    declares elsewhere and Windows-1252 when they read as Western text (the agencies' mail
    is Portuguese, Spanish or English), then charset_normalizer's guess."""
    decoded = part.get_payload(decode=True)
    payload = decoded if isinstance(decoded, bytes) else b""
    charset = part.get_content_charset()
    if charset:
        try:
            return payload.decode(charset)
        except (LookupError, UnicodeDecodeError):
            pass
    western = _decode_header_bytes(payload, charsets)
    if western is not None:
        return western
    from charset_normalizer import from_bytes

    best = from_bytes(payload).best()
    return str(best) if best is not None else payload.decode("windows-1252", "replace")


def _html_to_text(html: str) -> str:
    from inscriptis import get_text

    if not html.strip():
        return ""
    try:
        return get_text(html)
    except Exception:  # noqa: BLE001 — markup lxml cannot read: strip the tags
        return re.sub(r"<[^>]+>", " ", html)


# --- attachment contents (for storing them on the case) -----------------------------------


def attachment_files(raw: bytes) -> list[tuple[str, bytes]]:
    """(file name, decoded bytes) of every attachment, in the order ``ParsedMail.attachments``
    names them; a part whose transfer encoding cannot be decoded gives its raw payload (the
    original message is kept whole anyway). Never raises."""
    try:
        message = _message_of(raw)
    except Exception:  # noqa: BLE001 — nothing to extract
        return []
    found = []
    for part in _leaf_parts(message):
        name = _filename(part)
        if name is None:
            continue
        try:
            data = part.get_payload(decode=True)
        except Exception:  # noqa: BLE001
            data = None
        if data is None:
            payload = part.get_payload()
            data = payload.encode("utf-8", "surrogateescape") if isinstance(payload, str) else b""
        found.append((name, data))
    return found


# --- the HTML body (for showing it formatted: balcao.mail.html sanitises it) ---------------


@dataclass
class HtmlBody:
    """A message's HTML body as it came (not yet sanitised) and its inline parts.

    ``inline`` maps the Content-ID of each part that carries one and a file name (angle
    brackets removed) to that part's position in ``attachment_files`` (and in
    ``ParsedMail.attachments``): positions, not names, because mail programs give every
    pasted image the same name ("image.png")."""

    html: str = ""
    inline: dict[str, int] = field(default_factory=dict)


def html_body(raw: bytes) -> HtmlBody:
    """The ``text/html`` body of ``raw`` (the one a mail program shows: RFC 2046
    multipart/alternative, RFC 2387 multipart/related), decoded as ``_read_text`` decodes
    text, and its inline parts; an empty ``HtmlBody`` when it has none. Changes nothing of
    what ``parse_bytes`` reads (the contract's JSON line). Never raises."""
    try:
        message = _message_of(raw)
        if not isinstance(message, EmailMessage):
            return HtmlBody()
        part = message.get_body(preferencelist=("html",))
        if part is None:
            return HtmlBody()
        html = _part_text(part, _declared_charsets(message)).replace("\r\n", "\n")
    except Exception:  # noqa: BLE001 — the text and the original are kept anyway
        return HtmlBody()
    inline: dict[str, int] = {}
    position = 0
    for leaf in _leaf_parts(message):
        if _filename(leaf) is None:
            continue
        try:
            value = leaf.get("Content-ID")
        except Exception:  # noqa: BLE001 — a header the policy cannot parse
            value = None
        cid = str(value or "").strip().removeprefix("<").removesuffix(">").strip()
        if cid:
            inline.setdefault(cid, position)
        position += 1
    return HtmlBody(html=html, inline=inline)


def header_text(raw: bytes, name: str) -> str:
    """One header of ``raw`` as text ("" when absent or unreadable). Never raises."""
    try:
        return str(_message_of(raw).get(name) or "").strip()
    except Exception:  # noqa: BLE001 — a header the policy cannot read is no header
        return ""


_HEADER_END = re.compile(rb"\r?\n\r?\n")
_HINT_LINE = re.compile(rb"^(message-id|from)[ \t]*:(.*)$", re.IGNORECASE | re.MULTILINE)


def header_hints(raw: bytes) -> tuple[str | None, str | None]:
    """A guess, from the raw header lines alone (no parsing: a few microseconds), at what
    ``parse_bytes`` will read as the message's ``Message-ID`` and sender address (lowercased):
    what a batch of mail looks up before it reads each message (balcao.mail.services.Batch).
    Only a guess — an encoded or odd header may read otherwise — so the caller checks the
    parsed value against it and looks a miss up on its own. Never raises."""
    try:
        head = _HEADER_END.split(_MBOX_FROM.sub(b"", raw, count=1), maxsplit=1)[0]
        head = re.sub(rb"\r?\n[ \t]+", b" ", head)
        found: dict[str, str] = {}
        for name, value in _HINT_LINE.findall(head):
            found.setdefault(name.decode().lower(), value.decode("utf-8", "replace").strip())
        sender = None
        if "from" in found:
            addresses = [addr for _name, addr in getaddresses([found["from"]]) if addr]
            sender = addresses[0].strip().lower() if addresses else None
        return found.get("message-id") or None, sender
    except Exception:  # noqa: BLE001 — a guess that fails is no guess
        return None, None


class Reading:
    """All that ingest reads of one raw message (balcao.mail.services.ingest): its contract
    fields, its files, its HTML body and its ``Content-Language``, each read when first asked
    — or all at once by ``read_completely``, which a reader process runs on the next messages
    while the ingest writes the current one (balcao.mail.imap). It travels between processes
    without the raw bytes (the receiver has them: ``with_raw``)."""

    def __init__(self, raw: bytes, *, file: str = "-") -> None:
        self.raw, self.file = raw, file

    @cached_property
    def parsed(self) -> ParsedMail:
        return parse_bytes(self.raw, file=self.file)

    @cached_property
    def files(self) -> builtins.list[tuple[str, bytes]]:
        return attachment_files(self.raw)

    @cached_property
    def html(self) -> HtmlBody:
        return html_body(self.raw)

    @cached_property
    def content_language(self) -> str:
        return header_text(self.raw, "Content-Language")

    def __getstate__(self) -> dict:
        return {name: value for name, value in self.__dict__.items() if name != "raw"}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state, raw=b"")

    def with_raw(self, raw: bytes) -> Reading:
        self.raw = raw
        return self


def read_completely(raw: bytes, file: str = "-") -> Reading:
    """A ``Reading`` with every part read (what a reader process sends back)."""
    reading = Reading(raw, file=file)
    for name in ("parsed", "files", "html", "content_language"):
        getattr(reading, name)
    return reading
