"""The public transparency page and its open data (issue 21): figures from the recorded
manifestations, nothing personal, small groups suppressed."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.core.cache import caches

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
    assert data["type"]["Reclamação"]["count"] == 6
    assert data["type"]["Denúncia"] == {"count": "< 5"}
    rows = list(
        csv.reader(io.StringIO(client.get("/transparencia/ouvidoria.csv").content.decode()))
    )
    assert rows[0][:3] == ["recorte", "grupo", "quantidade"]
    assert ["type", "Denúncia", "< 5", "", "", "", ""] in rows
    assert "Pessoa Sigilosa" not in json.dumps(data, ensure_ascii=False)
