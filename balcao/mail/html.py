"""The HTML of an incoming e-mail made safe to show an agent (issue 22: "keep text and HTML
(sanitised for display), inline images and attachments").

Pure: ``nh3`` (the bindings of the Rust sanitiser ammonia) decides what survives; no Django.
The console shows the result inside a sandboxed ``<iframe srcdoc>`` (balcao.console.timeline),
so this is the first of two walls, not the only one. What survives:

- ordinary formatting: paragraphs, line breaks, emphasis, lists, tables, quotes, code,
  headings, ``div``/``span``; no ``style``/``class``/``id`` and no event handler on anything;
- links to ``http``, ``https`` and ``mailto`` only (no ``javascript:``, ``data:``, relative or
  ``cid:`` link), opened in a new tab without a referrer;
- images only from the message itself: an inline image (``src="cid:…"``, RFC 2392) shows
  from the source the caller gives for its Content-ID (``inline_sources``: the stored part
  as a ``data:`` URL); any other image — above all a remote one, which is how bulk senders
  learn that a message was opened and by whom — is never fetched and becomes its ``alt``
  text;
- ``script``, ``style``, ``title``, frames, objects, forms' controls and SVG/MathML go with
  their content.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterable, Mapping
from html import escape, unescape
from urllib.parse import unquote

import nh3

TAGS = frozenset(
    {
        "a", "abbr", "b", "blockquote", "br", "caption", "center", "code", "dd", "div", "dl",
        "dt", "em", "font", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "li", "ol",
        "p", "pre", "s", "small", "span", "strong", "sub", "sup", "table", "tbody", "td",
        "tfoot", "th", "thead", "tr", "u", "ul",
    }
)  # fmt: skip
ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "ol": {"start"},
    "abbr": {"title"},
}
# Removed with everything inside them (the others outside TAGS lose the tag, keep the text).
DROPPED_WITH_CONTENT = frozenset(
    {
        "script", "style", "title", "iframe", "frame", "frameset", "object", "embed", "applet",
        "noscript", "template", "select", "textarea", "button", "svg", "math", "audio",
        "video", "canvas", "map",
    }
)  # fmt: skip
LINK_SCHEMES = ("http://", "https://", "mailto:")
# Inline images shown in the frame: raster types (an SVG is a document), and at most this
# many bytes of them per message (the page carries them, base64, in the frame's srcdoc).
INLINE_IMAGE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})
INLINE_IMAGES_MAX_BYTES = 2 * 1024 * 1024

# A tag of ammonia's output (its serialiser quotes every value with '"' and escapes '"' in
# it, and escapes '<' in text, so quoted values are the only place a '>' can hide).
_TAG = re.compile(r'<[^<>"]*(?:"[^"]*"[^<>"]*)*>')
_SRC = re.compile(r'\ssrc="')
_ALT = re.compile(r'\salt="([^"]*)"')


def content_id(value: str) -> str:
    """A Content-ID as ``cid:`` URLs name it: without its angle brackets and white space
    (RFC 2392: ``cid:`` + the addr-spec of the Content-ID, percent-decoded)."""
    return unquote(value).strip().removeprefix("<").removesuffix(">").strip()


def inline_sources(
    images: Iterable[tuple[str, str, bytes]], *, budget: int = INLINE_IMAGES_MAX_BYTES
) -> dict[str, str]:
    """Content-ID → ``data:`` URL of each inline image (Content-ID, checked content type,
    bytes) that may show in the formatted e-mail: a raster image, taken in order while their
    total size stays within ``budget``; the others show as their ``alt`` text (their files
    stay in the message's attachments).

    Why ``data:`` and not the attachment's URL: the console shows the e-mail in a sandboxed
    frame without ``allow-same-origin``, whose origin is opaque, so the browser treats its
    requests as cross-site and sends no ``SameSite`` session cookie with them — an image
    URL that needs a signed-in agent never loads there (checked in Chromium:
    tests/e2e/test_mail_html.py), and lifting that sandbox flag would give the e-mail the
    console's origin."""
    sources: dict[str, str] = {}
    for cid, content_type, data in images:
        kind = content_type.split(";")[0].strip().lower()
        if kind not in INLINE_IMAGE_TYPES or not data or len(data) > budget:
            continue
        budget -= len(data)
        sources[cid] = f"data:{kind};base64,{base64.b64encode(data).decode('ascii')}"
    return sources


def sanitise(markup: str, *, images: Mapping[str, str] | None = None) -> str:
    """``markup`` (an e-mail's HTML body, a whole document or a fragment) as a fragment that
    is safe to show: see the module's docstring. ``images`` maps the Content-ID of each inline
    image the caller kept (``content_id`` normalises it) to its source (``inline_sources``);
    an image whose Content-ID is not there is shown as its ``alt`` text."""
    if not markup or not markup.strip():
        return ""
    sources = {content_id(cid): url for cid, url in (images or {}).items()}
    folded = {cid.casefold(): url for cid, url in sources.items()}

    def keep(tag: str, attribute: str, value: str) -> str | None:
        if tag == "img" and attribute == "src":
            if not value.lower().startswith("cid:"):
                return None
            wanted = content_id(value[4:])
            return sources.get(wanted) or folded.get(wanted.casefold())
        if tag == "a" and attribute == "href":
            return value if value.strip().lower().startswith(LINK_SCHEMES) else None
        return value

    cleaned = nh3.clean(
        markup,
        tags=set(TAGS),
        clean_content_tags=set(DROPPED_WITH_CONTENT),
        attributes={tag: set(names) for tag, names in ATTRIBUTES.items()},
        attribute_filter=keep,
        url_schemes={"http", "https", "mailto", "cid"},
        set_tag_attribute_values={"a": {"target": "_blank"}},
        link_rel="noopener noreferrer",
        strip_comments=True,
    )
    return _TAG.sub(_image_without_source_as_text, cleaned).strip()


def _image_without_source_as_text(match: re.Match[str]) -> str:
    """An ``<img>`` left without ``src`` (remote, unknown or refused) becomes its ``alt``
    text; every other tag stays as ammonia wrote it."""
    tag = match.group(0)
    if not tag.startswith("<img") or _SRC.search(tag):
        return tag
    alt = _ALT.search(tag)
    return escape(unescape(alt.group(1)), quote=False) if alt else ""
