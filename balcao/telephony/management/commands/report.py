"""``balcao report contact-center --from YYYY-MM-DD --to YYYY-MM-DD --format
json|csv|html|pdf [--output PATH]``: seed 003 item 13.1's indicators a)…ii) for the calls
that entered a queue on those local dates (``balcao.telephony.services``; issue 23).

``--kind monthly --month YYYY-MM`` (or ``--from``/``--to`` spanning exactly one calendar
month) gives the monthly activity report of item 13.2, and ``--kind final --from --to`` the
final report of item 13.3 (``balcao.telephony.periodic``), as json, html or pdf."""

import sys
from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from balcao.telephony import periodic, reports, services


def _local_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise CommandError(
            _("data inválida: %(text)s (use AAAA-MM-DD)") % {"text": text}, returncode=2
        ) from exc


class Command(BaseCommand):
    help = "Reports: contact-center (tender 003: 13.1 weekly, 13.2 monthly, 13.3 final)."
    requires_system_checks: list = []

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="report", required=True)
        cc = sub.add_parser(
            "contact-center",
            help="indicators a)…ii) of the calls that entered a queue on these local dates",
        )
        cc.add_argument(
            "--kind",
            choices=("weekly", *periodic.KINDS),
            default="weekly",
            help="weekly: the 13.1 indicators of --from..--to (the default); monthly: the "
            "13.2 activity report of --month YYYY-MM (or of --from/--to spanning exactly one "
            "calendar month); final: the 13.3 final report of --from..--to (the contract's "
            "term). monthly and final are json, html or pdf",
        )
        cc.add_argument("--from", dest="start", metavar="YYYY-MM-DD")
        cc.add_argument("--to", dest="end", metavar="YYYY-MM-DD")
        cc.add_argument("--month", metavar="YYYY-MM", help="the month of --kind monthly")
        cc.add_argument("--format", choices=reports.FORMATS, default="json")
        cc.add_argument("--output", metavar="PATH", help="write here instead of stdout")

    def handle(self, *args, **options):
        kind = options["kind"]
        if options["month"] and kind != "monthly":
            raise CommandError(_("--month só vale com --kind monthly"), returncode=2)
        if kind == "monthly" and options["month"]:
            if options["start"] or options["end"]:
                raise CommandError(_("use --month ou --from/--to, não ambos"), returncode=2)
            try:
                year, month = periodic.parse_month(options["month"])
            except periodic.PeriodError as exc:
                raise CommandError(str(exc), returncode=2) from exc
            start, end = periodic.month_bounds(year, month)
        else:
            if not options["start"] or not options["end"]:
                raise CommandError(_("informe --from e --to"), returncode=2)
            start, end = _local_date(options["start"]), _local_date(options["end"])
            if end < start:
                raise CommandError(_("--to é anterior a --from"), returncode=2)
        if kind != "weekly" and options["format"] not in periodic.FORMATS:
            raise CommandError(
                _("o relatório %(kind)s sai em json, html ou pdf") % {"kind": kind}, returncode=2
            )
        if kind == "monthly":
            if (start.day, end) != (1, periodic.month_bounds(start.year, start.month)[1]):
                raise CommandError(
                    _("--from/--to devem cobrir exatamente um mês (ou use --month AAAA-MM)"),
                    returncode=2,
                )
            data = periodic.monthly_report(start.year, start.month)
        elif kind == "final":
            data = periodic.final_report(start, end)
        else:
            data = services.contact_centre_report(start, end)
        render = reports.render if kind == "weekly" else periodic.render
        try:
            document = render(data, options["format"])
        except OSError as exc:  # WeasyPrint loads Pango when first used
            raise CommandError(
                _("O PDF não pode ser gerado: faltam as bibliotecas do Pango (%(error)s).")
                % {"error": exc}
            ) from exc
        if options["output"]:
            with open(options["output"], "wb") as out:
                out.write(document)
            self.stderr.write(_("Relatório gravado em %(path)s") % {"path": options["output"]})
            return
        stream = getattr(self.stdout._out, "buffer", None)
        if stream is not None and self.stdout._out in (sys.stdout, sys.__stdout__):
            stream.write(document)
            stream.flush()
        elif options["format"] == "pdf":
            raise CommandError(_("um PDF vai para um arquivo: use --output CAMINHO"))
        else:
            self.stdout.write(document.decode(), ending="")
