"""Templates kept once per language, with what cannot change within it written out.

Django's cached loader compiles a template once per process, and every render then walks
each ``{% translate "…" %}``, ``{% url 'name' %}`` and ``{% static '…' %}`` again: the
catalogue is asked through the active language's thread-local, the URL reversed, the
static manifest read, the result escaped — the same answer each time for a given
language. The console's work queue, which an agent reloads all day, carries about sixty
such tags through its layout, and they were 15 % of the page's CPU (in process, 1 M cases,
``tests/bench/bench_cases.py``; issue 19's target of p95 < 50 ms at 10 clients is bound
by that CPU).

:class:`Loader` keeps one compiled copy of each template per active language (and script
prefix), and in that copy replaces every such tag whose arguments are literals by its text,
merged with the text around it. Anything that depends on the render's context is left as
it was: a tag with a variable, ``as``, arguments or a filter; anything inside ``{% language
%}`` (another language) or ``{% autoescape %}`` (another escaping). A tag that fails when
written out (a static file missing from the manifest) is left to fail at render, where
Django reports it.
"""

from __future__ import annotations

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template import Context
from django.template.base import Node, NodeList, TextNode, Variable
from django.template.defaulttags import AutoEscapeControlNode, IfNode, URLNode
from django.template.loaders import base, cached
from django.templatetags.i18n import LanguageNode, TranslateNode
from django.templatetags.static import StaticNode
from django.urls import get_script_prefix, get_urlconf
from django.utils import translation

# Nodes whose insides render under other rules than the template's: left untouched.
KEEP_INSIDE = (AutoEscapeControlNode, LanguageNode)

# Settings whose change alters what the written-out tags say (tests change them).
AFFECTING = {"ROOT_URLCONF", "STATIC_URL", "STORAGES", "LANGUAGES", "LANGUAGE_CODE"}


class _Folding(base.Loader):
    """Between the cached loader and the compiling one: fold each freshly compiled
    template before the cache keeps it, so no render ever sees it half folded."""

    def get_template(self, template_name, skip=None):
        template = super().get_template(template_name, skip)
        template.nodelist = fold(template.nodelist)
        return template


class Loader(cached.Loader, _Folding):
    """Django's cached loader, keyed also by the active language, script prefix and
    URLconf, whose templates are folded (:func:`fold`) under that language."""

    def cache_key(self, template_name, skip=None):
        return "|".join(
            (
                super().cache_key(template_name, skip),
                translation.get_language() or "",
                get_script_prefix(),
                str(get_urlconf() or ""),
            )
        )


def fold(nodelist: NodeList) -> NodeList:
    """A copy of ``nodelist`` with its constant tags written out as text (in the active
    language) and adjacent text merged; container nodes are kept, and their own lists
    replaced by folded copies (``{% extends %}`` finds its blocks by the node objects)."""
    folded = NodeList()
    for node in nodelist:
        node = _folded_node(node)
        if isinstance(node, TextNode) and folded and isinstance(folded[-1], TextNode):
            folded[-1] = _text(folded[-1].s + node.s, like=folded[-1])
        else:
            folded.append(node)
    folded.contains_nontext = any(not isinstance(node, TextNode) for node in folded)
    return folded


def _folded_node(node: Node) -> Node:
    text = _constant_text(node)
    if text is not None:
        return _text(text, like=node)
    if isinstance(node, KEEP_INSIDE):
        return node
    if isinstance(node, IfNode):
        node.conditions_nodelists = [
            (condition, fold(nodelist)) for condition, nodelist in node.conditions_nodelists
        ]
        return node
    for attr in node.child_nodelists:
        inner = getattr(node, attr, None)
        if isinstance(inner, NodeList):
            setattr(node, attr, fold(inner))
    return node


def _constant_text(node: Node) -> str | None:
    """What ``node`` renders to, when that depends on nothing but the language."""
    if isinstance(node, TranslateNode):
        constant = (
            node.asvar is None
            and _literal(node.filter_expression)
            and (node.message_context is None or _literal(node.message_context))
        )
    elif isinstance(node, URLNode):
        constant = (
            node.asvar is None and not node.args and not node.kwargs and _literal(node.view_name)
        )
    elif isinstance(node, StaticNode):
        constant = node.varname is None and _literal(node.path)
    else:
        return None
    if not constant:
        return None
    try:
        return str(node.render(Context(autoescape=True)))
    except Exception:  # noqa: BLE001 — left to fail at render, where Django reports it
        return None


def _literal(expression) -> bool:
    var = expression.var
    return not expression.filters and (
        not isinstance(var, Variable) or var.literal is not None and not var.lookups
    )


def _text(s: str, *, like: Node) -> TextNode:
    text = TextNode(s)
    text.origin, text.token = getattr(like, "origin", None), getattr(like, "token", None)
    return text


@receiver(setting_changed)
def _forget_folded(*, setting, **kwargs):
    if setting in AFFECTING:
        from django.template.autoreload import reset_loaders

        reset_loaders()
