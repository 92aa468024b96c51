"""``balcao bot ask`` and ``balcao bot eval``.

    balcao bot ask "TEXT" [--language pt-BR] [--json]
    balcao bot ask --batch PATH          # JSON Lines {"text", "language"}; - = stdin
    balcao bot eval PATH                 # JSON Lines {"text", "language", "expect"}

Each answer is ``{"article_id": str|null, "confidence": float, "handoff": bool,
"answer": str}``. Nothing asked here is recorded in the gap inbox.
"""

import json
import sys
from dataclasses import replace

from django.core.management.base import BaseCommand, CommandError

from balcao.bot import services
from balcao.bot.engine import Bot
from balcao.bot.evaluation import evaluate, read_examples, report
from balcao.bot.retrieval import BM25_ONLY, Article, RetrievalOptions
from balcao.kb.services import KbError

CONTRACT_KEYS = ("article_id", "confidence", "handoff", "answer")


def contract(result: dict) -> dict:
    return {key: result[key] for key in CONTRACT_KEYS}


class Command(BaseCommand):
    help = "Ask the chatbot, one question or a JSON Lines batch; evaluate it."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        ask = sub.add_parser("ask", help="ask one question, or --batch PATH")
        ask.add_argument("text", nargs="?")
        ask.add_argument("--language", default="pt-BR")
        ask.add_argument("--json", action="store_true")
        ask.add_argument("--batch", metavar="PATH")
        ev = sub.add_parser("eval", help="in-scope accuracy, refusal, confusion pairs")
        ev.add_argument("path")
        ev.add_argument("--json", action="store_true")
        ev.add_argument(
            "--kb",
            metavar="KB.jsonl",
            help="evaluate on this knowledge base (import format) instead of the database's "
            "published articles: nothing is written",
        )
        ev.add_argument(
            "--baseline",
            action="store_true",
            help="also measure plain BM25 (no synonyms, typo tolerance or field weights) on "
            "the same articles and questions",
        )
        ev.add_argument(
            "--ablation",
            action="store_true",
            help="also measure the bot with each retrieval feature taken out, one at a time "
            "(synonyms, typo tolerance, field weights, calibration), and plain BM25",
        )
        ev.add_argument(
            "--no-calibration",
            action="store_true",
            help="decide on the fixed default lines instead of the lines calibrated on the "
            "base (the calibration's ablation)",
        )

    def handle(self, *args, **options):
        if options["action"] == "eval":
            return self._eval(options)
        if options["batch"]:
            return self._batch(options["batch"])
        text = (options["text"] or "").strip()
        if not text:
            raise CommandError("Escreva a pergunta, ou use --batch PATH.")
        try:
            result = services.ask(text, options["language"])
        except KbError as exc:
            raise CommandError(str(exc)) from exc
        if options["json"]:
            self.stdout.write(json.dumps(contract(result), ensure_ascii=False))
        else:
            source = f" [{result['article_id']}]" if result["article_id"] else ""
            self.stdout.write(
                f"{result['answer']}\n(confiança {result['confidence']:.2f}"
                f"{source}{', oferecer atendente' if result['handoff'] else ''})"
            )

    def _lines(self, path):
        if path == "-":
            return sys.stdin
        try:
            return open(path, encoding="utf-8")  # noqa: SIM115 — closed at process end
        except OSError as exc:
            raise CommandError(f"Não foi possível ler {path}: {exc.strerror or exc}") from exc

    def _batch(self, path):
        for number, line in enumerate(self._lines(path), start=1):
            self.stdout.write(json.dumps(self._one(line, number), ensure_ascii=False))

    def _one(self, line: str, number: int) -> dict:
        try:
            data = json.loads(line)
        except ValueError as exc:
            return {"line": number, "error": f"não é JSON válido ({exc})"}
        if not isinstance(data, dict):
            return {"line": number, "error": "esperado um objeto JSON com “text”"}
        text = data.get("text")
        if not isinstance(text, str) or not text.strip():
            return {"line": number, "error": "“text” vazio ou ausente"}
        try:
            return contract(services.ask(text, data.get("language") or "pt-BR"))
        except KbError as exc:
            return {"line": number, "error": str(exc)}

    def _eval(self, options):
        try:
            examples = list(read_examples(options["path"]))
        except (OSError, ValueError) as exc:
            raise CommandError(str(exc)) from exc
        if options["kb"]:
            try:
                articles = _articles_from(options["kb"])
            except (OSError, ValueError, KeyError) as exc:
                raise CommandError(f"{options['kb']}: {exc}") from exc
        else:
            articles = services.current_articles()
        if options["ablation"]:
            return self._ablation(articles, examples, as_json=options["json"])
        calibrate = not options["no_calibration"]
        bot = Bot(articles, calibrate=calibrate)
        result = evaluate(bot, examples)
        plain = Bot(articles, BM25_ONLY, calibrate=calibrate) if options["baseline"] else None
        baseline = evaluate(plain, examples) if plain is not None else None
        if options["json"]:
            out = result.as_dict()
            out["calibration"] = bot.calibration.as_dict()
            if baseline is not None and plain is not None:
                out["baseline_bm25"] = {
                    **baseline.as_dict(),
                    "calibration": plain.calibration.as_dict(),
                }
            self.stdout.write(json.dumps(out, ensure_ascii=False))
            return
        self.stdout.write(bot.calibration.describe())
        self.stdout.write(report(result))
        if baseline is not None and plain is not None:
            self.stdout.write("\nplain BM25 on the same articles and questions:")
            self.stdout.write(plain.calibration.describe())
            self.stdout.write(report(baseline, max_rows=0))

    def _ablation(self, articles, examples, *, as_json: bool):
        """One line per variant: what ships, each feature taken out, plain BM25."""
        shipped = RetrievalOptions()
        variants = [
            ("shipped", shipped, True),
            ("without synonyms", replace(shipped, synonyms=False), True),
            ("without typo tolerance", replace(shipped, typos=False), True),
            ("without field weights", replace(shipped, fields=False), True),
            ("without the base's measure", replace(shipped, metric=False), True),
            ("without sentence encoder", replace(shipped, semantic=False), True),
            ("without calibration", shipped, False),
            ("plain BM25", BM25_ONLY, True),
        ]
        rows = []
        for name, retrieval, calibrate in variants:
            result = evaluate(Bot(articles, retrieval, calibrate=calibrate), examples)
            rows.append({"variant": name, **result.as_dict()})
        if as_json:
            self.stdout.write(json.dumps(rows, ensure_ascii=False))
            return
        self.stdout.write(f"{'variant':<27} {'overall':>8} {'in scope':>9} {'refused':>8}")
        for row in rows:
            self.stdout.write(
                f"{row['variant']:<27} {row['overall']:>8.1%} {row['in_scope_accuracy']:>9.1%} "
                f"{row['out_of_scope_refusal']:>8.1%}"
            )


def _articles_from(path: str) -> list[Article]:
    """The articles of a knowledge base file in ``balcao kb import``'s format."""
    with open(path, encoding="utf-8") as handle:
        return [Article.from_dict(json.loads(line)) for line in handle if line.strip()]
