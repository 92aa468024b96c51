"""Benchmark of e-mail ingest from a local IMAP server (issue 22: "messages ingested per
minute from a local IMAP server with 10,000 messages, target ≥ 10,000/min on this machine").

Run from the repository root (not collected by pytest)::

    .venv/bin/python tests/bench/bench_mail.py                      # 10,000 messages, PostgreSQL
    .venv/bin/python tests/bench/bench_mail.py --advertising 0.3     # seed 003's mix
    .venv/bin/python tests/bench/bench_mail.py --messages 2000 --sqlite
    .venv/bin/python tests/bench/bench_mail.py --messages 1000 --profile  # where time goes

It starts Debian's dovecot with a throw-away configuration (tests/mail/dovecot.py), APPENDs N
messages (a tenth with a small PDF attached, a tenth replying by the protocol of an earlier
case, the rest new; with ``--advertising`` that share are newsletters, filed apart), creates a
fresh database (PostgreSQL on 127.0.0.1:5432 by default, dropped afterwards; ``--sqlite`` for a
file), migrates it, and times ``balcao.mail.imap.fetch_mailbox`` taking them all — each one a
committed record plus its case or message, the acknowledgement queued and sent to Django's
in-memory mail backend. It prints messages per minute, the split
of outcomes, the CPU and peak RSS of the ingest process and of its reader process (a backlog
is parsed by a second process: balcao.mail.imap.reader).
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _advertisement(n: int) -> bytes:
    """A newsletter as bulk senders write them (seed 003: about 30 % of the e-mail)."""
    msg = EmailMessage()
    msg["From"] = f"Ofertas {n % 40} <news{n % 40}@loja.example>"
    msg["To"] = "contato@agencia.gov.br"
    msg["Subject"] = f"Só hoje: {n % 70} % de desconto"
    msg["Message-ID"] = f"<promo-{n}@loja.example>"
    msg["List-Unsubscribe"] = f"<https://loja.example/sair?n={n}>"
    msg["Precedence"] = "bulk"
    msg.set_content("Aproveite as ofertas da semana. Para não receber mais, descadastre-se.\n")
    return msg.as_bytes()


def _message(n: int, protocol: str | None) -> bytes:
    msg = EmailMessage()
    msg["From"] = f"Pessoa {n} <pessoa{n % 3000}@example.org>"
    msg["To"] = "contato@agencia.gov.br"
    msg["Subject"] = (
        f"Re: [Protocolo {protocol}] mais informações" if protocol else f"Pedido {n}: dúvida"
    )
    msg["Message-ID"] = f"<bench-{n}@example.org>"
    msg.set_content(
        f"Bom dia. Escrevo sobre o pedido {n}: paguei a GRU e o pedido não aparece. "
        "Podem verificar? Obrigado.\n" * 3
    )
    if n % 10 == 5:
        msg.add_attachment(PDF, maintype="application", subtype="pdf", filename=f"gru-{n}.pdf")
    return msg.as_bytes()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--sqlite", action="store_true", help="a SQLite file, not PostgreSQL")
    parser.add_argument("--pg-url", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--profile", action="store_true", help="print where the time goes")
    parser.add_argument(
        "--advertising",
        type=float,
        default=0.0,
        help="share of advertising among the messages (seed 003 expects about 0.3)",
    )
    args = parser.parse_args()

    from tests.mail.dovecot import run_dovecot

    tmp = Path(tempfile.mkdtemp(prefix="bench_mail_"))
    (tmp / "var").mkdir()
    name = f"balcao_benchmail_{datetime.now(UTC):%Y%m%d_%H%M%S}"
    if args.sqlite:
        os.environ["DATABASE_URL"] = f"sqlite:///{tmp / 'bench.sqlite3'}"
    else:
        subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", name], check=True)  # noqa: S603, S607
        os.environ["DATABASE_URL"] = f"{args.pg_url}/{name}"
    os.environ.update(
        DJANGO_SETTINGS_MODULE="balcao.settings",
        BALCAO_VAR_DIR=str(tmp / "var"),
        BALCAO_DEBUG="0",
        SECRET_KEY="bench-" + "x" * 44,
        ALLOWED_HOSTS="127.0.0.1",
        BALCAO_SSL_REDIRECT="0",
    )
    try:
        with run_dovecot() as server:
            _run(server, args.messages, profile=args.profile, advertising=args.advertising)
    finally:
        if not args.sqlite:
            from django.db import connections

            connections.close_all()
            subprocess.run(  # noqa: S603
                ["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", "--force", name],  # noqa: S607
                check=False,
            )


def _run(server, count: int, *, profile: bool = False, advertising: float = 0.0) -> None:
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    call_command("migrate", verbosity=0)
    from imap_tools import MailBoxUnencrypted

    from balcao.cases.models import Workflow
    from balcao.catalog.models import Channel
    from balcao.mail import imap, secrets
    from balcao.mail.models import InboundMail, Mailbox

    channel = Channel.objects.create(
        slug="email",
        name="E-mail",
        kind="form",
        workflow=Workflow.objects.get(slug="helpdesk"),
        deadline_policy="pt-email-48h",
    )
    mailbox = Mailbox.objects.create(
        slug="contato",
        address="contato@agencia.gov.br",
        channel=channel,
        imap_host=server.host,
        imap_port=server.port,
        imap_tls=False,
        imap_user=server.user,
        imap_secret=secrets.seal(server.password),
    )
    # a tenth of the messages continue one of the first cases, by its protocol
    from django.utils import timezone

    from balcao.cases import protocol

    first = protocol.format_protocol(  # the first case's protocol, as the ingest numbers it
        settings.BALCAO_PROTOCOL_PATTERN,
        year=timezone.localdate().year,
        seq=1,
        unit=settings.BALCAO_PROTOCOL_UNIT,
    )
    t = time.monotonic()
    with MailBoxUnencrypted(server.host, server.port).login(server.user, server.password) as box:
        for n in range(1, count + 1):
            if (n * 37 % 100) < advertising * 100:  # spread evenly through the mailbox
                box.client.append("INBOX", None, None, _advertisement(n))
                continue
            reply_to = first if n % 10 == 7 else None
            box.client.append("INBOX", None, None, _message(n, reply_to))
    print(f"dovecot: {count:,} messages appended in {time.monotonic() - t:.1f} s")

    readers_peak_kb = _watch_reader_peak(imap)
    t, cpu = time.monotonic(), time.process_time()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    if profile:
        import cProfile
        import pstats

        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with cProfile.Profile() as prof, CaptureQueriesContext(connection) as queries:
            done = imap.fetch_mailbox(mailbox)
        elapsed = time.monotonic() - t
        prof.dump_stats("/tmp/bench_mail.prof")
        pstats.Stats(prof).sort_stats("cumulative").print_stats(40)
        print(f"{len(queries.captured_queries) / max(done.read, 1):.1f} queries per message")
        _print_query_kinds(queries.captured_queries)
    else:
        done = imap.fetch_mailbox(mailbox)
        elapsed = time.monotonic() - t
    cpu = time.process_time() - cpu
    after = resource.getrusage(resource.RUSAGE_CHILDREN)  # the reader process, once ended
    reader_cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    outcomes = {
        outcome: InboundMail.objects.filter(outcome=outcome).count()
        for outcome in InboundMail.Outcome.values
    }
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"ingest: {done.read:,} messages in {elapsed:.1f} s = "
        f"{done.read / elapsed * 60:,.0f} messages/min "
        f"({1000 * elapsed / max(done.read, 1):.1f} ms each; target ≥ 10,000/min)"
    )
    print(
        f"CPU of the ingest process: {1000 * cpu / max(done.read, 1):.1f} ms per message "
        f"({100 * cpu / elapsed:.0f} % of one core); of its reader process: "
        f"{1000 * reader_cpu / max(done.read, 1):.1f} ms ({100 * reader_cpu / elapsed:.0f} %)"
    )
    reader_rss = f"{max(readers_peak_kb, default=0) / 1024:.0f} MB"
    print(f"outcomes: {outcomes}; peak RSS {rss:.0f} MB (reader process {reader_rss})")


def _watch_reader_peak(imap) -> list[int]:
    """The reader process's peak RSS in kB (Linux's VmHWM), read as its fetch ends: the
    children's ``ru_maxrss`` would also count any process forked from this one."""
    import contextlib

    peaks: list[int] = []
    started = imap.reader

    @contextlib.contextmanager
    def reader(waiting: int):
        with started(waiting) as pool:
            try:
                yield pool
            finally:
                for pid in getattr(pool, "_processes", None) or {}:
                    with contextlib.suppress(OSError):
                        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                            if line.startswith("VmHWM:"):
                                peaks.append(int(line.split()[1]))

    imap.reader = reader
    return peaks


def _print_query_kinds(captured: list[dict]) -> None:
    """The statements run most often, by their first words (for --profile)."""
    from collections import Counter

    kinds = Counter(" ".join(q["sql"].split()[:4])[:90] for q in captured)
    for kind, n in kinds.most_common(60):
        print(f"{n:7,}  {kind}")


if __name__ == "__main__":
    main()
