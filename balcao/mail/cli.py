"""``balcao mail parse PATH [PATH ...] [--json]`` (contract: ``../shared/contracts/mail.md``),
and the arguments and output of ``balcao mail report`` (below).

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
from datetime import date
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


# --- balcao mail report -------------------------------------------------------------------
# The figures come from balcao.mail.reports (the Django side loads them); the ``mail``
# management command wires the two, so that this module stays free of Django.


def _local_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"data inválida (use AAAA-MM-DD): {text}") from exc


def add_report_arguments(parser: argparse.ArgumentParser) -> None:
    """``--from YYYY-MM-DD --to YYYY-MM-DD [--mailbox SLUG] [--channel SLUG]
    [--format json|text]``."""
    parser.add_argument(
        "--from", dest="start", required=True, type=_local_date, metavar="YYYY-MM-DD",
        help="first local date received (inclusive)",
    )  # fmt: skip
    parser.add_argument(
        "--to", dest="end", required=True, type=_local_date, metavar="YYYY-MM-DD",
        help="last local date received (inclusive)",
    )  # fmt: skip
    parser.add_argument("--mailbox", help="only this mailbox (its slug)")
    parser.add_argument("--channel", help="only the mailboxes of this channel (its slug)")
    parser.add_argument("--format", choices=("json", "text"), default="text")


def _seconds(value: float | None) -> str:
    if value is None:
        return "—"
    minutes = round(value / 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min" if hours else f"{minutes} min"


def report_text(data: dict) -> str:
    """What a person reads of a report (``balcao.mail.reports.compute``)."""
    period = data["period"]
    scope = period.get("mailbox") or period.get("channel")
    lines = [
        f"Relatório de e-mail de {period['from']} a {period['to']}"
        + (f" ({scope})" if scope else "")
        + f" — hora local de {period['time_zone']}",
        "",
        "a') Recebidas e respondidas por dia (e publicidade, à parte)",
    ]
    for day, count in data["a_received_per_day"].items():
        lines.append(
            f"   {day}  recebidas {count:>5}  respondidas {data['a_answered_per_day'][day]:>5}"
            f"  publicidade {data['advertising_per_day'][day]:>5}"
        )
    totals = data["totals"]
    lines += [
        f"   total     recebidas {totals['received']:>5}  respondidas {totals['answered']:>5}"
        f"  publicidade {totals['advertising']:>5}",
        f"b') Recebidas dentro do horário (seg–sex, 9h–17h, sem feriados): "
        f"{data['b_inside_hours']}",
        f"c') Recebidas fora do horário: {data['c_outside_hours']}",
        "   Por hora: "
        + (", ".join(f"{h}h {n}" for h, n in data["per_hour"].items() if n) or "nenhuma"),
        "d') Por tema: "
        + (
            "; ".join(f"{theme or '(sem tema)'} {n}" for theme, n in data["d_by_theme"].items())
            or "nenhuma"
        ),
    ]
    forwarded = data["e_forwarded"]
    lines.append(
        f"e') Encaminhadas a unidades: {forwarded['messages']} mensagem(ns), "
        f"{forwarded['forwards']} encaminhamento(s), {forwarded['waiting']} à espera da unidade; "
        f"tempo na unidade: média {_seconds(forwarded['mean_seconds_at_unit'])}, "
        f"mediana {_seconds(forwarded['median_seconds_at_unit'])}"
    )
    for unit, figures in forwarded["by_unit"].items():
        lines.append(
            f"   {unit}: {figures['forwards']} encaminhamento(s), {figures['answered']} "
            f"respondido(s), média {_seconds(figures['mean_seconds_at_unit'])}"
        )
    clock = data["deadline"]
    ratio = clock["on_time_ratio"]
    lines += [
        f"Prazo de 48 horas ({clock['cases']} atendimento(s) aberto(s) por e-mail): "
        f"respondidas no prazo {clock['answered_on_time']}, fora do prazo "
        f"{clock['answered_late']}, abertas com prazo vencido {clock['open_overdue']}, "
        f"abertas no prazo {clock['open_on_time']}, sem prazo {clock['without_deadline']}"
        + (f"; no prazo: {ratio:.1%}" if ratio is not None else ""),
        f"Não contadas como recebidas: repetidas {totals['duplicate']}, avisos de não entrega "
        f"{totals['bounce']}, quarentena {totals['quarantine']}, respostas de unidades "
        f"{totals['unit-answer']}",
    ]
    return "\n".join(lines)


def write_report(data: dict, fmt: str, stdout: TextIO) -> None:
    """The report as one JSON object (keys: docs/mail.md) or as text."""
    if fmt == "json":
        stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
    else:
        stdout.write(report_text(data) + "\n")
