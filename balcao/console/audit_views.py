"""The personal-data audit log (admins): one row per visit, who and whose data, filters,
keyset pages and a CSV export of the filtered rows (the export itself is audited)."""

from __future__ import annotations

import csv
from datetime import datetime, time, timedelta

from django import forms
from django.db.models import Q
from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy

from balcao.accounts.models import User
from balcao.audit import services as audit
from balcao.audit.models import PersonalDataAccess
from balcao.console.decorators import staff_view

PAGE_SIZE = 100
EXPORT_LIMIT = 50_000  # rows in one CSV file; narrow the filters for more


class AuditFilterForm(forms.Form):
    staff = forms.ModelChoiceField(
        label=gettext_lazy("Quem acessou"),
        queryset=User.objects.order_by("username"),
        required=False,
        empty_label=gettext_lazy("Todos"),
    )
    requester = forms.CharField(
        label=gettext_lazy("De quem (nome ou número do cadastro)"), max_length=100, required=False
    )
    since = forms.DateField(
        label=gettext_lazy("De"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=gettext_lazy("Até"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


def _filtered(form: AuditFilterForm):
    rows = PersonalDataAccess.objects.select_related("user", "requester")
    if not form.is_valid():
        return rows.none()
    data = form.cleaned_data
    if data["staff"]:
        rows = rows.filter(user=data["staff"])
    who = data["requester"].strip()
    if who:
        query = Q(requester__name__icontains=who)
        if who.isdigit() and len(who) < 12:
            query |= Q(requester_id=int(who))
        rows = rows.filter(query)
    zone = timezone.get_current_timezone()
    if data["since"]:
        rows = rows.filter(at__gte=datetime.combine(data["since"], time.min, tzinfo=zone))
    if data["until"]:
        end = datetime.combine(data["until"] + timedelta(days=1), time.min, tzinfo=zone)
        rows = rows.filter(at__lt=end)
    return rows


def _group(rows) -> list[dict]:
    """Consecutive rows of one visit (same person, requester, kind and purpose within
    audit.VISIT_WINDOW) shown once, with how many were recorded (rows written before
    the recording was deduplicated). Exports are each their own row."""
    groups: list[dict] = []
    for row in rows:
        key = (row.user_id, row.token_name, row.requester_id, row.kind, row.purpose)
        last = groups[-1] if groups else None
        if (
            last
            and row.kind != PersonalDataAccess.Kind.EXPORT
            and last["key"] == key
            and last["first"].at - row.at <= audit.VISIT_WINDOW
        ):
            last["count"] += 1
            last["first"] = row
            continue
        groups.append({"key": key, "row": row, "first": row, "count": 1})
    return groups


@staff_view("audit.view")
def audit_log(request):
    form = AuditFilterForm(request.GET or None)
    rows = (
        _filtered(form)
        if request.GET
        else PersonalDataAccess.objects.select_related("user", "requester")
    )
    before = request.GET.get("before", "")
    if before.isdigit() and len(before) < 12:
        rows = rows.filter(pk__lt=int(before))
    page = list(rows.order_by("-pk")[: PAGE_SIZE + 1])
    more = len(page) > PAGE_SIZE
    page = page[:PAGE_SIZE]
    params = request.GET.copy()
    params.pop("before", None)
    return render(
        request,
        "console/audit_log.html",
        {
            "form": form if request.GET else AuditFilterForm(),
            "groups": _group(page),
            "next_before": page[-1].pk if more else None,
            "query_string": params.urlencode(),
        },
    )


class _Echo:
    def write(self, value):
        return value


def _cell(value) -> str:
    """A CSV cell a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


HEADER = [
    "at",
    "staff_username",
    "staff_name",
    "token",
    "requester_id",
    "requester_name",
    "kind",
    "where",
    "purpose",
    "ip",
]


@staff_view("audit.view")
def audit_export(request):
    """The filtered rows as CSV (at most EXPORT_LIMIT), recorded as an export of each
    requester's name."""
    form = AuditFilterForm(request.GET or None)
    rows = (
        _filtered(form)
        if request.GET
        else PersonalDataAccess.objects.select_related("user", "requester")
    )
    # the rows as they stand now, without the export rows written just below
    latest = PersonalDataAccess.objects.order_by("-pk").values_list("pk", flat=True).first()
    rows = rows.filter(pk__lte=latest or 0).order_by("-pk")[:EXPORT_LIMIT]
    ids = sorted(set(rows.values_list("requester_id", flat=True)))
    audit.record_export(
        ids, user=request.user, where="console: auditoria (CSV)", ip=audit.client_ip(request)
    )
    writer = csv.writer(_Echo())

    def lines():
        yield writer.writerow(HEADER)
        for row in rows.iterator(chunk_size=2000):
            yield writer.writerow(
                [
                    _cell(row.at.isoformat()),
                    _cell(row.user.username if row.user else ""),
                    _cell(str(row.user) if row.user else ""),
                    _cell(row.token_name),
                    row.requester_id,
                    _cell(row.requester.name),
                    row.kind,
                    _cell(row.where),
                    _cell(row.purpose),
                    _cell(row.ip),
                ]
            )

    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="auditoria-{stamp}.csv"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
