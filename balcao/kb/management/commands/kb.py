"""``balcao kb import PATH [--draft] [--replace]`` and ``balcao kb export`` (JSON Lines).

Import upserts by ``id``: ``{"id", "question", "answer", "variants": [...], "language",
"tags": [...]}``; articles are published unless ``--draft``. A bad line is reported
with its number and skipped; the rest is imported. ``--replace`` archives the articles the
file does not hold (the demo's), unless a line was bad.
"""

import json
import sys

from django.core.management.base import BaseCommand, CommandError

from balcao.kb import services


class Command(BaseCommand):
    help = "Import or export the knowledge base as JSON Lines."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="upsert articles from a JSON Lines file (- = stdin)")
        imp.add_argument("path")
        imp.add_argument("--draft", action="store_true", help="import as drafts (not published)")
        imp.add_argument(
            "--replace",
            action="store_true",
            help="archive the articles the file does not hold (never deletes; none when a "
            "line is bad)",
        )
        exp = sub.add_parser("export", help="print every article as JSON Lines")
        exp.add_argument("--published-only", action="store_true")

    def handle(self, *args, **options):
        if options["action"] == "export":
            for record in services.export_records(include_archived=not options["published_only"]):
                if options["published_only"] and record["state"] != "published":
                    continue
                self.stdout.write(json.dumps(record, ensure_ascii=False))
            return
        path = options["path"]
        try:
            if path == "-":
                result = services.do_import(
                    sys.stdin, draft=options["draft"], replace=options["replace"]
                )
            else:
                with open(path, encoding="utf-8") as handle:
                    result = services.do_import(
                        handle, draft=options["draft"], replace=options["replace"]
                    )
        except OSError as exc:
            raise CommandError(f"Não foi possível ler {path}: {exc.strerror or exc}") from exc
        except UnicodeDecodeError as exc:
            raise CommandError(f"{path} não está em UTF-8.") from exc
        except services.KbError as exc:
            raise CommandError(str(exc)) from exc
        for error in result.errors:
            self.stderr.write(error)
        state = "rascunho" if options["draft"] else "publicados"
        self.stdout.write(
            f"{result.created} criado(s), {result.updated} atualizado(s), "
            f"{result.unchanged} sem mudança ({state}); "
            f"{len(result.errors)} linha(s) com erro."
        )
        if result.archived:
            self.stdout.write(f"{result.archived} arquivado(s): não estão no arquivo.")
        elif options["replace"] and result.errors:
            self.stderr.write("Nada foi arquivado: corrija as linhas com erro e importe de novo.")
        elif options["replace"] and not (result.created + result.updated + result.unchanged):
            self.stderr.write("Nada foi arquivado: o arquivo não tem nenhum artigo.")
