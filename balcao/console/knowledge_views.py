"""Console pages of the knowledge base (/console/conhecimento/…): the article list and
editor, the editorial workflow, the gap inbox. Parse the request, call kb.services, render.

Staff pages live in the console app whatever part of the domain they edit (cases, the
channel catalogue, the knowledge base); an app keeps its models, services and public pages
(the FAQ stays in balcao.kb). Every page needs ``kb.edit`` and a verified second factor.
"""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from balcao.bot import services as bot_services
from balcao.console.decorators import staff_view
from balcao.console.knowledge_forms import ArticleForm, ResolveGapForm
from balcao.kb import services
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
    calibration = bot_services.get_bot().calibration  # placed on the published articles
    return render(
        request,
        "console/article_list.html",
        {
            "articles": articles[:300],
            "states": Article.State.choices,
            "state": state,
            "q": q,
            "open_gaps": open_gaps,
            "calibration": calibration,
            # shares as whole percentages, for the sentence that shows them
            "calibration_found": round(100 * (calibration.expected_in_scope or 0)),
            "calibration_refused": round(100 * (calibration.expected_refusal or 0)),
        },
    )


@staff_view("kb.edit")
def article_edit(request, pk: int | None = None):
    article = get_object_or_404(Article, pk=pk) if pk else Article(owner=request.user)
    initial = (
        {}
        if not article.pk
        else {
            "slug": article.slug,
            "language": article.language,
            "question": article.question,
            "answer": article.answer,
            "variants": article.variants,
            "tags": article.tags,
            "service": article.service,
        }
    )
    if article.pending:
        # The editor goes on from the proposal under review, not from the published text.
        proposal = article.pending
        initial.update(
            {k: proposal[k] for k in ("language", "question", "answer", "variants", "tags")}
        )
        initial["service"] = proposal.get("service_id")
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
            if article.pending:
                messages.success(
                    request,
                    _(
                        "Alteração enviada para revisão: o texto publicado continua no ar "
                        "até que ela seja aprovada."
                    ),
                )
            else:
                messages.success(
                    request, _("Artigo salvo (versão %(n)s).") % {"n": article.version}
                )
            return redirect("console:article_edit", pk=article.pk)
    transitions = sorted(services.TRANSITIONS.get(article.state, ())) if article.pk else []
    versions = list(article.versions.select_related("author")[:20]) if article.pk else []
    labels = dict(Article.State.choices)
    for version in versions:
        version.state_label = labels.get(version.state, version.state)
    return render(
        request,
        "console/article_edit.html",
        {
            "form": form,
            "article": article,
            "transitions": [(t, Article.State(t).label) for t in transitions],
            "versions": versions,
            "pending_changes": services.pending_changes(article) if article.pk else [],
        },
    )


@require_POST
@staff_view("kb.edit")
def article_review(request, pk: int):
    """Approve or reject the pending edit of a published article."""
    article = get_object_or_404(Article, pk=pk)
    approve = request.POST.get("decision") == "approve"
    try:
        article = services.do_review_pending(article, actor=request.user, approve=approve)
    except services.KbError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("Alteração aprovada e publicada (versão %(n)s).") % {"n": article.version}
            if approve
            else _("Alteração rejeitada: o texto publicado não mudou."),
        )
    return redirect("console:article_edit", pk=article.pk)


@require_POST
@staff_view("kb.edit")
def article_state(request, pk: int):
    article = get_object_or_404(Article, pk=pk)
    try:
        services.do_change_article_state(article, request.POST.get("state", ""), actor=request.user)
    except services.KbError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request, _("Situação do artigo: %(s)s.") % {"s": article.get_state_display()}
        )
    return redirect("console:article_edit", pk=article.pk)


@staff_view("kb.edit")
def gap_inbox(request):
    groups = list(
        GapGroup.objects.filter(status=GapGroup.Status.OPEN).prefetch_related("gaps")[:100]
    )
    # One form per group, each with its own element ids (labels must point at their field);
    # the article choices are read once for all of them.
    choices = list(ResolveGapForm().fields["add_variant_to"].choices)
    for group in groups:
        group.form = ResolveGapForm(
            auto_id=f"id_%s_{group.pk}", initial={"variant": group.representative}
        )
        group.form.fields["add_variant_to"].choices = choices
    return render(request, "console/gap_inbox.html", {"groups": groups})


@require_POST
@staff_view("kb.edit")
def gap_resolve(request, pk: int):
    group = get_object_or_404(GapGroup, pk=pk)
    form = ResolveGapForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Verifique o formulário."))
        return redirect("console:gap_inbox")
    data = form.cleaned_data
    try:
        article = services.do_resolve_gap_group(
            group,
            actor=request.user,
            add_variant_to=data["add_variant_to"],
            variant=data["variant"],
            new_question=data["new_question"],
            new_answer=data["new_answer"],
            publish=data["publish"],
        )
    except services.KbError as exc:
        messages.error(request, str(exc))
        return redirect("console:gap_inbox")
    messages.success(request, _("Lacuna tratada no artigo “%(q)s”.") % {"q": article.question})
    return redirect("console:gap_inbox")


@require_POST
@staff_view("kb.edit")
def gap_dismiss(request, pk: int):
    group = get_object_or_404(GapGroup, pk=pk)
    try:
        services.do_dismiss_gap_group(group, actor=request.user)
    except services.KbError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _(
                "Grupo descartado: perguntas parecidas continuam a ser recusadas pelo robô "
                "e não voltam à caixa."
            ),
        )
    return redirect("console:gap_inbox")
