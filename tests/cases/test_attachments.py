"""Attachments: size limits, content sniffed from the bytes, safe names, nothing half-saved."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from balcao.cases import services
from balcao.cases.attachments import AttachmentRefused, check_file, sanitise_filename
from balcao.cases.models import Attachment, Message

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452") + b"\x00" * 32
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64
ELF = b"\x7fELF\x02\x01\x01" + b"\x00" * 64


def test_a_pdf_is_accepted_and_hashed():
    checked = check_file(io.BytesIO(PDF), "parecer.pdf", max_bytes=10_000)
    assert checked.content_type == "application/pdf"
    assert checked.size == len(PDF)
    assert len(checked.sha256) == 64


@pytest.mark.parametrize("payload", [EXE, ELF])
def test_an_executable_named_pdf_is_refused(payload):
    with pytest.raises(AttachmentRefused, match="não é de um tipo aceito"):
        check_file(io.BytesIO(payload), "boleto.pdf", max_bytes=10_000)


def test_an_image_named_pdf_is_refused_as_mismatched():
    with pytest.raises(AttachmentRefused, match=r"diz ser \.pdf"):
        check_file(io.BytesIO(PNG), "documento.pdf", max_bytes=10_000)


def test_too_big_is_refused_with_the_limit_in_the_message():
    big = io.BytesIO(PDF + b"0" * (2 * 1024 * 1024))
    with pytest.raises(AttachmentRefused, match="limite de 1 MB"):
        check_file(big, "grande.pdf", max_bytes=1024 * 1024)


def test_empty_file_is_refused():
    with pytest.raises(AttachmentRefused, match="vazio"):
        check_file(io.BytesIO(b""), "nada.txt", max_bytes=100)


@pytest.mark.parametrize(
    ("raw", "safe"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\joão\\relatório final.pdf", "relatório final.pdf"),
        ("a\x00b\x1f.txt", "ab.txt"),
        ("<script>.pdf", "_script_.pdf"),
        ("", "arquivo"),
    ],
)
def test_filenames_are_sanitised(raw, safe):
    assert sanitise_filename(raw) == safe


@pytest.mark.django_db
def test_reply_with_files_stores_them_outside_the_web_root(open_case, staff, settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    case = open_case()
    message = services.do_add_message(
        case,
        "Segue o parecer",
        actor=staff["agent"],
        files=[SimpleUploadedFile("parecer.pdf", PDF, content_type="application/pdf")],
    )
    attachment = message.attachments.get()
    assert attachment.filename == "parecer.pdf"
    assert attachment.file.path.startswith(str(tmp_path))
    with open(attachment.file.path, "rb") as stored:
        assert stored.read() == PDF


@pytest.mark.django_db
def test_a_refused_file_leaves_the_case_unchanged(open_case, staff):
    case = open_case()
    files = [SimpleUploadedFile("ok.pdf", PDF), SimpleUploadedFile("virus.pdf", EXE)]
    with pytest.raises(AttachmentRefused):
        services.do_add_message(case, "Dois arquivos", actor=staff["agent"], files=files)
    assert not Message.objects.filter(case=case).exists()
    assert not Attachment.objects.filter(case=case).exists()
