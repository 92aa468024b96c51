"""Fixtures for the pure catalogue/triage tests (no Django, no database)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from balcao.catalog.recommender import ChannelInfo, channels_from_catalog, load_catalog

DATA = Path(__file__).parent / "data"
NEEDS_PATH = DATA / "triage-needs.jsonl"


@pytest.fixture(scope="session")
def catalog() -> dict[str, Any]:
    return load_catalog()


@pytest.fixture(scope="session")
def channels(catalog: dict[str, Any]) -> list[ChannelInfo]:
    return channels_from_catalog(catalog)


@pytest.fixture(scope="session")
def needs_path() -> Path:
    return NEEDS_PATH


@pytest.fixture(scope="session")
def needs(needs_path: Path) -> list[dict[str, Any]]:
    with needs_path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]
