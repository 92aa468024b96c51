"""The public site: home (five levels and channel cards), triage, channel forms,
confirmation and the channels reached by appointment. Views parse and check the request and call
``portal.services`` / ``catalog.services``."""

from django.db import connection
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods, require_POST

from balcao.cases import intake
from balcao.catalog import recommender
from balcao.catalog import services as catalog
from balcao.catalog.models import Channel
from balcao.client import client_address
from balcao.portal import services
from balcao.portal.forms import ManifestationForm, PublicCaseForm, TriageForm


def health(request):
    """Liveness and database check for load balancers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def home(request):
    language = services.current_language()
    return render(
        request,
        "portal/home.html",
        {
            "texts": services.portal_texts(language),
            "catalogue": mark_safe(services.home_catalogue_html(language)),  # noqa: S308
        },
    )


def _triage_result(result: dict, language: str) -> dict:
    """The recommended channel and the alternative as cards, plus the explanation."""
    slugs = [s for s in (result["channel"], result["alternative"]) if s]
    channels = {
        c.slug: c
        for c in Channel.objects.filter(slug__in=slugs, active=True).select_related("calendar")
    }
    recommended = channels.get(result["channel"])
    alternative = channels.get(result["alternative"] or "")
    return {
        "merit": result["channel"] == recommender.MERIT_NOT_DISCUSSED,
        "why": result["why"],
        "recommended": services.channel_card(recommended, language) if recommended else None,
        "alternative": services.channel_card(alternative, language) if alternative else None,
        "token": result.get("outcome", ""),
    }


@require_http_methods(["GET", "POST"])
def triage(request):
    """ "Encontre o atendimento certo": free text or a common subject, two optional questions,
    then the recommendation, one alternative and why. htmx swaps the result in place; without
    JavaScript the same page comes back with the result."""
    language = services.current_language()
    result = None
    if request.method == "POST":
        form = TriageForm(request.POST, language=language)
        if form.is_valid():
            try:
                raw = catalog.triage(
                    form.cleaned_data["need"],
                    language,
                    form.answers(),
                    record=True,
                    share=form.cleaned_data["share"] and bool(form.cleaned_data.get("text")),
                    source="portal",
                )
            except recommender.TriageInputError as exc:
                form.add_error(None, str(exc))
            else:
                result = _triage_result(raw, language)
    else:
        form = TriageForm(initial={"text": request.GET.get("q", "")[:2000]}, language=language)
    context = {"form": form, "result": result, "texts": services.portal_texts(language)}
    if request.headers.get("HX-Request") and request.method == "POST":
        # htmx swaps only 2xx responses: the errors come back as a 200 fragment.
        return render(request, "portal/_triage_result.html", context)
    return render(
        request,
        "portal/triage.html",
        context,
        status=200 if request.method == "GET" or form.is_valid() else 422,
    )


@require_POST
def triage_choose(request):
    """The person follows a recommendation: record the choice (anonymous), then go there."""
    channel = get_object_or_404(Channel, slug=request.POST.get("channel", ""), active=True)
    services.do_record_choice(request.POST.get("outcome", ""), channel.slug)
    return HttpResponseRedirect(services.entry_href(channel))


def _form_channel(slug: str) -> Channel:
    channel = get_object_or_404(Channel.objects.select_related("calendar"), slug=slug, active=True)
    if channel.entry != Channel.Entry.FORM:
        raise Http404
    return channel


@require_http_methods(["GET", "POST"])
def channel_form(request, slug):
    """The public form of a channel whose entry point is a form (Fale Conosco, Comex
    Responde, …): opens a case and shows the protocol number and the due date."""
    channel = _form_channel(slug)
    language = services.current_language()
    card = services.channel_card(channel, language)
    status = 200
    limited = None
    form_class = ManifestationForm if channel.confidential else PublicCaseForm
    if request.method == "POST":
        form = form_class(request.POST, request.FILES, channel=channel, language=language)
        ip = client_address(request)
        try:
            intake.check_rate(ip)
        except intake.RateLimited as exc:
            limited = exc.retry_minutes
            status = 429
        else:
            if form.is_bot:
                intake.count_submission(ip)
                form.add_error(
                    None,
                    gettext(
                        "Não foi possível enviar o formulário. Se você é uma pessoa, deixe em "
                        "branco o campo “Não preencha este campo” e envie de novo."
                    ),
                )
                status = 400
            elif form.is_valid() and channel.confidential:
                case = _file_manifestation(form.cleaned_data)
                intake.count_submission(ip)
                return HttpResponseRedirect(
                    reverse(
                        "portal:confirmation",
                        args=[channel.slug, services.confirmation_token(case)],
                    )
                )
            elif form.is_valid():
                data = form.cleaned_data
                case = services.do_open_public_case(
                    channel=channel,
                    name=data["name"],
                    email=data["email"],
                    cpf=data["cpf"],
                    service=data["service"],
                    subject=data["subject"],
                    description=data["description"],
                    attachment=data["attachment"],
                    language=language,
                )
                intake.count_submission(ip)
                return HttpResponseRedirect(
                    reverse(
                        "portal:confirmation",
                        args=[channel.slug, services.confirmation_token(case)],
                    )
                )
            else:
                status = 400
    else:
        form = form_class(channel=channel, language=language)
    return render(
        request,
        "portal/channel_form.html",
        {"channel": card, "form": form, "limited": limited},
        status=status,
    )


def _file_manifestation(data: dict):
    """The ombudsman's form goes through the same service as the public API."""
    from balcao.cases.models import Message
    from balcao.cases.services import do_add_message
    from balcao.ombudsman import services as ombudsman

    filed = ombudsman.do_file_manifestation(
        {
            "type": data["kind"],
            "identity": data["identity"],
            "subject": data["subject"],
            "description": data["description"],
            "requester": {"name": data["name"], "email": data["email"], "cpf": data["cpf"]},
        }
    )
    if data["attachment"] is not None:
        do_add_message(
            filed.case,
            gettext("Anexo enviado com o formulário."),
            author_kind=Message.Author.REQUESTER,
            files=[data["attachment"]],
        )
    return filed.case


def confirmation(request, slug, token):
    case = services.case_from_confirmation(token)
    if case is None or case.channel.slug != slug:
        raise Http404
    language = services.current_language()
    return render(
        request,
        "portal/confirmation.html",
        {
            "case": case,
            "channel_name": case.channel.text("name", language),
            "due": services.format_due(case.due_at),
            "deadline_text": case.channel.text("deadline_text", language),
            "anonymous": getattr(getattr(case, "manifestation", None), "identity", "")
            == "anonymous",
        },
    )


@require_http_methods(["GET", "POST"])
def scheduling(request, slug):
    """Channels reached by appointment (issue 25): Conecta Todos's open sessions and sign-up
    (``scheduling.portal``); the (tele)presential service's request form, art. 34
    (``scheduling.presential_views``), which then sends the person to the protocol page."""
    from balcao.scheduling import portal as open_sessions
    from balcao.scheduling import presential_views
    from balcao.scheduling.services import is_open_sessions_channel

    channel = get_object_or_404(Channel.objects.select_related("calendar"), slug=slug, active=True)
    if channel.entry != Channel.Entry.SCHEDULING:
        raise Http404
    language = services.current_language()
    card = services.channel_card(channel, language)
    if is_open_sessions_channel(channel):
        return open_sessions.open_sessions_page(request, channel, card)

    def confirmation_url(case) -> str:
        return reverse(
            "portal:confirmation", args=[channel.slug, services.confirmation_token(case)]
        )

    return presential_views.request_page(request, channel, card, confirmation_url)
