"""``balcao catalog import FILE [--replace] [--dry-run]``: an agency's own channel catalogue;
``balcao catalog examples NEEDS.jsonl``: its labelled needs (the console's *Exemplos da
triagem*, from a file); ``balcao catalog export``: the catalogue as a file import reads back.

The file is either shape ``balcao triage --catalog`` reads (docs/quality.md): the plain one an
agency writes in its own language (``{"agency": {"name", "language", "appeal": {…}},
"channels": [{"slug", "name", "level", "kind", "purpose", "ideal_for", "not_advised_for",
"hours", "deadline"}]}``) or the demo's. Channels are matched by slug; ``--replace`` switches
off the active channels the file does not name (the demo's); ``--dry-run`` says what would
change and writes nothing. A file with an error is refused whole, naming the channel.
"""

import json

from django.core.management.base import BaseCommand, CommandError

from balcao.catalog import services


class Command(BaseCommand):
    help = (
        "An agency's channel catalogue (the portal's channels and its triage): import it, "
        "add labelled needs to it, export it."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="create or update channels from a catalogue file")
        imp.add_argument("path")
        imp.add_argument(
            "--replace",
            action="store_true",
            help="switch off the active channels the file does not name (never deletes them)",
        )
        imp.add_argument(
            "--dry-run", action="store_true", help="say what would change; write nothing"
        )

        examples = sub.add_parser(
            "examples",
            help="add labelled needs from a JSON Lines file ({text, language, expect} a line)",
        )
        examples.add_argument("path")
        sub.add_parser("export", help="print the catalogue as a file that import reads back")

    def handle(self, *args, **options):
        if options["action"] == "examples":
            return self._examples(options["path"])
        if options["action"] == "export":
            return self.stdout.write(
                json.dumps(services.export_catalog(), ensure_ascii=False, indent=2)
            )
        path = options["path"]
        try:
            data = services.read_catalog_file(path)
        except services.CatalogImportError as exc:
            raise CommandError(f"{exc}; nada foi importado.") from exc
        try:
            result = services.do_import_catalog(
                data, replace=options["replace"], dry_run=options["dry_run"]
            )
        except services.CatalogImportError as exc:
            raise CommandError(f"{path}: {exc}; nada foi importado.") from exc
        prefix = "Simulação (nada gravado): " if options["dry_run"] else ""
        self.stdout.write(
            f"{prefix}{len(result.created)} canal(is) criado(s), "
            f"{len(result.updated)} atualizado(s), {len(result.unchanged)} sem mudança, "
            f"{len(result.deactivated)} desativado(s)."
        )
        for label, slugs in (
            ("criados", result.created),
            ("atualizados", result.updated),
            ("desativados", result.deactivated),
        ):
            if slugs:
                self.stdout.write(f"  {label}: {', '.join(slugs)}")
        if result.texts:
            self.stdout.write(f"  textos do portal: {', '.join(result.texts)}")
        if result.removed:
            removed = ", ".join(result.removed)
            self.stdout.write(f"  textos do portal removidos (o catálogo não os traz): {removed}")
        if result.own_rules:
            self.stdout.write("  triagem: as regras da agência (BALCAO_TRIAGE_RULES).")
        elif not result.plain:
            self.stdout.write(
                "  triagem: as regras em uso para os canais que as têm (rules_key ou "
                "identificador); os outros pelos seus textos, papéis e exemplos."
            )
        else:
            self.stdout.write(
                "  triagem: pelos textos, papéis e exemplos de cada canal "
                "(sem as regras de demonstração do INPI)."
            )

    def _examples(self, path):
        try:
            with open(path, encoding="utf-8") as handle:
                result = services.do_import_triage_examples(handle)
        except OSError as exc:
            raise CommandError(f"Não foi possível ler {path}: {exc.strerror or exc}") from exc
        except UnicodeDecodeError as exc:
            raise CommandError(f"{path} não está em UTF-8.") from exc
        if result.errors:
            for error in result.errors:
                self.stderr.write(f"{path}: {error}")
            raise CommandError(
                f"{path}: {len(result.errors)} linha(s) com erro; nada foi importado."
            )
        self.stdout.write(
            f"{result.created} exemplo(s) da triagem acrescentado(s), "
            f"{result.unchanged} já existente(s)."
        )
