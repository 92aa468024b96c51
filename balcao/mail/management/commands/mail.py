"""``balcao mail parse PATH [PATH ...] [--json]`` through Django's command runner (the
``balcao`` entry point runs ``mail parse`` without Django: ``balcao.mail.cli``), and
``balcao mail fetch [--mailbox SLUG]``: read the active mailboxes over IMAP now (the task
queue does it every minute), ``balcao mail watch [--mailbox SLUG]``: read them as mail
arrives, waiting in IMAP IDLE (``balcao serve`` runs it), and
``balcao mail report --from … --to …`` (balcao.mail.reports; docs/mail.md)."""

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
        watch = sub.add_parser(
            "watch", help="read the mailboxes as mail arrives (IMAP IDLE), until stopped"
        )
        watch.add_argument("--mailbox", help="only this mailbox (its slug)")
        report = sub.add_parser("report", help="reports a')-e') of tender 003, item 13.1")
        cli.add_report_arguments(report)

    def handle(self, *args, **options):
        if options["action"] == "fetch":
            return self._fetch(options.get("mailbox"))
        if options["action"] == "watch":
            return self._watch(options.get("mailbox"))
        if options["action"] == "report":
            return self._report(options)
        try:
            cli.run(options["paths"], as_json=options["json"], stdout=self.stdout)
        except cli.UsageError as exc:
            raise CommandError(str(exc), returncode=2) from exc

    def _report(self, options):
        """``balcao mail report --from … --to …``: balcao.mail.reports, printed by cli."""
        from balcao.mail import reports

        try:
            data = reports.report(
                options["start"],
                options["end"],
                mailbox=options.get("mailbox"),
                channel=options.get("channel"),
            )
        except reports.ReportError as exc:
            raise CommandError(str(exc), returncode=2) from exc
        cli.write_report(data, options["format"], self.stdout)

    def _watch(self, slug):
        """Until SIGINT/SIGTERM: balcao.mail.imap.watch_all."""
        import signal
        import threading

        from balcao.mail import imap

        stop = threading.Event()
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, lambda *_: stop.set())
        imap.watch_all(stop, slug=slug)

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
