"""Knowledge-base views: the staff editor and gap inbox, and the public FAQ."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from balcao import languages
from balcao.console.decorators import staff_view
from balcao.kb import services
from balcao.kb.forms import ArticleForm, ResolveGapForm
from balcao.kb.models import Article, GapGroup


@staff_view("kb.edit")
def article_list(request):
    articles = Article.objects.select_related("owner").order_by("state", "question")
    state = request.GET.get("state", "")
    if state in Article.State.values:
        articles = articles.filter(state=state)
    q = request.GET.get("q", "").strip()
    if q:
        articles = articles.filter(question__icontains=q)
    open_gaps = GapGroup.objects.filter(status=GapGroup.Status.OPEN).count()
    return render(request, "kb/article_list.html", {
        "articles": articles[:300], "states": Article.State.choices, "state": state, "q": q,
        "open_gaps": open_gaps})


@staff_view("kb.edit")
def article_edit(request, pk: int | None = None):
    article = get_object_or_404(Article, pk=pk) if pk else Article(owner=request.user)
    initial = {} if not article.pk else {
        "slug": article.slug, "language": article.language, "question": article.question,
        "answer": article.answer, "variants": article.variants, "tags": article.tags,
        "service": article.service}
    form = ArticleForm(request.POST or None, initial=initial, article=article)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        if not article.pk:
            article.slug = data["slug"]
        data.pop("slug")
        try:
            article = services.do_save_article(article, actor=request.user, **data)
        except services.KbError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Artigo salvo (versão %(n)s).") % {"n": article.version})
            return redirect("kb:article_edit", pk=article.pk)
    transitions = sorted(services.TRANSITIONS.get(article.state, ())) if article.pk else []
    return render(request, "kb/article_edit.html", {
        "form": form, "article": article,
        "transitions": [(t, Article.State(t).label) for t in transitions],
        "versions": article.versions.select_related("author")[:20] if article.pk else []})


@require_POST
@staff_view("kb.edit")
def article_state(request, pk: int):
    article = get_object_or_404(Article, pk=pk)
    try:
        services.do_change_article_state(article, request.POST.get("state", ""),
                                         actor=request.user)
    except (services.KbError, ValueError) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Situação do artigo: %(s)s.") % {
            "s": article.get_state_display()})
    return redirect("kb:article_edit", pk=article.pk)


@staff_view("kb.edit")
def gap_inbox(request):
    groups = GapGroup.objects.filter(status=GapGroup.Status.OPEN).prefetch_related("gaps")[:100]
    return render(request, "kb/gap_inbox.html", {"groups": groups, "form": ResolveGapForm()})


@require_POST
@staff_view("kb.edit")
def gap_resolve(request, pk: int):
    group = get_object_or_404(GapGroup, pk=pk)
    form = ResolveGapForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Verifique o formulário."))
        return redirect("kb:gap_inbox")
    data = form.cleaned_data
    try:
        article = services.do_resolve_gap_group(
            group, actor=request.user, add_variant_to=data["add_variant_to"],
            new_question=data["new_question"], new_answer=data["new_answer"],
            publish=data["publish"])
    except services.KbError as exc:
        messages.error(request, str(exc))
        return redirect("kb:gap_inbox")
    messages.success(request, _("Lacuna tratada no artigo “%(q)s”.") % {"q": article.question})
    return redirect("kb:gap_inbox")


# --- public FAQ ----------------------------------------------------------------------


def _faq_language() -> str:
    return languages.normalise_or_default(get_language())


def faq_list(request):
    from balcao.bot.services import get_bot

    language = _faq_language()
    q = request.GET.get("q", "").strip()[:200]
    articles = services.published_articles().filter(language=language)
    results = None
    if q:
        hits = get_bot().index.search(q, language, limit=10)
        by_slug = {a.slug: a for a in services.published_articles().filter(
            slug__in=[h.article.id for h in hits])}
        results = [by_slug[h.article.id] for h in hits if h.article.id in by_slug]
    return render(request, "kb/faq_list.html", {
        "articles": articles.order_by("question"), "results": results, "q": q})


def faq_detail(request, slug: str):
    article = services.published_articles().filter(slug=slug).first()
    if article is None:
        raise Http404
    voted = slug in request.session.get("kb_votes", [])
    return render(request, "kb/faq_detail.html", {"article": article, "voted": voted})


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
        services.do_record_vote(article, helpful == "yes",
                                address=request.META.get("REMOTE_ADDR", ""))
        request.session["kb_votes"] = [*votes, slug][-200:]
    messages.success(request, _("Obrigado pela avaliação!"))
    return redirect("kb:faq_detail", slug=slug)
