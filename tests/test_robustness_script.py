"""``make robustness`` (scripts/robustness.py): the bot's right answers asked again the way
citizens type — the ways of typing it makes, and its table on a small base."""

from __future__ import annotations

import random
import subprocess
import sys

from tests import scripts

SCRIPT = scripts.SCRIPTS / "robustness.py"


def _script():
    return scripts.load("robustness")


def test_the_ways_of_typing() -> None:
    script = _script()
    assert script.shouted("Como renovo a CNH?") == "COMO RENOVO A CNH?"
    assert script.without_accents("Não sei a senha da habilitação") == (
        "Nao sei a senha da habilitacao"
    )
    text = "quero renovar minha habilitação vencida no sábado"
    typed = script.with_typos(text, random.Random(script.SEED))
    # the same slips on every run, only in long words, one letter each at most
    assert typed == script.with_typos(text, random.Random(script.SEED))
    assert typed != text
    for before, after in zip(text.split(), typed.split(), strict=True):
        if len(before) < script.TYPO_MIN_LENGTH:
            assert after == before
        else:
            assert abs(len(after) - len(before)) <= 1
            assert after[0] == before[0]


def test_it_prints_summary_figures_only_for_the_inpi_set() -> None:
    done = subprocess.run(  # noqa: S603 - our own script
        [sys.executable, str(SCRIPT), "inpi"], capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr[-2000:]
    rows = [line for line in done.stdout.splitlines() if line.startswith("| inpi |")]
    assert len(rows) == 1
    cells = [cell.strip() for cell in rows[0].strip("|").split("|")]
    assert cells[1] == "tuning" and int(cells[2]) > 150
    assert all("%" in cell for cell in cells[3:])
    # a question is never printed
    assert "?" not in done.stdout
