"""``balcao report contact-center --from YYYY-MM-DD --to YYYY-MM-DD --format
json|csv|html|pdf [--output PATH]``: seed 003 item 13.1's indicators a)…ii) for the calls
that entered a queue on those local dates (``balcao.telephony.services``; issue 23)."""

import sys
from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from balcao.telephony import reports, services


def _local_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise CommandError(
            _("data inválida: %(text)s (use AAAA-MM-DD)") % {"text": text}, returncode=2
        ) from exc


class Command(BaseCommand):
    help = "Reports: contact-center (tender 003, item 13.1)."
    requires_system_checks: list = []

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="report", required=True)
        cc = sub.add_parser(
            "contact-center",
            help="indicators a)…ii) of the calls that entered a queue on these local dates",
        )
        cc.add_argument("--from", dest="start", required=True, metavar="YYYY-MM-DD")
        cc.add_argument("--to", dest="end", required=True, metavar="YYYY-MM-DD")
        cc.add_argument("--format", choices=reports.FORMATS, default="json")
        cc.add_argument("--output", metavar="PATH", help="write here instead of stdout")

    def handle(self, *args, **options):
        start, end = _local_date(options["start"]), _local_date(options["end"])
        if end < start:
            raise CommandError(_("--to é anterior a --from"), returncode=2)
        data = services.contact_centre_report(start, end)
        try:
            document = reports.render(data, options["format"])
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
