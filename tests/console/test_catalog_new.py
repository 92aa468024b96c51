"""A channel added in the console (issue 20: "a new channel added in the console is recommended
sensibly without a code change")."""

from __future__ import annotations

import pytest

from balcao.catalog import recommender, services
from balcao.catalog.models import CatalogChange, Channel

pytestmark = pytest.mark.django_db

NEW = {
    "slug": "libras",
    "name": "Atendimento em Libras",
    "kind": "scheduling",
    "purpose": "Atendimento por videochamada com intérprete de Libras para pessoas surdas.",
    "ideal_for": "pessoas surdas que se comunicam em Libras\nvideochamada com intérprete",
    "not_advised_for": "",
    "active": "on",
    "order": "3",
    "hours": "unspecified",
    "entry": "scheduling",
    "deadline_policy": "",
}


@pytest.fixture
def manager_client(staff, verified_client):
    return verified_client(staff["manager"])


def test_a_manager_adds_a_channel_and_the_triage_recommends_it(manager_client, db):
    services.load_demo_catalog()
    page = manager_client.get("/console/catalogo/novo/")
    assert page.status_code == 200 and "Novo canal" in page.content.decode()
    response = manager_client.post("/console/catalogo/novo/", NEW)
    assert response.status_code == 302 and response["Location"].endswith("/catalogo/libras/")
    channel = Channel.objects.get(slug="libras")
    assert channel.texts["pt-BR"]["ideal_for"][0].startswith("pessoas surdas")
    assert channel.rules_key == "" and not channel.confidential
    assert CatalogChange.objects.filter(object_key="libras", user__isnull=False).exists()
    need = "sou surdo e preciso de atendimento com intérprete de libras"
    assert services.triage(need, "pt-BR")["channel"] == "libras"
    # The identifier is checked: taken, reserved or not a slug.
    for slug in ("libras", "novo", "Ouvidoria Geral"):
        again = manager_client.post("/console/catalogo/novo/", {**NEW, "slug": slug})
        assert again.status_code == 200
        assert Channel.objects.filter(slug="libras").count() == 1


def test_a_slug_the_shipped_rules_know_is_scored_on_its_own_texts(staff, db):
    """On a database without the demo's channels, a new "ouvidoria" must not take the
    INPI's phrases; it is confidential, as an ombudsman's channel is."""
    channel = services.do_create_channel(
        actor=staff["manager"], slug="ouvidoria", name="Ouvidoria Municipal", kind="ombudsman",
        ideal_for=["reclamação sobre o atendimento"],
    )  # fmt: skip
    assert channel.rules_key == recommender.NO_RULES and channel.confidential
    assert "ouvidoria" not in services.cued_slugs()
    with pytest.raises(Exception, match="catalog.edit|permiss"):
        services.do_create_channel(actor=staff["agent"], slug="outro", name="Outro")
