"""The contact centre's administration in the console (issue 23): the phone lines and their
messages, the call recordings (player, monthly sample), the callback requests, the
occurrences that affected the service and the suggestions of improvement. Parse the
request, call ``balcao.telephony.administration`` / ``recordings``, render.
"""

from __future__ import annotations

import re
import time
from datetime import date, datetime, timedelta

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.core.validators import RegexValidator
from django.db.models import Q
from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from balcao.accounts.roles import has_capability
from balcao.audit import services as audit
from balcao.catalog.models import Channel
from balcao.console.decorators import staff_view
from balcao.deadlines.models import Calendar
from balcao.errors import Refused
from balcao.telephony import administration, lines, recordings
from balcao.telephony.models import CallbackRequest, Line, Occurrence, Recording, Suggestion

MONTH = RegexValidator(r"^\d{4}-(0[1-9]|1[0-2])$", gettext_lazy("Informe o mês como AAAA-MM."))
LANGUAGE_LABELS = {"pt-br": "pt-BR", "pt-pt": "pt-PT", "en": "en"}
MESSAGE_LABELS = {
    "after_hours": gettext_lazy("Mensagem fora do horário (%(language)s)"),
    "on_hold": gettext_lazy("Mensagem de espera na fila (%(language)s)"),
}
RECORDINGS_PER_PAGE = 50
CALLBACKS_SHOWN = 100
#: A Range request past the start of a recording whose play was logged this long ago in
#: the same session continues that play (the browser seeking); anything else is a new play.
PLAY_WINDOW_SECONDS = 30 * 60
PLAYS_SESSION_KEY = "telephony_recording_plays"
CHUNK = 64 * 1024


def month_field(label, **kwargs) -> forms.CharField:
    return forms.CharField(
        label=label,
        validators=[MONTH],
        widget=forms.TextInput(attrs={"type": "month", "placeholder": "AAAA-MM"}),
        **kwargs,
    )


def month_bounds(value: str | None):
    """The first day of the month ``value`` ("2026-12") and of the next one; the current
    local month when ``value`` is empty or not a month."""
    if value and re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", value):
        year, month = int(value[:4]), int(value[5:])
    else:
        today = timezone.localdate()
        year, month = today.year, today.month
    return date(year, month, 1), date(year + month // 12, month % 12 + 1, 1)


# --- lines ------------------------------------------------------------------------------


class LineForm(forms.ModelForm):
    """A line as the PBX knows it and what its callers hear, per language."""

    class Meta:
        model = Line
        fields = ["slug", "name", "queue", "country", "calendar", "channel", "active"]
        labels = {
            "slug": gettext_lazy("Identificador (enviado pelo PBX)"),
            "calendar": gettext_lazy("Calendário"),
            "channel": gettext_lazy("Canal dos atendimentos abertos das chamadas"),
        }
        help_texts = {
            "queue": gettext_lazy("O nome da fila no Asterisk, por exemplo suporte."),
            "country": gettext_lazy("Código de duas letras (PT, BR): o calendário nacional "
                                    "usado quando nenhum calendário é escolhido."),
        }  # fmt: skip

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "linha-%s")
        super().__init__(*args, **kwargs)
        self.fields["calendar"].queryset = Calendar.objects.order_by("name")
        self.fields["calendar"].empty_label = _("Calendário nacional do país")
        self.fields["channel"].queryset = Channel.objects.filter(
            active=True, confidential=False
        ).order_by("order", "name")
        self.fields["channel"].empty_label = _("Um canal do tipo Telefone, senão o do e-mail")
        current = (self.instance.messages or {}) if self.instance.pk else {}
        for kind, label in MESSAGE_LABELS.items():
            for language, shown in LANGUAGE_LABELS.items():
                texts = current.get(kind) if isinstance(current.get(kind), dict) else {}
                self.fields[self.message_field(kind, language)] = forms.CharField(
                    label=label % {"language": shown},
                    required=False,
                    max_length=2000,
                    initial=texts.get(language, ""),
                    widget=forms.Textarea(attrs={"rows": 3}),
                )

    @staticmethod
    def message_field(kind: str, language: str) -> str:
        return f"{kind}_{language.replace('-', '_')}"

    def clean_country(self):
        country = self.cleaned_data["country"].strip().upper()
        if not re.fullmatch(r"[A-Z]{2}", country):
            raise forms.ValidationError(_("Informe o código do país com duas letras."))
        return country

    def texts(self) -> dict[str, dict[str, str]]:
        return {
            kind: {
                language: self.cleaned_data[self.message_field(kind, language)]
                for language in LANGUAGE_LABELS
            }
            for kind in MESSAGE_LABELS
        }

    def message_fields(self):
        return [self[name] for name in self.fields if name.startswith(tuple(MESSAGE_LABELS))]

    def line_fields(self):
        return [self[name] for name in self._meta.fields]


def _open_preview(line: Line) -> dict | None:
    try:
        return lines.open_now(line)
    except Exception:  # noqa: BLE001 — a broken calendar must not hide the page
        return None


@staff_view("telephony.manage")
def line_list(request):
    rows = [
        {"line": line, "now": _open_preview(line)}
        for line in Line.objects.select_related("calendar").order_by("name")
    ]
    return render(request, "console/telephony_admin/line_list.html", {"rows": rows})


@staff_view("telephony.manage")
def line_edit(request, pk: int | None = None):
    line = get_object_or_404(Line, pk=pk) if pk else None
    form = LineForm(request.POST or None, instance=line)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            saved = administration.do_save_line(
                request.user, form.instance, form.cleaned_data, form.texts()
            )
            messages.success(request, _("Linha salva."))
            return redirect("console:telephony_line_edit", pk=saved.pk)
        status = 400
    if line is not None:
        line.refresh_from_db()  # the preview shows what is saved, not what was typed
    context = {"form": form, "line": line, "now": _open_preview(line) if line else None}
    return render(request, "console/telephony_admin/line_edit.html", context, status=status)


# --- recordings -------------------------------------------------------------------------


class RecordingFilter(forms.Form):
    de = forms.DateField(
        label=gettext_lazy("De"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    ate = forms.DateField(
        label=gettext_lazy("Até"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    operador = forms.CharField(label=gettext_lazy("Operador"), required=False, max_length=200)
    fila = forms.CharField(label=gettext_lazy("Fila"), required=False, max_length=80)
    amostra = month_field(gettext_lazy("Amostra do mês"), required=False)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "filtro-%s")
        super().__init__(*args, **kwargs)


class SampleForm(forms.Form):
    mes = month_field(
        gettext_lazy("Mês da amostra"),
        help_text=gettext_lazy(
            "Marca 1 % das chamadas recebidas no mês, no máximo 20, para a verificação "
            "do serviço. Fazer de novo marca as mesmas."
        ),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "amostra-%s")
        super().__init__(*args, **kwargs)


def _recordings_page(request, sample_form: SampleForm, status: int = 200):
    filters = RecordingFilter(request.GET or None)
    found = Recording.objects.select_related("call")
    if filters.is_valid():
        data = filters.cleaned_data
        if data["de"]:
            found = found.filter(received_at__date__gte=data["de"])
        if data["ate"]:
            found = found.filter(received_at__date__lte=data["ate"])
        if data["operador"]:
            found = found.filter(call__agent__icontains=data["operador"])
        if data["fila"]:
            found = found.filter(call__queue__icontains=data["fila"])
        if data["amostra"]:
            found = found.filter(sampled_for=data["amostra"])
    page = Paginator(found.order_by("-received_at", "-pk"), RECORDINGS_PER_PAGE).get_page(
        request.GET.get("pagina")
    )
    query = request.GET.copy()
    query.pop("pagina", None)
    context = {
        "filters": filters,
        "page": page,
        "query": query.urlencode(),
        "sample_form": sample_form,
    }
    return render(request, "console/telephony_admin/recording_list.html", context, status=status)


@staff_view("reports.view")
def recording_list(request):
    last_month = timezone.localdate().replace(day=1) - timedelta(days=1)
    return _recordings_page(request, SampleForm(initial={"mes": f"{last_month:%Y-%m}"}))


@require_POST
@staff_view("reports.view")
def recording_sample(request):
    form = SampleForm(request.POST)
    if not form.is_valid():
        return _recordings_page(request, form, status=400)
    month = form.cleaned_data["mes"]
    chosen = recordings.sample_month(int(month[:4]), int(month[5:]))
    recordings.audit_log.info(
        "recording sample: month=%s count=%s user=%s", month, len(chosen), request.user.pk
    )
    messages.success(
        request,
        _("%(count)s gravações marcadas na amostra de %(month)s.")
        % {"count": len(chosen), "month": month},
    )
    return redirect(f"{reverse('console:telephony_recordings')}?amostra={month}")


def parse_range(header: str | None, size: int):
    """The first and last byte (inclusive) a ``Range: bytes=…`` header asks for; None when
    there is none or it is not one simple range (the whole file is sent); ``False`` when
    it lies past the end of the file (416)."""
    found = re.fullmatch(r"\s*bytes=(\d*)-(\d*)\s*", header or "")
    if not found or not (found[1] or found[2]):
        return None
    if not found[1]:
        length = int(found[2])
        if length == 0 or size == 0:
            return False
        return max(0, size - length), size - 1
    start = int(found[1])
    end = min(int(found[2]), size - 1) if found[2] else size - 1
    if start >= size or end < start:
        return False
    return start, end


def _file_part(handle, start: int, length: int):
    try:
        handle.seek(start)
        while length > 0:
            chunk = handle.read(min(CHUNK, length))
            if not chunk:
                break
            length -= len(chunk)
            yield chunk
    finally:
        handle.close()


@staff_view("reports.view")
def recording_audio(request, pk: int):
    """The recording's sound for the page's player, only through
    ``recordings.recording_for_listening`` (every play logged). A Range request past the
    first byte continues a play this session logged in the last ``PLAY_WINDOW_SECONDS``
    (the browser seeking) and is only checked; any other request is a new, logged play."""
    recording = get_object_or_404(Recording.objects.select_related("call"), pk=pk)
    recordings.check_may_listen(recording, request.user)
    size = recording.file.size
    wanted = parse_range(request.headers.get("Range"), size)
    if wanted is False:
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
        return response
    plays = dict(request.session.get(PLAYS_SESSION_KEY, {}))
    now = time.time()
    continuing = (
        bool(wanted) and wanted[0] > 0 and now - plays.get(str(pk), 0) < PLAY_WINDOW_SECONDS
    )
    if not continuing:
        recordings.recording_for_listening(recording, request.user, ip=audit.client_ip(request))
        plays = {k: v for k, v in plays.items() if now - v < PLAY_WINDOW_SECONDS}
        plays[str(pk)] = now
        request.session[PLAYS_SESSION_KEY] = plays
    content_type = recordings.audio_content_type(recording.filename)
    if wanted is None:
        response = FileResponse(recording.file.open("rb"), content_type=content_type)
        response["Content-Length"] = str(size)
    else:
        start, end = wanted
        handle = recording.file.open("rb")
        response = StreamingHttpResponse(
            _file_part(handle, start, end - start + 1), status=206, content_type=content_type
        )
        response["Content-Length"] = str(end - start + 1)
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
    response["Accept-Ranges"] = "bytes"
    response["Cache-Control"] = "private, no-store"
    response["Content-Disposition"] = "inline"
    return response


# --- callbacks --------------------------------------------------------------------------


def masked_number(number: str) -> str:
    """A callback number as the console shows it: only its last four digits."""
    digits = re.sub(r"\D", "", number)
    return "•" * max(0, len(digits) - 4) + digits[-4:]


@staff_view("telephony.manage")
def callback_list(request):
    Status = CallbackRequest.Status
    sections = []
    for status, title, newest_first in (
        (Status.PENDING, _("Aguardando"), False),
        (Status.DIALLING, _("Ligando agora"), False),
        (Status.DONE, _("Atendidos"), True),
        (Status.FAILED, _("Sem sucesso"), True),
        (Status.CANCELLED, _("Cancelados"), True),
    ):
        order = ("-requested_at", "-pk") if newest_first else ("requested_at", "pk")
        found = CallbackRequest.objects.filter(status=status).select_related("line")
        requests = list(found.order_by(*order)[:CALLBACKS_SHOWN])
        for item in requests:
            item.masked = masked_number(item.number)
        sections.append(
            {
                "status": status.value,
                "title": title,
                "requests": requests,
                "pending": status == Status.PENDING,
            }
        )
    return render(request, "console/telephony_admin/callback_list.html", {"sections": sections})


@require_POST
@staff_view("telephony.manage")
def callback_cancel(request, pk: int):
    callback = get_object_or_404(CallbackRequest, pk=pk)
    try:
        administration.do_cancel_callback(request.user, callback)
    except Refused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("Pedido para o número terminado em %(last)s cancelado.")
            % {"last": masked_number(callback.number)[-4:]},
        )
    return redirect("console:telephony_callbacks")


# --- occurrences ------------------------------------------------------------------------


DATETIME_INPUT = {"type": "datetime-local"}
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M"]


class OccurrenceForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Tipo"), choices=Occurrence.Kind.choices)
    scope = forms.ChoiceField(
        label=gettext_lazy("Canal afetado"), choices=Occurrence.Scope.choices, initial="all"
    )
    started_at = forms.DateTimeField(
        label=gettext_lazy("Início"),
        input_formats=DATETIME_FORMATS,
        widget=forms.DateTimeInput(attrs=DATETIME_INPUT, format="%Y-%m-%dT%H:%M"),
    )
    ended_at = forms.DateTimeField(
        label=gettext_lazy("Fim"),
        required=False,
        input_formats=DATETIME_FORMATS,
        widget=forms.DateTimeInput(attrs=DATETIME_INPUT, format="%Y-%m-%dT%H:%M"),
        help_text=gettext_lazy("Em branco enquanto a ocorrência continua."),
    )
    description = forms.CharField(
        label=gettext_lazy("Descrição"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "ocorrencia-%s")
        super().__init__(*args, **kwargs)


class MonthFilter(forms.Form):
    mes = month_field(gettext_lazy("Mês"), required=False)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "filtro-%s")
        super().__init__(*args, **kwargs)


def _month_of(request):
    filters = MonthFilter(request.GET or None)
    chosen = filters.cleaned_data["mes"] if filters.is_valid() else None
    first, following = month_bounds(chosen)
    return filters, first, following


@staff_view("telephony.manage")
def occurrence_list(request):
    form = OccurrenceForm(request.POST or None, initial={"started_at": timezone.localtime()})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                administration.do_record_occurrence(request.user, **form.cleaned_data)
            except Refused as exc:
                form.add_error("ended_at", str(exc))
            else:
                messages.success(request, _("Ocorrência registrada."))
                return redirect("console:telephony_occurrences")
        status = 400
    filters, first, following = _month_of(request)
    tz = timezone.get_current_timezone()
    lo = datetime.combine(first, datetime.min.time(), tz)
    hi = datetime.combine(following, datetime.min.time(), tz)
    occurrences = Occurrence.objects.filter(
        Q(ended_at__isnull=True) | Q(ended_at__gte=lo), started_at__lt=hi
    ).select_related("recorded_by")
    context = {
        "form": form,
        "filters": filters,
        "month": first,
        "occurrences": list(occurrences.order_by("-started_at", "-pk")),
    }
    return render(request, "console/telephony_admin/occurrence_list.html", context, status=status)


@require_POST
@staff_view("telephony.manage")
def occurrence_close(request, pk: int):
    occurrence = get_object_or_404(Occurrence, pk=pk)
    try:
        administration.do_close_occurrence(request.user, occurrence)
    except Refused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Ocorrência encerrada."))
    return redirect("console:telephony_occurrences")


# --- suggestions ------------------------------------------------------------------------


class SuggestionForm(forms.Form):
    source = forms.ChoiceField(
        label=gettext_lazy("De quem é a sugestão"),
        choices=Suggestion.Source.choices,
        widget=forms.RadioSelect,
        initial=Suggestion.Source.AGENT,
    )
    text = forms.CharField(
        label=gettext_lazy("Sugestão de melhoria"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("O que evitaria que a mesma dúvida volte a ser perguntada."),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "sugestao-%s")
        super().__init__(*args, **kwargs)


@staff_view("telephony.manage")
def suggestion_list(request):
    filters, first, following = _month_of(request)
    suggestions = Suggestion.objects.filter(
        created_at__date__gte=first, created_at__date__lt=following
    ).select_related("recorded_by")
    context = {
        "filters": filters,
        "month": first,
        "suggestions": list(suggestions),
        "form": SuggestionForm(),
    }
    return render(request, "console/telephony_admin/suggestion_list.html", context)


@staff_view("telephony.answer")
def suggestion_new(request):
    form = SuggestionForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                administration.do_record_suggestion(request.user, **form.cleaned_data)
            except Refused as exc:
                form.add_error("text", str(exc))
            else:
                messages.success(request, _("Sugestão registrada. Obrigado."))
                if has_capability(request.user, "telephony.manage"):
                    return redirect("console:telephony_suggestions")
                return redirect("console:telephony_suggestion_new")
        status = 400
    return render(
        request, "console/telephony_admin/suggestion_new.html", {"form": form}, status=status
    )


urlpatterns = [
    path("linhas/", line_list, name="telephony_lines"),
    path("linhas/nova/", line_edit, name="telephony_line_new"),
    path("linhas/<int:pk>/", line_edit, name="telephony_line_edit"),
    path("gravacoes/", recording_list, name="telephony_recordings"),
    path("gravacoes/amostra/", recording_sample, name="telephony_recording_sample"),
    path("gravacoes/<int:pk>/audio/", recording_audio, name="telephony_recording_audio"),
    path("retornos/", callback_list, name="telephony_callbacks"),
    path("retornos/<int:pk>/cancelar/", callback_cancel, name="telephony_callback_cancel"),
    path("ocorrencias/", occurrence_list, name="telephony_occurrences"),
    path("ocorrencias/<int:pk>/encerrar/", occurrence_close, name="telephony_occurrence_close"),
    path("sugestoes/", suggestion_list, name="telephony_suggestions"),
    path("sugestoes/nova/", suggestion_new, name="telephony_suggestion_new"),
]
