"""``balcao mail parse PATH [PATH ...] [--json]`` through Django's command runner (the
``balcao`` entry point runs ``mail parse`` without Django: ``balcao.mail.cli``)."""

from django.core.management.base import BaseCommand, CommandError

from balcao.mail import cli


class Command(BaseCommand):
    help = "Read e-mail messages (.eml) as Balcão understands them."
    requires_system_checks: list = []

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        parse = sub.add_parser("parse", help="one .eml, a folder of them, or - for stdin")
        parse.add_argument("paths", nargs="+", metavar="PATH")
        parse.add_argument("--json", action="store_true", help="one JSON line per message")

    def handle(self, *args, **options):
        try:
            cli.run(options["paths"], as_json=options["json"], stdout=self.stdout)
        except cli.UsageError as exc:
            raise CommandError(str(exc), returncode=2) from exc
