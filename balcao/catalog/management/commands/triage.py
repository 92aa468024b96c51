"""``balcao triage``: "Encontre o atendimento certo" from the command line.

    balcao triage "TEXT" [--language pt-BR|pt-PT|en] [--urgent yes|no]
                  [--about-decision yes|no] [--json]
    balcao triage --batch PATH          # JSON Lines; PATH or - for standard input
    balcao triage --eval PATH           # JSON Lines {"text", "language", "expect"}
    … --catalog CATALOG.json            # another agency's catalogue instead of the database's

Contract: ../shared/contracts/triage.md. ``--batch`` and ``--eval`` record nothing.
"""

import json
import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from balcao import languages
from balcao.catalog import recommender, services
from balcao.catalog.recommender import TriageInputError
from balcao.catalog.triage_batch import (
    dump_line,
    evaluate,
    evaluate_folds,
    run_batch,
    triage_item,
)

YES_NO = {"yes": True, "sim": True, "no": False, "nao": False, "não": False}


class Command(BaseCommand):
    help = "Recommend the right channel for a need (single, --batch or --eval)."

    def add_arguments(self, parser):
        parser.add_argument("text", nargs="?")
        parser.add_argument("--language")
        parser.add_argument("--urgent", choices=sorted(YES_NO))
        parser.add_argument("--about-decision", choices=sorted(YES_NO))
        parser.add_argument("--json", action="store_true")
        parser.add_argument("--batch", metavar="PATH")
        parser.add_argument("--eval", metavar="PATH", dest="evaluate")
        parser.add_argument(
            "--catalog",
            metavar="CATALOG.json",
            help="recommend among this catalogue's channels (the demo's shape or an agency's "
            "plain one, docs/quality.md) instead of the database's; nothing is written",
        )
        parser.add_argument(
            "--examples",
            metavar="NEEDS.jsonl",
            help='labelled needs to learn from ({"text", "language", "expect"} per line) '
            "instead of those recorded in the console",
        )
        parser.add_argument(
            "--folds",
            type=int,
            metavar="K",
            help="with --eval: deal the needs into K folds and triage each with the other "
            "folds' needs as labelled needs (beside --examples' or the console's), as an "
            "agency that had labelled such needs would see",
        )
        parser.add_argument(
            "--rules",
            metavar="RULES.json",
            help="triage rules in the shape of balcao/catalog/triage_rules.json (default: "
            "BALCAO_TRIAGE_RULES, else the shipped ones)",
        )

    def _open(self, path):
        if path == "-":
            return sys.stdin
        try:
            return open(path, encoding="utf-8")  # noqa: SIM115 — read to the end below
        except OSError as exc:
            raise CommandError(f"Não foi possível ler {path}: {exc.strerror or exc}") from exc

    def _examples(self, path):
        """(text, language, expect) of a JSON Lines file of labelled needs."""
        found = []
        with self._open(path) as handle:
            for number, line in enumerate(handle, 1):
                if not line.strip():
                    continue
                try:
                    item = json.loads(line)
                    found.append(
                        (
                            str(item["text"]),
                            languages.normalise(str(item.get("language") or "pt-BR")),
                            str(item["expect"]),
                        )
                    )
                except (ValueError, KeyError, TypeError, languages.UnknownLanguage) as exc:
                    raise CommandError(f"{path}:{number}: not a labelled need ({exc})") from exc
        return tuple(found)

    def _catalog(self, path):
        """(default language, active channels, appeal sentence, whether it is in the demo's
        shape) of a catalogue file."""
        try:
            data = services.read_catalog_file(path)
        except services.CatalogImportError as exc:
            raise CommandError(str(exc)) from exc
        try:
            catalog = recommender.catalog_from_file(data)
            language = languages.normalise(
                str((catalog.get("agency") or {}).get("language") or "pt-BR")
            )
        except (OSError, ValueError, KeyError, TypeError, languages.UnknownLanguage) as exc:
            raise CommandError(f"{path}: não é um catálogo legível ({exc})") from exc
        channels = [c for c in recommender.channels_from_catalog(catalog, language) if c.active]
        return (
            language,
            channels,
            lambda lang: recommender.appeal_text_from_catalog(catalog, lang),
            recommender.in_demo_shape(data),
        )

    def handle(self, *args, **options):
        try:
            rules = recommender.load_rules(
                options["rules"] or settings.BALCAO_TRIAGE_RULES or recommender.RULES_PATH
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        examples = self._examples(options["examples"]) if options["examples"] else None
        if options["catalog"]:  # another agency's file: the database is not read
            default_language, channels, appeal_text, demo_shape = self._catalog(options["catalog"])
            if not demo_shape and not options["rules"]:
                # An agency's own catalogue: the shipped cues are the INPI demo's channels'.
                rules = recommender.general_rules(rules)
            examples = examples or ()
        else:
            default_language = services.language_code(settings.LANGUAGE_CODE)
            channels = services.active_channel_infos()
            appeal_text = services.appeal_text
            examples = services.learned_examples() if examples is None else examples
        if options["batch"]:
            with self._open(options["batch"]) as handle:
                for result in run_batch(
                    handle,
                    channels,
                    default_language=default_language,
                    rules=rules,
                    appeal_text=appeal_text,
                    examples=examples,
                ):
                    self.stdout.write(dump_line(result))
            return
        if options["evaluate"]:
            folds = options["folds"]
            if folds is not None and folds < 2:
                raise CommandError("--folds: at least 2 folds")
            with self._open(options["evaluate"]) as handle:
                if folds:
                    report = evaluate_folds(
                        handle,
                        folds,
                        channels,
                        default_language=default_language,
                        rules=rules,
                        examples=examples,
                    )
                else:
                    report = evaluate(
                        handle,
                        channels,
                        default_language=default_language,
                        rules=rules,
                        examples=examples,
                    )
            self.stdout.write(
                json.dumps(report.to_json(), ensure_ascii=False)
                if options["json"]
                else report.format()
            )
            return
        answers = {
            "urgent": YES_NO.get(options["urgent"]) if options["urgent"] else None,
            "about_decision": YES_NO.get(options["about_decision"])
            if options["about_decision"]
            else None,
        }
        try:
            if options["catalog"]:
                result = triage_item(
                    {
                        "text": options["text"] or "",
                        "language": options["language"] or default_language,
                        "answers": answers,
                    },
                    channels,
                    default_language=default_language,
                    rules=rules,
                    appeal_text=appeal_text,
                    examples=examples,
                ).to_json()
            else:
                result = services.triage(
                    options["text"] or "",
                    options["language"] or default_language,
                    answers,
                    channels=channels,
                    rules_=rules,
                    examples=examples,
                )
        except TriageInputError as exc:
            raise CommandError(f"{exc.field}: {exc.message}") from exc
        if options["json"]:
            self.stdout.write(dump_line(result))
            return
        alternative = f"\nAlternativa: {result['alternative']}" if result["alternative"] else ""
        self.stdout.write(
            f"Canal recomendado: {result['channel']}{alternative}\nPor quê: {result['why']}"
        )
