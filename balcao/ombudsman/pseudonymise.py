"""The pseudonymised copy a unit receives of a manifestation (no models, no settings: tested
with plain pytest; it uses balcao.masking, whose document checks share the forms' messages).

Decreto 10.153/2019, art. 6º: "A unidade de ouvidoria … encaminhará a denúncia … com a
identidade do denunciante preservada", and art. 3º §2º ("a restrição de acesso … abrange
os elementos de identificação do denunciante"); Lei 13.460/2017 art. 10 §7º. Issue 21: "when
it goes to an internal unit, the unit gets a pseudonymised copy with identifying details
removed from the text and attachments' metadata".

Two parts:

* :func:`redact` removes from a text what identifies its author: the name on file (in full
  and each of its words, accents and case aside), e-mail addresses, telephone numbers,
  postcodes (CEP), and — through :mod:`balcao.masking`, the rules the chatbot transcripts
  use — CPF, CNPJ, NIF, card numbers and passwords. It proposes; the ombudsman reads the
  copy and edits it before it leaves (a free text can identify someone in ways no rule
  catches: "I am the only woman in the division").
* :func:`strip_metadata` rewrites an attachment without the fields that name its author:
  EXIF/XMP/text chunks of images (re-encoded from the pixels), the document information and
  XMP of a PDF, the core properties of Office Open XML and the meta.xml of OpenDocument files.
  Anything it cannot rewrite is reported so (``cleaned=False``) and is not sent.
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from balcao import masking

NAME = "[nome]"
EMAIL = "[e-mail]"
PHONE = "[telefone]"
POSTCODE = "[CEP]"

# Words of a Portuguese name that identify nobody on their own.
_PARTICLES = frozenset("da das de di do dos du e del della van von y".split())

_EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
_PHONE_RES = (
    # (61) 99999-9999, 61 3333-4444, +55 61 99999 9999: a DDD in parentheses, a +55, or the
    # hyphen of a written-out number (a bare 9-digit run is also an INPI process number).
    re.compile(r"(?<![\w+])\+55\s?\(?\d{2}\)?\s?9?\d{4}[\s-]?\d{4}(?!\d)"),
    re.compile(r"(?<![\w(])\(\d{2}\)\s?9?\d{4}[\s-]?\d{4}(?!\d)"),
    re.compile(r"(?<![\w-])(?:\d{2}\s)?9?\d{4}-\d{4}(?![\d-])"),
    # Portugal: +351 and nine digits.
    re.compile(r"(?<![\w+])\+351\s?\d{3}\s?\d{3}\s?\d{3}(?!\d)"),
)
# any number right after a word that says it is one ("Tel: 21 98765 4321")
_PHONE_AFTER_WORD = re.compile(
    r"(?P<lead>\b(?:tel|fone|telefone|celular|whatsapp|zap|telem[oó]vel)\b[:.]?\s*)"
    r"\+?\d[\d\s().-]{6,17}\d",
    re.IGNORECASE,
)
_POSTCODE_RE = re.compile(r"(?<![\d.-])\d{5}-\d{3}(?![\d-])|(?<=\bCEP\s)\d{8}\b", re.IGNORECASE)


@dataclass(frozen=True)
class Redacted:
    """A text without the identifying details found, and how many of each kind went."""

    text: str
    removed: dict[str, int] = field(default_factory=dict)


def _folded_chars(text: str) -> str:
    """``text`` lower-cased without accents, one character for each of ``text``'s (so that
    positions found in it are positions in ``text``)."""
    out = []
    for ch in text:
        base = unicodedata.normalize("NFKD", ch.lower())
        kept = "".join(c for c in base if not unicodedata.combining(c))
        out.append(kept[:1] if len(kept) >= 1 else ch)
    return "".join(out)


def _name_patterns(names: Iterable[str]) -> list[str]:
    """The full names first, then each word of them (longest first) that names someone."""
    fulls: set[str] = set()
    words: set[str] = set()
    for name in names:
        folded = _folded_chars(" ".join((name or "").split()))
        if not folded.strip():
            continue
        fulls.add(folded)
        words.update(w for w in re.findall(r"[^\W\d_]+", folded) if len(w) >= 3)
    words -= _PARTICLES
    return sorted(fulls, key=len, reverse=True) + sorted(words, key=len, reverse=True)


def _redact_names(text: str, names: Iterable[str]) -> tuple[str, int]:
    patterns = _name_patterns(names)
    if not patterns:
        return text, 0
    pattern = re.compile(
        r"(?<![^\W\d_])(?:" + "|".join(re.escape(p) for p in patterns) + r")(?![^\W\d_])"
    )
    folded = _folded_chars(text)
    out, last, count = [], 0, 0
    for match in pattern.finditer(folded):
        out.append(text[last : match.start()])
        out.append(NAME)
        last = match.end()
        count += 1
    out.append(text[last:])
    merged = re.sub(r"\[nome\](?:\s+\[nome\])+", NAME, "".join(out))
    return merged, count


def redact(text: str, *, names: Iterable[str] = ()) -> Redacted:
    """``text`` without the identifying details of its author (``names``: the name on file
    and any other the ombudsman adds) — see the module's docstring for what is removed."""
    if not text:
        return Redacted(text or "")
    before = Counter(_placeholders(text))
    result = masking.mask(text)
    result = _EMAIL_RE.sub(EMAIL, result)
    result = _PHONE_AFTER_WORD.sub(lambda m: m["lead"] + PHONE, result)
    for phone in _PHONE_RES:
        result = phone.sub(PHONE, result)
    result = _POSTCODE_RE.sub(POSTCODE, result)
    result, named = _redact_names(result, names)
    after = Counter(_placeholders(result))
    removed = {kind: after[kind] - before[kind] for kind in after if after[kind] > before[kind]}
    if named:
        removed[NAME] = named
    return Redacted(result, removed)


_PLACEHOLDER_RE = re.compile(r"\[(?:CPF|CNPJ|NIF|CARTÃO|SENHA|e-mail|telefone|CEP)\]")


def _placeholders(text: str) -> list[str]:
    return _PLACEHOLDER_RE.findall(text)


# --- attachments ----------------------------------------------------------------------


@dataclass(frozen=True)
class Stripped:
    """An attachment rewritten without its author's metadata; ``cleaned`` False when its
    kind is not one this module can rewrite (then ``data`` is None and ``note`` says why)."""

    data: bytes | None
    cleaned: bool
    note: str = ""


_IMAGE_FORMATS = {"JPEG": "JPEG", "PNG": "PNG", "GIF": "GIF", "WEBP": "WEBP", "BMP": "BMP"}
_PLAIN_SUFFIXES = (".txt", ".csv")
_OOXML_SUFFIXES = (".docx", ".xlsx", ".pptx")
_ODF_SUFFIXES = (".odt", ".ods", ".odp")


def strip_metadata(filename: str, data: bytes) -> Stripped:
    """``data`` (the file called ``filename``) without the metadata that names people."""
    name = filename.lower()
    if data.startswith(b"%PDF"):
        return _strip_pdf(data)
    if name.endswith(_OOXML_SUFFIXES):
        return _strip_zip(data, {"docProps/core.xml": _EMPTY_CORE, "docProps/app.xml": _EMPTY_APP})
    if name.endswith(_ODF_SUFFIXES):
        return _strip_zip(data, {"meta.xml": _EMPTY_ODF_META})
    if name.endswith(_PLAIN_SUFFIXES):
        return Stripped(data, True, "texto simples: sem metadados")
    image = _strip_image(data)
    if image is not None:
        return image
    return Stripped(None, False, "tipo de arquivo sem limpeza de metadados: não enviado")


def _strip_image(data: bytes) -> Stripped | None:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            kind = _IMAGE_FORMATS.get(image.format or "")
            if kind is None:
                return None
            image.load()
            # a new image from the pixels alone: no info, EXIF, XMP, ICC or text chunks
            pixels = Image.frombytes(image.mode, image.size, image.tobytes())
            palette = image.getpalette() if image.mode == "P" else None
            if palette:
                pixels.putpalette(palette)
            out = io.BytesIO()
            pixels.save(out, format=kind)
    except (UnidentifiedImageError, OSError, ValueError):
        return None
    return Stripped(out.getvalue(), True, "imagem regravada sem EXIF/XMP")


def _strip_pdf(data: bytes) -> Stripped:
    from pypdf import PdfReader, PdfWriter
    from pypdf.errors import PdfReadError
    from pypdf.generic import NameObject

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            return Stripped(None, False, "PDF protegido por senha: não enviado")
        writer = PdfWriter()
        for page in reader.pages:
            writer.add_page(page)
        writer.metadata = None  # no /Info dictionary at all
        root = writer.root_object
        if NameObject("/Metadata") in root:  # XMP copied with the catalogue
            del root[NameObject("/Metadata")]
        out = io.BytesIO()
        writer.write(out)
    except (PdfReadError, ValueError, KeyError, OSError) as exc:
        return Stripped(None, False, f"PDF ilegível ({exc}): não enviado")
    return Stripped(out.getvalue(), True, "PDF sem informações do documento e XMP")


_EMPTY_CORE = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/'
    b'metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/"/>'
)
_EMPTY_APP = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
    b'extended-properties"/>'
)
_EMPTY_ODF_META = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b'<office:document-meta xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
    b' office:version="1.2"><office:meta/></office:document-meta>'
)


def _strip_zip(data: bytes, replace: dict[str, bytes | None]) -> Stripped:
    """Copy a zip package, ``replace`` giving new contents for its metadata parts (None:
    left out)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as source:
            out = io.BytesIO()
            with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
                for item in source.infolist():
                    # the entries' own dates go too (they tell when it was last edited);
                    # the mimetype of OpenDocument stays first and stored
                    kept = zipfile.ZipInfo(item.filename, date_time=(1980, 1, 1, 0, 0, 0))
                    kept.compress_type = item.compress_type
                    if item.filename in replace:
                        new = replace[item.filename]
                        if new is not None:
                            target.writestr(kept, new)
                        continue
                    target.writestr(kept, source.read(item.filename))
    except (zipfile.BadZipFile, OSError, KeyError) as exc:
        return Stripped(None, False, f"arquivo compactado ilegível ({exc}): não enviado")
    return Stripped(out.getvalue(), True, "propriedades do documento removidas")
