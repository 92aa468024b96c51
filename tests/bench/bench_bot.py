"""Benchmark of the bot's pure core: latency and RSS with 5,000 articles, and accuracy.

Run from the repository root (not collected by pytest)::

    python tests/bench/bench_bot.py            # 5,000 articles, every eval question x 3
    python tests/bench/bench_bot.py --articles 20000 --rounds 1

It builds a synthetic base of N articles: the demo articles (balcao/kb/demo/inpi-kb.jsonl)
plus distractors made from them with a varied vocabulary (pseudo-words, shuffled real words,
longer answers), so postings lists and the typo table have realistic sizes. It prints:

* build time, answer latency p50/p95/max over the evaluation questions
  (tests/bot/data/inpi-eval.jsonl) asked against the 5,000-article base;
* process RSS after building and querying (the bot's target: < 150 MB, p95 < 20 ms);
* accuracy on the evaluation set over the demo base, BM25 alone (stemming and accent folding,
  one flat field, no synonyms, no typo tolerance) versus what ships (BM25F + synonyms + typo
  tolerance), both through the same decision.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from balcao.bot.engine import Bot  # noqa: E402
from balcao.bot.evaluation import evaluate, read_examples, report  # noqa: E402
from balcao.bot.retrieval import BM25_ONLY, Article  # noqa: E402

DEMO_KB = REPO / "balcao" / "kb" / "demo" / "inpi-kb.jsonl"
EVAL_SET = REPO / "tests" / "bot" / "data" / "inpi-eval.jsonl"
SYLLABLES = [c + v for c in "bcdfglmnprstvxz" for v in "aeiou"] + ["ção", "ões", "nh", "lh"]


def rss_mb() -> tuple[float, float]:
    """(current RSS, peak RSS) of this process in MB."""
    current = 0.0
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                current = int(line.split()[1]) / 1024
    except OSError:
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return current, peak


def pseudo_vocabulary(rng: random.Random, size: int) -> list[str]:
    words: set[str] = set()
    while len(words) < size:
        words.add("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))))
    return sorted(words)


def synthetic_base(articles: list[Article], total: int, seed: int = 7) -> list[Article]:
    rng = random.Random(seed)
    vocab = pseudo_vocabulary(rng, 30_000)
    real = sorted({w for a in articles for w in (a.question + " " + a.answer).split()})
    out = list(articles)
    i = 0
    while len(out) < total:
        base = articles[i % len(articles)]
        i += 1

        def text(n_fake: int, n_real: int, base_text: str = "") -> str:
            words = base_text.split()[: rng.randint(0, 4)]
            words += rng.sample(vocab, n_fake) + rng.sample(real, n_real)
            rng.shuffle(words)
            return " ".join(words)

        out.append(
            Article(
                id=f"syn-{len(out):05d}",
                question=text(5, 3, base.question) + "?",
                answer=text(40, 25, base.answer),
                variants=[text(4, 2) for _ in range(rng.randint(1, 4))],
                language=base.language,
                tags=rng.sample(vocab, 2),
            )
        )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    with open(DEMO_KB, encoding="utf-8") as handle:
        demo = [Article.from_dict(json.loads(line)) for line in handle if line.strip()]
    examples = list(read_examples(EVAL_SET))
    rss_start, _ = rss_mb()

    base = synthetic_base(demo, args.articles)
    started = time.perf_counter()
    bot = Bot(base)
    build_s = time.perf_counter() - started
    rss_built, _ = rss_mb()

    latencies: list[float] = []
    for _ in range(args.rounds):
        for example in examples:
            t0 = time.perf_counter()
            bot.ask(example.text, example.language)
            latencies.append((time.perf_counter() - t0) * 1000)
    latencies.sort()
    p50 = statistics.median(latencies)
    p95 = latencies[int(0.95 * (len(latencies) - 1))]
    rss_now, rss_peak = rss_mb()
    big = evaluate(bot, examples)

    print(f"articles: {len(base)} ({len(demo)} demo + synthetic); build {build_s:.2f} s")
    print(
        f"latency over {len(latencies)} questions: p50 {p50:.2f} ms, p95 {p95:.2f} ms, "
        f"max {latencies[-1]:.2f} ms"
    )
    print(
        f"RSS: {rss_start:.0f} MB at start, {rss_built:.0f} MB after build, "
        f"{rss_now:.0f} MB after queries (peak {rss_peak:.0f} MB)"
    )
    print(
        f"with {len(base)} articles (distractors reuse real words; indicative only): "
        f"in-scope {big.in_scope_accuracy:.1%}, refusal {big.refusal_rate:.1%}"
    )
    print()
    for name, options in (("BM25 alone", BM25_ONLY), ("shipped", None)):
        result = evaluate(Bot(demo, options), examples)
        print(f"== {name} on the demo base ({len(demo)} articles)")
        print(report(result, max_rows=0))


if __name__ == "__main__":
    main()
