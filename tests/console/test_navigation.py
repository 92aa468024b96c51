"""The console's menu (balcao.console.navigation): each role sees the entries its capabilities
allow — the same ones the template's ``{% if caps.… %}`` showed — in the person's language."""

import re

import pytest
from django.conf import settings
from django.urls import reverse

from balcao.accounts.roles import ROLES, has_capability
from balcao.console.navigation import MENU

pytestmark = pytest.mark.django_db

NAV = re.compile(r'<nav class="console-nav"[^>]*>(.*?)</nav>', re.S)


def menu_links(html: str) -> list[str]:
    return re.findall(r'<a href="([^"]+)"', NAV.search(html).group(1))


def expected_links(user) -> list[str]:
    return [
        reverse(entry.url_name) + entry.query
        for entry in MENU
        if not entry.any_of or any(has_capability(user, c) for c in entry.any_of)
    ]


@pytest.mark.parametrize("role", ROLES)
def test_each_role_sees_the_entries_its_capabilities_allow(role, staff, verified_client):
    user = staff[role]
    page = "/console/" if has_capability(user, "cases.view") else reverse("console:article_list")
    html = verified_client(user).get(page).content.decode()
    assert menu_links(html) == expected_links(user)


def test_roles_are_not_mixed_up_by_the_kept_menus(staff, verified_client):
    agent = verified_client(staff["agent"]).get("/console/").content.decode()
    admin = verified_client(staff["admin"]).get("/console/").content.decode()
    again = verified_client(staff["agent"]).get("/console/").content.decode()
    assert reverse("console:audit_log") in menu_links(admin)
    assert reverse("console:audit_log") not in menu_links(agent)
    assert menu_links(again) == menu_links(agent)


@pytest.mark.parametrize(
    ("prefix", "label"),
    [("", "Prazo vencido"), ("/pt-pt", "Prazo ultrapassado"), ("/en", "Deadline passed")],
)
def test_the_menu_is_in_the_persons_language(prefix, label, staff, verified_client):
    client = verified_client(staff["supervisor"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "pt-br"
    for _ in range(2):  # written once, then kept: the kept one is in the same language
        nav = NAV.search(client.get(f"{prefix}/console/").content.decode()).group(1)
        assert f'<a href="{prefix}/console/?view=vencidos">{label}</a>' in nav
