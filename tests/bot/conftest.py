"""Fixtures for the bot's pure core: the demo knowledge base and a bot built over it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from balcao.bot.engine import Bot
from balcao.bot.retrieval import Article

REPO = Path(__file__).resolve().parents[2]
DEMO_KB = REPO / "balcao" / "kb" / "demo" / "inpi-kb.jsonl"
EVAL_SET = Path(__file__).resolve().parent / "data" / "inpi-eval.jsonl"
SHARED_BOT_DATA = REPO / ".." / "shared" / "data" / "bot"


def load_articles(path: Path = DEMO_KB) -> list[Article]:
    with open(path, encoding="utf-8") as handle:
        return [Article.from_dict(json.loads(line)) for line in handle if line.strip()]


@pytest.fixture(scope="session")
def demo_articles() -> list[Article]:
    return load_articles()


@pytest.fixture(scope="session")
def demo_bot(demo_articles: list[Article]) -> Bot:
    return Bot(demo_articles)
