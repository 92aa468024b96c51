"""The annual report of INPI Portaria art. 50 as a PDF (issue 21: "as a page, CSV and PDF,
publishable on the portal"), rendered by WeasyPrint from a print template that fetches
nothing."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from django.utils import timezone
from pypdf import PdfReader

from balcao.ombudsman import services
from balcao.ombudsman import views as ombudsman_views
from balcao.ombudsman.models import ClassificationAuthority

pytestmark = pytest.mark.django_db


def _text(pdf: bytes) -> str:
    """The PDF's text, blanks squeezed out (a CIDIC may wrap inside its table cell)."""
    pages = PdfReader(io.BytesIO(pdf)).pages
    return "".join("".join(page.extract_text() for page in pages).split())


def test_the_report_downloads_as_a_pdf_with_its_four_sections(staff, verified_client):
    ClassificationAuthority.objects.create(user=staff["manager"], president=True)
    fields = {
        "degree": "reservado",
        "category": "06",
        "legal_ground": "Lei 12.527/2011, art. 23, VIII",
        "produced_on": timezone.localdate() - timedelta(days=40),
        "years": 5,
        "reasons": "Investigação sigilosa em curso.",
    }
    kept = services.do_classify(actor=staff["manager"], nup="52400.000321/2026-11", **fields)
    gone = services.do_classify(actor=staff["manager"], nup="52400.000322/2026-12", **fields)
    services.do_declassify(gone, actor=staff["manager"], summary="Parecer sobre fraude antigo")

    end = timezone.localdate()
    client = verified_client(staff["ombudsman"])
    response = client.get(f"/console/sigilo/relatorio-anual/?ate={end.isoformat()}&formato=pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert f'filename="relatorio-anual-{end.isoformat()}.pdf"' in response["Content-Disposition"]
    assert response.content.startswith(b"%PDF-")
    assert response.content.rstrip().endswith(b"%%EOF")

    text = _text(response.content)
    for expected in (
        "Relatório anual de informação classificada",
        "I. Informações desclassificadas nos últimos doze meses",
        "Parecer sobre fraude antigo",
        kept.as_classification().cidic,
        "IV. Usuários do SIC",
    ):
        assert "".join(expected.split()) in text, expected
    assert "Investigaçãosigilosa" not in text  # the reasons are never published
    assert text.endswith("1/1")  # the print stylesheet numbers the pages
    in_force = text.split("II.Informações")[1]
    assert kept.as_classification().cidic in in_force
    assert gone.as_classification().cidic not in in_force  # declassified: section I only


def test_the_pdf_renderer_fetches_nothing_but_data_urls():
    fetcher = ombudsman_views.pdf_url_fetcher()
    for url in ("https://example.org/logo.png", "file:///etc/passwd", "ftp://example.org/x"):
        with pytest.raises(ValueError, match="disallowed protocol"):
            fetcher.fetch(url)
    assert fetcher.fetch("data:text/plain,ok").read() == b"ok"
    html = '<p>antes</p><img src="file:///etc/hostname" alt=""><p>depois</p>'
    assert "antesdepois" in _text(ombudsman_views.render_pdf(html))  # it goes on


def test_a_period_ending_before_anything_happened_is_empty(staff, verified_client):
    client = verified_client(staff["manager"])
    response = client.get("/console/sigilo/relatorio-anual/?ate=2020-01-31&formato=pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF-")
    assert date(2020, 1, 31).isoformat() in response["Content-Disposition"]


def test_the_same_report_is_public_on_the_portal(staff, client):
    """Portaria art. 50, parágrafo único: "será disponibilizado no Portal do INPI" — no login,
    the lists and the figures, never the reasons."""
    ClassificationAuthority.objects.create(user=staff["manager"], president=True)
    item = services.do_classify(
        actor=staff["manager"],
        nup="52400.000777/2026-11",
        degree="reservado",
        category="06",
        legal_ground="Lei 12.527/2011, art. 23, VIII",
        produced_on=timezone.localdate() - timedelta(days=10),
        years=5,
        reasons="Investigação sigilosa em curso.",
    )
    page = client.get("/transparencia/informacao-classificada/")
    html = page.content.decode()
    assert page.status_code == 200
    assert item.as_classification().cidic in html and "IV. Usuários do SIC" in html
    assert "Investigação sigilosa" not in html
    csv_text = client.get("/transparencia/informacao-classificada/?formato=csv").content.decode()
    assert item.as_classification().cidic in csv_text and "sigilosa" not in csv_text
    pdf = client.get("/transparencia/informacao-classificada/?formato=pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    assert (
        "/transparencia/informacao-classificada/"
        in client.get("/transparencia/ouvidoria/").content.decode()
    )
