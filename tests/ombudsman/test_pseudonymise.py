"""The pseudonymised copy of a manifestation (balcao.ombudsman.pseudonymise, pure)."""

from __future__ import annotations

import io
import zipfile

import pytest
from PIL import Image
from pypdf import PdfReader, PdfWriter

from balcao.ombudsman.pseudonymise import EMAIL, NAME, PHONE, POSTCODE, redact, strip_metadata

TEXT = (
    "Sou Maria José da Silva Araújo, CPF 123.456.789-09, servidora da DIRPA. "
    "O chefe disse à MARIA JOSE que ela seria transferida. Escreva para "
    "maria.araujo@example.com ou ligue (61) 99876-5432 / +55 21 3333 4444; moro no "
    "CEP 70040-902. Tel: 21 98765 4321. Processo 912345678 e marca SILVA & FILHOS."
)


def test_redact_removes_name_parts_documents_contacts_and_postcode():
    result = redact(TEXT, names=["Maria José da Silva Araújo"])
    text = result.text
    for gone in (
        "Maria",
        "MARIA",
        "José",
        "JOSE",
        "Araújo",
        "Silva",
        "SILVA",
        "123.456.789-09",
        "maria.araujo",
        "99876-5432",
        "3333 4444",
        "70040-902",
        "98765 4321",
    ):
        assert gone not in text, gone
    # the full name collapses to one placeholder, particles stay unless inside the name
    assert text.startswith(f"Sou {NAME}, CPF [CPF], servidora da DIRPA.")
    assert f"disse à {NAME} que" in text
    assert EMAIL in text and PHONE in text and POSTCODE in text
    # what identifies nobody is kept: the unit, an INPI process number
    assert "DIRPA" in text and "Processo 912345678" in text
    assert result.removed[NAME] >= 3
    assert result.removed["[CPF]"] == 1 and result.removed[EMAIL] == 1
    assert result.removed[PHONE] == 3 and result.removed[POSTCODE] == 1


def test_redact_without_names_keeps_names_and_reports_nothing_for_clean_text():
    assert redact("Pedido sobre a marca Sol.").removed == {}
    assert redact("Pedido sobre a marca Sol.").text == "Pedido sobre a marca Sol."
    assert redact("", names=["Ana"]).text == ""
    # a name word inside another word is not touched; short words are not names
    result = redact("Anabela falou com Ana e com Al.", names=["Ana Al"])
    assert result.text == f"Anabela falou com {NAME} e com Al."


def test_redact_does_not_count_placeholders_already_there():
    assert redact("Já veio como [CPF].").removed == {}


def _jpeg_with_exif() -> bytes:
    image = Image.new("RGB", (8, 8), (200, 10, 10))
    exif = Image.Exif()
    exif[0x013B] = "Maria Araujo"  # Artist
    exif[0x010E] = "foto do gabinete"  # ImageDescription
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif.tobytes())
    return out.getvalue()


def test_strip_metadata_of_an_image():
    original = _jpeg_with_exif()
    assert b"Maria Araujo" in original
    stripped = strip_metadata("foto.jpg", original)
    assert stripped.cleaned and stripped.data is not None
    assert b"Maria Araujo" not in stripped.data and b"Exif" not in stripped.data
    with Image.open(io.BytesIO(stripped.data)) as image:
        assert image.size == (8, 8) and not image.getexif()


def test_strip_metadata_of_a_png_with_text_chunks():
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("Author", "Maria Araujo")
    out = io.BytesIO()
    Image.new("P", (4, 4)).save(out, format="PNG", pnginfo=info)
    stripped = strip_metadata("print.png", out.getvalue())
    assert stripped.cleaned and b"Maria Araujo" not in (stripped.data or b"")


def test_strip_metadata_of_a_pdf():
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer.add_metadata({"/Author": "Maria Araujo", "/Title": "Denúncia", "/Creator": "Word"})
    out = io.BytesIO()
    writer.write(out)
    assert b"Maria Araujo" in out.getvalue()
    stripped = strip_metadata("relato.pdf", out.getvalue())
    assert stripped.cleaned and stripped.data is not None
    assert b"Maria Araujo" not in stripped.data
    reader = PdfReader(io.BytesIO(stripped.data))
    assert len(reader.pages) == 1
    assert not (reader.metadata or {}).get("/Author")


def test_strip_metadata_of_office_documents():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as package:
        package.writestr("[Content_Types].xml", "<Types/>")
        package.writestr("word/document.xml", "<w:document>texto</w:document>")
        package.writestr(
            "docProps/core.xml",
            "<cp:coreProperties><dc:creator>Maria Araujo</dc:creator>"
            "<cp:lastModifiedBy>Maria Araujo</cp:lastModifiedBy></cp:coreProperties>",
        )
        package.writestr("docProps/app.xml", "<Properties><Company>INPI</Company></Properties>")
    stripped = strip_metadata("relato.docx", out.getvalue())
    assert stripped.cleaned and stripped.data is not None
    with zipfile.ZipFile(io.BytesIO(stripped.data)) as package:
        assert package.read("word/document.xml") == b"<w:document>texto</w:document>"
        assert b"Maria" not in package.read("docProps/core.xml")
        assert b"INPI" not in package.read("docProps/app.xml")
        assert {i.date_time for i in package.infolist()} == {(1980, 1, 1, 0, 0, 0)}


@pytest.mark.parametrize(
    ("name", "data"),
    [("relato.pdf", b"%PDF-1.4 broken"), ("planilha.xlsx", b"not a zip"), ("x.exe", b"MZ\x90")],
)
def test_what_cannot_be_cleaned_is_not_sent(name, data):
    stripped = strip_metadata(name, data)
    assert not stripped.cleaned and stripped.data is None and "não enviado" in stripped.note


def test_plain_text_passes_as_it_is():
    assert strip_metadata("dados.csv", b"a,b\n1,2\n").data == b"a,b\n1,2\n"
