"""The demo has a live chat with people (issue 24: it works from ``make run`` with no flag),
and the triage still only knows the INPI catalogue (../shared/contracts/triage.md)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_live_chat_the_triage_never_recommends():
    from balcao.catalog import services as catalog_services
    from balcao.demo.services import LIVE_CHAT_SLUG, load_demo
    from balcao.livechat import portal as chat_portal

    load_demo(cases=0)
    channel = chat_portal.chat_channel()
    assert channel is not None and channel.slug == LIVE_CHAT_SLUG
    assert channel.calendar is not None  # staffed hours: Chat Off-Line outside them
    assert channel.max_attachment_bytes == 2 * 1024 * 1024  # seed 004's 2 MB
    slugs = {info.slug for info in catalog_services.active_channel_infos()}
    assert LIVE_CHAT_SLUG not in slugs
    assert {"chatbot", "fale-conosco", "ouvidoria", "sic"} <= slugs
    load_demo(cases=0)  # again: nothing doubled
    from balcao.catalog.models import Channel

    assert Channel.objects.filter(slug=LIVE_CHAT_SLUG).count() == 1


def test_its_button_is_on_the_portal_and_its_entry_is_the_live_chat(client):
    """Not a card among the five levels of seed 000 (it is none of the INPI's channels): the
    button on every page of the portal, and where its entry leads."""
    from django.urls import reverse

    from balcao.catalog.models import Channel
    from balcao.demo.services import LIVE_CHAT_SLUG, load_demo
    from balcao.portal import context_processors
    from balcao.portal.services import entry_href

    load_demo(cases=0)
    context_processors._live_chat[:] = [None, 0.0]
    try:
        assert "balcao/chat-widget.js" in client.get("/").content.decode()
    finally:
        context_processors._live_chat[:] = [None, 0.0]  # the next test's database has none
    channel = Channel.objects.get(slug=LIVE_CHAT_SLUG)
    assert entry_href(channel) == reverse("portal:chat_new")
    assert entry_href(Channel.objects.get(slug="chatbot")) != reverse("portal:chat_new")


def test_the_demo_adds_no_second_live_chat_beside_the_agencys(staff):
    """An agency that added its own live chat and then loads the demo keeps one live chat."""
    from balcao.catalog import services as catalog_services
    from balcao.catalog.models import Channel
    from balcao.demo.services import LIVE_CHAT_SLUG, load_demo

    catalog_services.do_create_channel(
        actor=staff["manager"], slug="chat-proprio", name="Chat", kind="chat", automated=False
    )
    load_demo(cases=0)
    live = Channel.objects.filter(kind="chat", automated=False)
    assert list(live.values_list("slug", flat=True)) == ["chat-proprio"]
    assert not Channel.objects.filter(slug=LIVE_CHAT_SLUG).exists()
    assert catalog_services.the_live_chat().slug == "chat-proprio"
