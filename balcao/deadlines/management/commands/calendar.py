"""``balcao calendar``: list calendars, import closures (CSV or ICS), list working days."""

from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from balcao.deadlines import services
from balcao.deadlines.models import Calendar


class Command(BaseCommand):
    help = "Agency calendars: import closures/optional days from CSV or ICS, list them."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("list", help="list calendars")
        imp = sub.add_parser("import", help="import days: CSV date,kind,description or ICS")
        imp.add_argument("path")
        imp.add_argument("--calendar", required=True, help="calendar slug")
        days = sub.add_parser("days", help="special days of a calendar")
        days.add_argument("--calendar", required=True)
        wd = sub.add_parser("working-days", help="working days between two dates")
        wd.add_argument("--calendar", required=True)
        wd.add_argument("--from", dest="start", required=True)
        wd.add_argument("--to", dest="end", required=True)

    def _calendar(self, slug):
        calendar = Calendar.objects.filter(slug=slug).first()
        if calendar is None:
            raise CommandError(f"Calendário {slug!r} não existe.")
        return calendar

    def handle(self, *args, **options):
        action = options["action"]
        if action == "list":
            for cal in Calendar.objects.all():
                default = " (padrão)" if cal.is_default else ""
                region = f"{cal.country}-{cal.subdivision}" if cal.subdivision else cal.country
                self.stdout.write(f"{cal.slug}\t{region}\t{cal.name}{default}")
        elif action == "import":
            path = Path(options["path"])
            if not path.exists():
                raise CommandError(f"Arquivo não encontrado: {path}")
            imported, errors = services.import_calendar_file(
                self._calendar(options["calendar"]), path
            )
            for error in errors:
                self.stderr.write(error)
            self.stdout.write(f"{imported} dia(s) importado(s), {len(errors)} linha(s) com erro.")
        elif action == "days":
            for day in self._calendar(options["calendar"]).days.all():
                self.stdout.write(f"{day.date}\t{day.kind}\t{day.description}")
        else:
            cal = services.calendar_from_model(self._calendar(options["calendar"]))
            try:
                start = date.fromisoformat(options["start"])
                end = date.fromisoformat(options["end"])
            except ValueError as exc:
                raise CommandError("Datas no formato AAAA-MM-DD.") from exc
            for day in cal.working_days(start, end):
                self.stdout.write(day.isoformat())
