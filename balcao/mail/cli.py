"""``balcao mail parse PATH [PATH ...] [--json]`` (contract: ``../shared/contracts/mail.md``).

Runs without Django — no database, network, settings or secret, and it writes nothing: the
``balcao`` entry point hands ``mail parse`` straight here (``balcao/cli.py``); the ``mail``
management command calls the same ``run`` for ``manage.py`` users.

Exit status 0 once every path could be read (a message that cannot be parsed still gets its
line, with ``error`` set); 2 for a usage error: a path that does not exist, an unreadable file
or folder.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TextIO

from balcao.mail.parsing import ParsedMail, parse_bytes


class UsageError(Exception):
    """A path the command cannot read (exit status 2)."""


def _sources(paths: list[str]) -> list[tuple[str, Path | None]]:
    """(name, path) of every message to read, in order; ``-`` is standard input (None)."""
    found: list[tuple[str, Path | None]] = []
    for raw in paths:
        if raw == "-":
            found.append(("-", None))
            continue
        path = Path(raw)
        if path.is_dir():
            try:
                found.extend((p.name, p) for p in sorted(path.glob("*.eml")) if p.is_file())
            except OSError as exc:
                raise UsageError(f"não foi possível ler a pasta {raw}: {exc.strerror}") from exc
        elif path.is_file():
            found.append((path.name, path))
        else:
            raise UsageError(f"arquivo ou pasta não encontrado: {raw}")
    return found


def _read(name: str, path: Path | None, stdin) -> bytes:
    if path is None:
        return stdin.buffer.read() if hasattr(stdin, "buffer") else stdin.read().encode()
    try:
        return path.read_bytes()
    except OSError as exc:
        raise UsageError(f"não foi possível ler {path}: {exc.strerror}") from exc


def summary(mail: ParsedMail) -> str:
    """What a person reads for one message."""
    kinds = [
        label
        for flag, label in (
            (mail.bounce, "aviso de não entrega"),
            (mail.list, "lista de distribuição"),
            (mail.auto_reply and not (mail.bounce or mail.list), "resposta automática"),
        )
        if flag
    ]
    lines = [
        f"== {mail.file}",
        f"   De:        {mail.from_name + ' ' if mail.from_name else ''}<{mail.from_addr or '?'}>",
        f"   Assunto:   {mail.subject or '(sem assunto)'}",
        f"   Data:      {mail.date or '(sem data)'}",
        f"   Message-ID: {mail.message_id or '(nenhum)'}",
    ]
    if mail.in_reply_to or mail.references:
        lines.append(f"   Em resposta a: {mail.in_reply_to or mail.references[-1]}")
    lines.append(
        "   Tipo:      "
        + (", ".join(kinds) if kinds else "mensagem de uma pessoa")
        + ("" if mail.auto_reply else " (pode receber confirmação automática)")
    )
    if mail.attachments:
        lines.append("   Anexos:    " + ", ".join(mail.attachments))
    if mail.error:
        lines.append(f"   Problema:  {mail.error}")
    text = " ".join(mail.text.split())
    lines.append("   Texto:     " + (text[:300] + ("…" if len(text) > 300 else "") or "(vazio)"))
    return "\n".join(lines)


def run(paths: list[str], *, as_json: bool, stdout: TextIO, stdin=None) -> None:
    """Parse every message named by ``paths`` and print it; UsageError before any output
    when a path cannot be found."""
    stdin = stdin if stdin is not None else sys.stdin
    for name, path in _sources(paths):
        mail = parse_bytes(_read(name, path, stdin), file=name)
        if as_json:
            stdout.write(json.dumps(mail.as_dict(), ensure_ascii=False) + "\n")
        else:
            stdout.write(summary(mail) + "\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="balcao mail parse",
        description="O que o Balcão entende de cada mensagem de e-mail (.eml).",
    )
    parser.add_argument("paths", nargs="+", metavar="PATH", help=".eml, pasta de .eml ou -")
    parser.add_argument("--json", action="store_true", help="uma linha JSON por mensagem")
    options = parser.parse_args(argv)
    try:
        run(options.paths, as_json=options.json, stdout=sys.stdout)
    except UsageError as exc:
        sys.stderr.write(f"balcao mail parse: {exc}\n")
        return 2
    return 0
