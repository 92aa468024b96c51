"""``balcao telephony import-queue-log PATH [--tz Europe/Lisbon] [--follow]``: import an
Asterisk ``queue_log`` (``balcao.telephony.services.do_import_queue_log``; issue 23)."""

import time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError
from django.utils.translation import gettext as _

from balcao.telephony import services


def _zone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise CommandError(_("fuso horário desconhecido: %(tz)s") % {"tz": name}) from exc
    return name


class Command(BaseCommand):
    help = "Contact centre: import Asterisk's queue_log."
    requires_system_checks: list = []

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser(
            "import-queue-log",
            help="import a queue_log file (again: only what was added since)",
        )
        imp.add_argument("path", metavar="PATH")
        imp.add_argument(
            "--tz",
            default=None,
            help="time zone to show the file's times in (epochs are UTC; "
            "default: BALCAO_TIME_ZONE)",
        )
        imp.add_argument(
            "--follow",
            action="store_true",
            help="keep importing what the PBX appends, until interrupted",
        )
        imp.add_argument("--interval", type=float, default=2.0, help="seconds between reads")
        rec = sub.add_parser(
            "import-recordings",
            help="store the PBX's call recordings (MixMonitor files named after the uniqueid)",
        )
        rec.add_argument("directory", metavar="DIR")
        rec.add_argument(
            "--min-age",
            type=float,
            default=60.0,
            help="leave files modified less than these seconds ago (still being written)",
        )

        ami = sub.add_parser(
            "ami",
            help="live feed from Asterisk's Manager Interface (BALCAO_AMI_*): wallboard state "
            "and callbacks dialled when an agent is free; runs until interrupted",
        )
        ami.add_argument("--interval", type=float, default=2.0, help="seconds between rounds")

    def handle(self, *args, **options):
        if options["action"] == "ami":
            self._ami(options["interval"])
            return
        if options["action"] == "import-recordings":
            self._import_recordings(options["directory"], options["min_age"])
            return
        tz = _zone(options["tz"] or settings.TIME_ZONE)
        path = options["path"]
        if not options["follow"]:
            self._import(path, tz, live=False)
            return
        # Following, nothing stops the tail but a signal: a file rotated away, another
        # import in progress or a database not reachable (or not yet migrated, as
        # `balcao serve` starts) is said once and tried again at the next read.
        said = ""
        try:
            while True:
                try:
                    self._import(path, tz, live=True, quiet=True)
                    said = ""
                except (CommandError, DatabaseError) as exc:
                    if str(exc) != said:
                        said = str(exc)
                        self.stderr.write(
                            _("%(error)s; nova tentativa em instantes") % {"error": said}
                        )
                time.sleep(options["interval"])
        except KeyboardInterrupt:
            return

    def _import(self, path: str, tz: str, *, live: bool, quiet: bool = False) -> None:
        try:
            done = services.do_import_queue_log(path, time_zone=tz, live=live)
        except services.ConcurrentImport as exc:
            raise CommandError(
                _("outra importação de %(path)s está em curso; nada foi gravado em dobro")
                % {"path": path}
            ) from exc
        except OSError as exc:
            raise CommandError(
                _("não foi possível ler %(path)s: %(error)s")
                % {"path": path, "error": exc.strerror or exc}
            ) from exc
        if quiet and not (done.lines or done.bad):
            return
        self.stdout.write(
            _(
                "%(path)s: %(lines)d linha(s) nova(s) lida(s) (depois de %(before)d já "
                "importada(s)): %(events)d evento(s), %(blank)d em branco, %(bad)d com erro; "
                "%(new)d chamada(s) nova(s), %(updated)d atualizada(s), %(intervals)d "
                "intervalo(s) de operadores."
            )
            % {
                "path": path,
                "lines": done.lines,
                "before": done.resumed_after,
                "events": done.events,
                "blank": done.blank,
                "bad": done.bad,
                "new": done.calls_new,
                "updated": done.calls_updated,
                "intervals": done.intervals_new,
            }
        )
        if done.first_epoch is not None:
            self.stdout.write(
                _("Eventos de %(first)s a %(last)s.")
                % {
                    "first": services.local_time(done.first_epoch, tz),
                    "last": services.local_time(done.last_epoch, tz),
                }
            )
        if done.bad:
            self.stderr.write(
                _("%(count)d linha(s) com erro ignorada(s); as primeiras:") % {"count": done.bad}
            )
            for bad in done.examples:
                self.stderr.write(
                    _("  linha %(line)d: %(reason)s: %(excerpt)s")
                    % {"line": bad.line, "reason": bad.reason, "excerpt": bad.excerpt}
                )
        if done.held_back is not None:
            self.stderr.write(
                _("A linha %(line)d não termina (o PBX ainda a escreve?): fica para a próxima.")
                % {"line": done.held_back}
            )

    def _import_recordings(self, directory: str, min_age: float) -> None:
        from pathlib import Path

        from balcao.telephony.recordings import do_import_recordings

        if not Path(directory).is_dir():
            raise CommandError(_("%(path)s não é uma pasta") % {"path": directory})
        done = do_import_recordings(directory, min_age=min_age)
        self.stdout.write(
            _(
                "%(stored)d gravação(ões) nova(s), %(known)d já guardada(s), %(recent)d "
                "ainda em gravação (fica para a próxima), %(unnamed)d arquivo(s) sem o "
                "identificador da chamada no nome."
            )
            % {
                "stored": done.stored,
                "known": done.known,
                "recent": done.recent,
                "unnamed": len(done.unnamed),
            }
        )
        for name in done.unnamed[:10]:
            self.stderr.write(_("  ignorado: %(name)s") % {"name": name})

    def _ami(self, interval: float) -> None:
        """Without ``BALCAO_AMI_HOST`` there is no PBX to talk to: say so once and exit 0
        (a service manager then leaves it stopped)."""
        if not settings.BALCAO_AMI_HOST:
            self.stderr.write(_("BALCAO_AMI_HOST não definido: sem ligação ao AMI, nada a fazer."))
            return
        import asyncio

        from balcao.telephony import feed

        self.stderr.write(
            _("AMI: ligando a %(host)s:%(port)s")
            % {"host": settings.BALCAO_AMI_HOST, "port": settings.BALCAO_AMI_PORT}
        )
        try:
            asyncio.run(feed.run(interval=interval))
        except KeyboardInterrupt:
            return
