"""balcao.template_loaders: one copy of each template per language, with its constant
{% translate %}, {% url %} and {% static %} written out — and every page the same as
Django's own cached loader writes it."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.template import Context, Engine
from django.templatetags.i18n import TranslateNode
from django.test import override_settings
from django.utils import translation

from balcao.cases import services

TEMPLATES = {
    "base.html": (
        "{% load i18n static %}<title>{% block title %}{% translate 'Início' %}{% endblock %}"
        "</title><a href=\"{% url 'portal:home' %}\">{% translate 'Início' %}</a>"
        "<link href=\"{% static 'balcao/balcao.css' %}\">"
        "{% block content %}{% endblock %}"
    ),
    "page.html": (
        "{% extends 'base.html' %}{% load i18n %}"
        "{% block title %}{% translate 'Atendimentos' %}{% endblock %}"
        "{% block content %}"
        # literals, each written out
        "{% translate 'Acompanhar atendimento' %}|{% translate 'Sair' context 'console' %}|"
        "{% translate 'Fechar' noop %}|"
        "{% if show %}{% translate 'Próxima página' %}{% else %}-{% endif %}|"
        "{% for x in items %}{% translate 'Marcar' %}{{ x }}{% empty %}0{% endfor %}|"
        # what depends on the render, kept
        "{% translate label %}|{% translate 'Sair' as out %}{{ out }}|{% url view_name %}|"
        "{% url 'console:case_detail' 7 %}|{% translate 'Sair'|upper %}|"
        "{% language 'en' %}{% translate 'Sair' %}{% endlanguage %}|"
        "{% autoescape off %}{% translate 'Fechar' %}{% endautoescape %}|"
        "{% include 'part.html' %}"
        "{% endblock %}"
    ),
    "part.html": "{% load i18n %}<p>{% translate 'Enviar resposta' %}</p>",
}
LIBRARIES = {"i18n": "django.templatetags.i18n", "static": "django.templatetags.static"}
CONTEXT = {
    "show": True,
    "items": ["a", "<b>"],
    "label": "Situação",
    "view_name": "portal:faq_list",
}


def _engine(loader: str) -> Engine:
    return Engine(
        loaders=[(loader, [("django.template.loaders.locmem.Loader", TEMPLATES)])],
        libraries=LIBRARIES,
    )


def _translate_nodes(template) -> int:
    return len(template.template.nodelist.get_nodes_by_type(TranslateNode))


@pytest.mark.parametrize("language", ["pt-br", "pt-pt", "en"])
def test_a_folded_template_renders_as_djangos(language):
    folded, plain = (
        _engine("balcao.template_loaders.Loader"),
        _engine("django.template.loaders.cached.Loader"),
    )
    with translation.override(language):
        ours = folded.get_template("page.html").render(Context(CONTEXT))
        theirs = plain.get_template("page.html").render(Context(CONTEXT))
    assert ours == theirs
    assert "/static/" in ours or "balcao.css" in ours
    # The constant tags are gone from the folded copy, the ones that depend on the render
    # stay: a variable, ``as``, a filter, {% language %}, {% autoescape off %}.
    with translation.override(language):
        kept = folded.get_template("page.html").nodelist.get_nodes_by_type(TranslateNode)
        before = plain.get_template("page.html").nodelist.get_nodes_by_type(TranslateNode)
    assert len(kept) == 5
    assert len(before) == 11


def test_each_language_has_its_own_copy():
    engine = _engine("balcao.template_loaders.Loader")
    with translation.override("pt-br"):
        brazilian = engine.get_template("part.html").render(Context())
    with translation.override("en"):
        english = engine.get_template("part.html").render(Context())
    with translation.override("pt-br"):
        again = engine.get_template("part.html").render(Context())
    assert brazilian == again == "<p>Enviar resposta</p>"
    assert english == "<p>Send reply</p>"


def test_a_static_file_missing_from_the_manifest_still_fails_at_render():
    engine = Engine(
        loaders=[
            (
                "balcao.template_loaders.Loader",
                [
                    (
                        "django.template.loaders.locmem.Loader",
                        {"x.html": "{% load static %}{% static 'no/such/file.css' %}"},
                    )
                ],
            )
        ],
        libraries=LIBRARIES,
    )
    with override_settings(
        STORAGES={
            **settings.STORAGES,
            "staticfiles": {
                "BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"
            },
        }
    ):
        template = engine.get_template("x.html")  # loading does not fail…
        with pytest.raises(ValueError, match="no/such/file.css"):
            template.render(Context())  # …the render does, as with Django's loader


# --- the site's own pages, written the same either way --------------------------------

PLAIN = [
    {
        **settings.TEMPLATES[0],
        "OPTIONS": {
            **settings.TEMPLATES[0]["OPTIONS"],
            "loaders": [
                (
                    "django.template.loaders.cached.Loader",
                    [
                        "django.template.loaders.filesystem.Loader",
                        "django.template.loaders.app_directories.Loader",
                    ],
                )
            ],
        },
    }
]
# What differs between two renders of one page whatever the loader.
VARYING = re.compile(r'(csrfmiddlewaretoken" value="|nonce="|csrf-token" content=")[^"]*')


def _pages(client, paths):
    return [VARYING.sub(r"\1…", client.get(path).content.decode()) for path in paths]


@pytest.mark.django_db
def test_the_portal_and_console_pages_are_written_the_same(open_case, staff, verified_client):
    case = open_case()
    services.do_add_message(case, body="Resposta <b>pública</b>", actor=staff["supervisor"])
    client = verified_client(staff["supervisor"])
    paths = [
        f"{prefix}{page}"
        for prefix in ("", "/pt-pt", "/en")
        for page in (
            "/",
            "/encontre-o-atendimento/",
            "/console/",
            "/console/?view=todos",
            f"/console/atendimentos/{case.pk}/",
        )
    ]
    ours = _pages(client, paths)
    with override_settings(TEMPLATES=PLAIN):
        theirs = _pages(client, paths)
    for path, mine, django in zip(paths, ours, theirs, strict=True):
        assert mine == django, path
    assert "Send reply" in ours[-1]
