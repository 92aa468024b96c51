"""``balcao mail parse PATH [PATH ...] [--json]`` through Django's command runner (the
``balcao`` entry point runs ``mail parse`` without Django: ``balcao.mail.cli``), and
``balcao mail fetch [--mailbox SLUG]``: read the active mailboxes over IMAP now (the task
queue does it every minute)."""

from django.core.management.base import BaseCommand, CommandError

from balcao.mail import cli


class Command(BaseCommand):
    help = "Read e-mail messages (.eml) as Balcão understands them, or fetch the mailboxes."
    requires_system_checks: list = []

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        parse = sub.add_parser("parse", help="one .eml, a folder of them, or - for stdin")
        parse.add_argument("paths", nargs="+", metavar="PATH")
        parse.add_argument("--json", action="store_true", help="one JSON line per message")
        fetch = sub.add_parser("fetch", help="read the active mailboxes over IMAP now")
        fetch.add_argument("--mailbox", help="only this mailbox (its slug)")

    def handle(self, *args, **options):
        if options["action"] == "fetch":
            return self._fetch(options.get("mailbox"))
        try:
            cli.run(options["paths"], as_json=options["json"], stdout=self.stdout)
        except cli.UsageError as exc:
            raise CommandError(str(exc), returncode=2) from exc

    def _fetch(self, slug):
        from balcao.mail import imap
        from balcao.mail.models import Mailbox

        boxes = Mailbox.objects.filter(active=True).exclude(imap_host="")
        if slug:
            boxes = boxes.filter(slug=slug)
            if not boxes.exists():
                raise CommandError(f"caixa de e-mail ativa não encontrada: {slug}", returncode=2)
        for box in boxes:
            done = imap.fetch_mailbox(box)
            self.stdout.write(f"{box.slug}: {done.read} lida(s), {done.new} nova(s)")
