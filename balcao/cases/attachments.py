"""Attachment checks: size limit, content type sniffed from the bytes, safe names.

A file is refused, with a message a person understands, when it is larger than
the channel allows, when its bytes are not of an accepted type, or when its name
claims one type and its bytes are another (a ``.pdf`` that is an executable).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from pathlib import PurePosixPath, PureWindowsPath

import filetype
from django.utils.translation import gettext as _

DEFAULT_ALLOWED_TYPES = (
    "application/pdf",
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
    "text/plain",
    "text/csv",
    "application/zip",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.oasis.opendocument.text",
    "application/vnd.oasis.opendocument.spreadsheet",
)

# What a file name's extension promises; the bytes must agree.
EXTENSION_TYPES = {
    "pdf": {"application/pdf"},
    "png": {"image/png"},
    "jpg": {"image/jpeg"},
    "jpeg": {"image/jpeg"},
    "gif": {"image/gif"},
    "webp": {"image/webp"},
    "txt": {"text/plain"},
    "csv": {"text/csv", "text/plain"},
    "zip": {"application/zip"},
    "docx": {
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/zip",
    },
    "xlsx": {
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/zip",
    },
    "odt": {"application/vnd.oasis.opendocument.text", "application/zip"},
    "ods": {"application/vnd.oasis.opendocument.spreadsheet", "application/zip"},
}

_UNSAFE = re.compile(r"[^\w.\- ()]+", re.UNICODE)
SNIFF_BYTES = 8192


class AttachmentRefused(ValueError):
    """A file that cannot be accepted; ``str(exc)`` is the message for the person."""


@dataclass(frozen=True)
class CheckedFile:
    filename: str
    content_type: str
    size: int
    sha256: str


def sanitise_filename(name: str, *, max_length: int = 120) -> str:
    """A file name safe to show and to store: no path, no control characters."""
    name = PureWindowsPath(PurePosixPath(name or "").name).name
    name = unicodedata.normalize("NFKC", name)
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = _UNSAFE.sub("_", name).strip(" .")
    if not name:
        name = "arquivo"
    if len(name) > max_length:
        stem, dot, ext = name.rpartition(".")
        if dot and len(ext) <= 10:
            name = stem[: max_length - len(ext) - 1] + "." + ext
        else:
            name = name[:max_length]
    return name


def sniff_content_type(head: bytes) -> str | None:
    """The MIME type the bytes show, or None when they show nothing known."""
    kind = filetype.guess(head)
    if kind is not None:
        return kind.mime
    if b"\x00" in head:
        return None
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A multi-byte character cut at the sniff boundary is still text.
        if exc.start < len(head) - 4:
            try:
                head.decode("cp1252")
            except UnicodeDecodeError:
                return None
    return "text/plain"


def _human_size(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.0f} MB"
    return f"{max(1, size // 1024)} KB"


def check_file(fileobj, name: str, *, max_bytes: int, allowed_types=None) -> CheckedFile:
    """Check an uploaded file object (read in chunks; never loaded whole).

    Raises AttachmentRefused with a message a person understands.
    """
    allowed = set(allowed_types or DEFAULT_ALLOWED_TYPES)
    filename = sanitise_filename(name)
    declared_size = getattr(fileobj, "size", None)
    if declared_size is not None and declared_size > max_bytes:
        raise AttachmentRefused(
            _("O arquivo “%(name)s” tem %(size)s; o limite deste canal é %(limit)s.")
            % {
                "name": filename,
                "size": _human_size(declared_size),
                "limit": _human_size(max_bytes),
            }
        )
    fileobj.seek(0)
    head = fileobj.read(SNIFF_BYTES)
    if isinstance(head, str):
        head = head.encode()
    digest = hashlib.sha256(head)
    size = len(head)
    for chunk in iter(lambda: fileobj.read(1024 * 1024), b""):
        size += len(chunk)
        if size > max_bytes:
            raise AttachmentRefused(
                _("O arquivo “%(name)s” passa do limite de %(limit)s deste canal.")
                % {"name": filename, "limit": _human_size(max_bytes)}
            )
        digest.update(chunk)
    fileobj.seek(0)
    if size == 0:
        raise AttachmentRefused(_("O arquivo “%(name)s” está vazio.") % {"name": filename})
    sniffed = sniff_content_type(head)
    extension = filename.rpartition(".")[2].lower() if "." in filename else ""
    if sniffed is None or sniffed not in allowed:
        raise AttachmentRefused(
            _(
                "O arquivo “%(name)s” não é de um tipo aceito neste canal (aceitos: PDF, "
                "imagens, texto e documentos de escritório)."
            )
            % {"name": filename}
        )
    promised = EXTENSION_TYPES.get(extension)
    if promised is not None and sniffed not in promised:
        raise AttachmentRefused(
            _(
                "O arquivo “%(name)s” diz ser .%(ext)s, mas o conteúdo é de outro tipo "
                "(%(type)s). Envie o arquivo original."
            )
            % {"name": filename, "ext": extension, "type": sniffed}
        )
    if promised is None and extension and extension not in {"", "log"}:
        raise AttachmentRefused(
            _("A extensão .%(ext)s do arquivo “%(name)s” não é aceita neste canal.")
            % {"ext": extension, "name": filename}
        )
    return CheckedFile(
        filename=filename, content_type=sniffed, size=size, sha256=digest.hexdigest()
    )


def download_response(attachment, *, sandbox: bool = True):
    """The stored ``attachment`` as a download, never shown inline: its own name and content
    type, ``nosniff``, and (for pages) a sandboxing CSP so that a file that is HTML or SVG
    after all runs nothing on our origin. Whoever calls it has checked that the reader may
    have it."""
    from django.http import FileResponse

    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.filename,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    if sandbox:
        response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
