"""The public transparency page and its open data (issue 21): figures from the recorded
manifestations, nothing personal, small groups suppressed."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser

import pytest
from django.core.cache import caches
from django.utils import timezone

from balcao.ombudsman import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def filed(db):
    from balcao.catalog.services import load_demo_catalog

    load_demo_catalog()
    caches["default"].delete("balcao:ombudsman:transparency")
    made = []
    for i in range(6):
        made.append(
            services.do_file_manifestation(
                {
                    "type": "reclamacao",
                    "identity": "identified",
                    "subject": f"Atendimento demorado {i}",
                    "description": "Esperei muito tempo e ninguém me respondeu.",
                    "requester": {"name": f"Pessoa Sigilosa {i}", "email": f"p{i}@example.com"},
                }
            )
        )
    made.append(
        services.do_file_manifestation(
            {
                "type": "denuncia",
                "identity": "anonymous",
                "subject": "Servidor cobrando propina",
                "description": "Um servidor pediu dinheiro para agilizar meu pedido.",
            }
        )
    )
    caches["default"].delete("balcao:ombudsman:transparency")
    return made


def test_the_page_shows_the_figures_without_anything_personal(client, filed):
    html = client.get("/transparencia/ouvidoria/").content.decode()
    assert "Ouvidoria em números" in html and "Reclamação" in html
    assert "&lt; 5" in html  # the single denúncia
    for secret in ("Pessoa Sigilosa", "p0@example.com", "Atendimento demorado", "propina"):
        assert secret not in html


def test_open_data_as_csv_and_json(client, filed):
    data = json.loads(client.get("/transparencia/ouvidoria.json").content)
    assert data["total"]["count"] == 7
    # the single denúncia is small; the six reclamações are hidden with it (secondary
    # suppression), or 7 − 6 would give it back
    assert data["type"]["Reclamação"] == {"count": "*"}
    assert data["type"]["Denúncia"] == {"count": "< 5"}
    rows = list(
        csv.reader(io.StringIO(client.get("/transparencia/ouvidoria.csv").content.decode()))
    )
    assert rows[0][:3] == ["recorte", "grupo", "quantidade"]
    assert ["type", "Denúncia", "< 5", "", "", "", ""] in rows
    assert "Pessoa Sigilosa" not in json.dumps(data, ensure_ascii=False)


# --- the charts, on a known data set ------------------------------------------------------


class _Svg(HTMLParser):
    """Each <svg id=…> of the page: its bars (rect.bar), its suppressed values, its title."""

    def __init__(self):
        super().__init__()
        self.charts: dict[str, dict] = {}
        self._current: dict | None = None
        self._in_title = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        classes = (a.get("class") or "").split()
        if tag == "svg":
            self._current = self.charts.setdefault(
                a.get("id", ""), {"bars": [], "suppressed": 0, "title": "", "attrs": a}
            )
        elif self._current is not None and tag == "rect" and "bar" in classes:
            self._current["bars"].append(a)
        elif self._current is not None and tag == "text" and "suppressed" in classes:
            self._current["suppressed"] += 1
        elif self._current is not None and tag == "title":
            self._in_title = True

    def handle_endtag(self, tag):
        if tag == "svg":
            self._current = None
        elif tag == "title":
            self._in_title = False

    def handle_data(self, data):
        if self._in_title and self._current is not None:
            self._current["title"] += data


def _charts(client, url="/transparencia/ouvidoria/") -> dict[str, dict]:
    response = client.get(url)
    assert response.status_code == 200
    parser = _Svg()
    parser.feed(response.content.decode())
    return parser.charts


def _month_start(months_back: int):
    now = timezone.now()
    index = now.year * 12 + now.month - 1 - months_back
    return datetime(index // 12, index % 12 + 1, 15, 12, tzinfo=UTC)


@pytest.fixture
def spread(filed):
    """The seven of ``filed`` (6 reclamações, 1 denúncia) this month; 5 elogios two months
    ago; 2 sugestões two years ago. Five reclamações answered and rated (one late)."""
    from balcao.cases.models import Case, CaseRating

    def file(kind, when):
        filed_ = services.do_file_manifestation(
            {"type": kind, "identity": "anonymous", "subject": "x", "description": "Um texto."}
        )
        Case.objects.filter(pk=filed_.case.pk).update(created_at=when)

    for _ in range(5):
        file("elogio", _month_start(2))
    for _ in range(2):
        file("sugestao", _month_start(24))
    ratings = [(4, "yes"), (4, "yes"), (5, "yes"), (3, "partly"), (2, "no")]
    for (score, resolved), made in zip(ratings, filed[:5], strict=True):
        case = made.case
        late = score == 2
        closed = case.due_at + timedelta(days=1) if late else case.created_at + timedelta(days=3)
        Case.objects.filter(pk=case.pk).update(closed_at=closed)
        CaseRating.objects.create(case=case, score=score, resolved=resolved)
    caches["default"].clear()
    return filed


def test_the_charts_draw_a_bar_per_published_count_and_none_for_a_suppressed_one(client, spread):
    charts = _charts(client)
    month = charts["chart-month"]
    assert month["attrs"]["role"] == "img" and month["title"]
    assert month["attrs"]["aria-describedby"] == "chart-month-desc"
    # this month (7) is drawn; two months ago (5) is hidden as "*" beside the two sugestões
    # of two years ago (the only small month), the rest are 0
    assert len(month["bars"]) == 1
    kinds = charts["chart-type"]
    assert len(kinds["bars"]) == 2 and kinds["suppressed"] == 2  # denúncia and sugestões
    assert len(charts["chart-channel"]["bars"]) == 1  # all went to the ombudsman's channel
    resolved = charts["chart-resolved"]
    assert [bar["class"] for bar in resolved["bars"]] == [
        "bar bar-yes",
        "bar bar-partly",
        "bar bar-no",
    ]
    widths = [float(bar["width"]) for bar in resolved["bars"]]
    assert widths[0] == pytest.approx(3 * widths[1], abs=0.2) and widths[1] == widths[2]
    assert charts["chart-in-time"]["title"] == "Respondidas no prazo: 80%"
    assert charts["chart-score"]["title"] == "Satisfação média: 3,6 de 5"


def test_the_month_chart_and_the_tables_say_the_same(client, spread):
    html = client.get("/transparencia/ouvidoria/").content.decode()
    desc = re.search(r'<desc id="chart-month-desc">([^<]*)</desc>', html).group(1)
    assert desc.count(";") == 11  # twelve months
    assert desc.endswith(": 7")
    assert "<summary>" in html and "Manifestações por mês" in html
    assert '<text class="value suppressed"' in html and "&lt; 5</text>" in html


def test_filtered_by_year_and_by_type(client, spread):
    old = _month_start(24).year
    charts = _charts(client, f"/transparencia/ouvidoria/?ano={old}")
    month = charts["chart-month"]
    assert month["bars"] == [] and month["suppressed"] == 1  # two sugestões: "< 5"
    html = client.get(f"/transparencia/ouvidoria/?ano={old}").content.decode()
    assert f'<option value="{old}" selected>' in html
    assert "Menos de 5 manifestações neste recorte" in html  # the total is suppressed too
    data = json.loads(client.get(f"/transparencia/ouvidoria.json?ano={old}").content)
    assert data["total"] == {"count": "< 5"}
    assert list(data["type"]) == ["Sugestão"]

    charts = _charts(client, "/transparencia/ouvidoria/?tipo=elogio")
    assert len(charts["chart-month"]["bars"]) == 1 and len(charts["chart-type"]["bars"]) == 1
    data = json.loads(client.get("/transparencia/ouvidoria.json?tipo=elogio").content)
    assert data["total"]["count"] == 5
    response = client.get("/transparencia/ouvidoria.csv?tipo=elogio")
    assert "ouvidoria-transparencia-elogio.csv" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[1][:3] == ["total", "", "5"]


def test_an_unknown_filter_is_no_filter(client, spread):
    whole = json.loads(client.get("/transparencia/ouvidoria.json").content)
    assert whole["total"]["count"] == 14
    queries = ("?ano=1999", "?ano=abc", "?ano=²", "?tipo=nada", "?ano=99999999999999999999")
    for query in queries:
        data = json.loads(client.get(f"/transparencia/ouvidoria.json{query}").content)
        assert data["total"] == whole["total"]


def test_with_nothing_received_the_page_draws_no_chart(client, db):
    caches["default"].clear()
    html = client.get("/transparencia/ouvidoria/").content.decode()
    assert "<svg" not in html and "Nenhuma manifestação ainda." in html
