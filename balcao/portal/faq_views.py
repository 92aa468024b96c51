"""The public FAQ: published articles, searched with the chatbot's retriever, and "Was this
helpful?". Pages for the public are the portal's; the knowledge base (balcao.kb) keeps the
articles and their rules, the console its staff pages (console/knowledge_views.py)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from balcao import languages
from balcao.bot.services import get_bot
from balcao.client import client_address
from balcao.kb import services


def _faq_language() -> str:
    return languages.normalise_or_default(get_language())


def faq_list(request):
    language = _faq_language()
    q = request.GET.get("q", "").strip()[:200]
    articles = services.published_articles().filter(language=language)
    results = None
    if q:
        hits = get_bot().index.search(q, language, limit=10)
        by_slug = {
            a.slug: a
            for a in services.published_articles().filter(slug__in=[h.article.id for h in hits])
        }
        results = [by_slug[h.article.id] for h in hits if h.article.id in by_slug]
    return render(
        request,
        "portal/faq_list.html",
        {"articles": articles.order_by("question"), "results": results, "q": q},
    )


def faq_detail(request, slug: str):
    article = services.published_articles().filter(slug=slug).first()
    if article is None:
        raise Http404
    voted = slug in request.session.get("kb_votes", [])
    return render(request, "portal/faq_detail.html", {"article": article, "voted": voted})


@require_POST
def faq_feedback(request, slug: str):
    """“Was this helpful?”: one vote per article per browser session and per client
    address within a window (services.do_record_vote); anything but yes/no is ignored."""
    article = services.published_articles().filter(slug=slug).first()
    if article is None:
        raise Http404
    votes = request.session.get("kb_votes", [])
    helpful = request.POST.get("helpful")
    if slug not in votes and helpful in {"yes", "no"}:
        services.do_record_vote(
            article, helpful == "yes", address=client_address(request, default="")
        )
        request.session["kb_votes"] = [*votes, slug][-200:]
    messages.success(request, _("Obrigado pela avaliação!"))
    return redirect("portal:faq_detail", slug=slug)
