"""A channel added in the console (issue 20: "a new channel added in the console is recommended
sensibly without a code change")."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from balcao.catalog import recommender, roles, services
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


def _edit_form(client, slug: str, **changes) -> dict:
    """The edit page's form as it stands, with ``changes``, as the browser posts it."""
    form = client.get(f"/console/catalogo/{slug}/").context["form"].initial
    form.update(session_times="", entry_url="", **changes)
    return {k: v for k, v in form.items() if v is not None and v is not False}


def test_a_manager_changes_a_channels_kind_and_level_and_the_triage_follows(
    manager_client, staff, db
):
    """A channel typed with the wrong kind is put right in the console, not only by a new
    import: the role the triage reads from kind and level changes with it."""
    from balcao.catalog.models import Level

    services.load_demo_catalog()
    services.do_create_channel(
        actor=staff["manager"], slug="reclamacoes", name="Reclamações", kind="form",
        ideal_for=["reclamação sobre o atendimento recebido"],
    )  # fmt: skip
    info = services.channel_info(Channel.objects.get(slug="reclamacoes"))
    assert roles.role_of(info.kind, info.level) == "written"
    level = Level.objects.order_by("-number").first()
    response = manager_client.post(
        "/console/catalogo/reclamacoes/",
        _edit_form(manager_client, "reclamacoes", kind="ombudsman", level=level.pk),
    )
    assert response.status_code == 302
    channel = Channel.objects.get(slug="reclamacoes")
    assert (channel.kind, channel.level) == ("ombudsman", level)
    info = services.channel_info(channel)
    assert roles.role_of(info.kind, info.level) == "ombudsman"
    change = CatalogChange.objects.filter(object_key="reclamacoes").latest("pk")
    assert change.changes["kind"] == {"old": "form", "new": "ombudsman"}
    assert "level" in change.changes
    # an ombudsman's channel is confidential (Decreto 10.153/2019), the box left alone…
    assert channel.confidential
    # …until a manager unticks it on a later edit
    response = manager_client.post(
        "/console/catalogo/reclamacoes/", _edit_form(manager_client, "reclamacoes")
    )
    channel.refresh_from_db()
    assert response.status_code == 302 and channel.confidential
    form = _edit_form(manager_client, "reclamacoes")
    del form["confidential"]
    manager_client.post("/console/catalogo/reclamacoes/", form)
    channel.refresh_from_db()
    assert not channel.confidential


def test_the_live_chat_stays_the_one_live_chat(manager_client, staff, db):
    services.load_demo_catalog()
    live = Channel.objects.create(slug="chat", name="Chat", kind="chat")
    # the page shows its kind but does not take a new one
    response = manager_client.post(
        f"/console/catalogo/{live.slug}/",
        _edit_form(manager_client, live.slug, kind="form", name="Chat ao vivo"),
    )
    assert response.status_code == 302
    live.refresh_from_db()
    assert (live.kind, live.automated, live.name) == ("chat", False, "Chat ao vivo")
    with pytest.raises(ValidationError):
        services.do_update_channel(live, actor=staff["manager"], kind="form")
    # nor does another channel become a second one, here or when added
    form = Channel.objects.get(slug="fale-conosco")
    response = manager_client.post(
        "/console/catalogo/fale-conosco/", _edit_form(manager_client, "fale-conosco", kind="chat")
    )
    assert response.status_code == 200 and "já existe" in response.content.decode()
    form.refresh_from_db()
    assert form.kind != "chat"
    response = manager_client.post("/console/catalogo/novo/", {**NEW, "kind": "chat"})
    assert response.status_code == 200 and not Channel.objects.filter(slug="libras").exists()


def test_a_channel_that_becomes_a_chatbot_takes_the_chats_workflow(staff, db):
    services.load_demo_catalog()
    channel = Channel.objects.get(slug="fale-conosco")
    assert channel.workflow.slug == "helpdesk"
    services.do_update_channel(channel, actor=staff["manager"], kind="chat", automated=True)
    channel.refresh_from_db()
    assert channel.workflow.slug == "chat"
    services.do_update_channel(channel, actor=staff["manager"], kind="email")
    channel.refresh_from_db()
    # no longer a chat, so no longer automated (the portal would call it "100% automatizado")
    assert channel.workflow.slug == "helpdesk" and not channel.automated


def test_a_new_ombudsman_channel_added_in_the_console_is_confidential(manager_client, db):
    services.load_demo_catalog()
    response = manager_client.post(
        "/console/catalogo/novo/", {**NEW, "slug": "ouvidoria-geral", "kind": "ombudsman"}
    )
    assert response.status_code == 302
    assert Channel.objects.get(slug="ouvidoria-geral").confidential
    manager_client.post("/console/catalogo/novo/", NEW)
    assert not Channel.objects.get(slug="libras").confidential
