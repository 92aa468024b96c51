"""Benchmark of the case list, filters, full-text search and API at scale on PostgreSQL.

Run from the repository root (not collected by pytest)::

    .venv/bin/python tests/bench/bench_cases.py                    # 1,000,000 cases, c=10 and 50
    .venv/bin/python tests/bench/bench_cases.py --cases 100000 --duration 10 --explain
    .venv/bin/python tests/bench/bench_cases.py --keep             # keep the database afterwards
    .venv/bin/python tests/bench/bench_cases.py --reuse balcao_bench_20261130_014500 --explain
    .venv/bin/python tests/bench/bench_cases.py --reuse … --server gunicorn,front,nginx --rounds 3

Needs PostgreSQL on 127.0.0.1:5432 (user postgres, trust; ``--pg-url`` to change) and,
for the load, Debian's ``wrk`` (``apt-get install -y wrk``); without it a Python
thread client in a subprocess is used instead (it saturates sooner: prefer wrk).

What it does (the cases-at-scale target, docs/benchmarks.md "Cases at 1 M"; DESIGN "What the
Python peer teaches"):

1. creates a fresh database ``balcao_bench_<timestamp>``, runs ``balcao migrate`` and
   ``balcao demo --cases 0`` against it (``DATABASE_URL``) and issues API tokens
   (scope ``cases:read``) for ``demo.supervisor``, who sees every case, and for
   ``demo.agent1``, who sees their own, their teams' and unqueued cases (an OR filter);
2. bulk-loads N cases with COPY (two processes): Portuguese subjects/descriptions built
   from the INPI knowledge-base phrasing, templates and a long tail of trademark names (so
   term selectivity is realistic), created over three years (more recent → more cases),
   helpdesk and chat workflow states by age, channels, teams, assignees, requesters for
   ~90 % (about 0.6 per case, some frequent); secondary indexes are dropped during the COPY
   and rebuilt with their own definitions; then the protocol sequences are set, the id
   sequences fixed and the tables VACUUM ANALYZEd;
3. starts the web server as ``balcao serve`` does: gunicorn sync workers over WSGI,
   ``--workers 2`` (``--server uvicorn`` runs ``balcao.asgi`` under uvicorn instead, as
   ``balcao serve --asgi`` does; ``--server nginx`` / ``--server front`` put gunicorn on a
   Unix socket behind the front ``balcao serve`` runs by default, nginx or the Python
   one, with an idle uvicorn beside it), with ``BALCAO_DEBUG=0``, ``SECRET_KEY``,
   ``ALLOWED_HOSTS=127.0.0.1``, ``BALCAO_SSL_REDIRECT=0``, on a free port
   (``--server-env KEY=VALUE`` adds to its environment; ``--tree DIR`` runs another
   source tree);
4. drives ``GET /api/v1/cases`` (list, deep cursor page, filters, full-text search,
   protocol) from a separate process at each concurrency for ``--duration`` seconds and
   prints p50/p95/p99 and requests/s per endpoint, the box's CPU use, the web workers' CPU
   per request, the peak number of PostgreSQL connections, and the RSS of each web worker
   (VmRSS from /proc) after the load;
5. with ``--explain``, prints EXPLAIN (ANALYZE, BUFFERS) of each endpoint's main query (the
   exact SQL the view runs, captured through the Django test client) and the number of
   queries per request; drops the database at the end unless ``--keep``/``--reuse``.

Closed-loop clients: at concurrency C against 2 processes the latency floor is about
C / throughput, so p95 at c=50 mostly measures throughput; c=10 (or c=1) shows service time.
"""

from __future__ import annotations

import argparse
import base64
import bisect
import contextlib
import json
import math
import multiprocessing as mp
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg

from balcao.cases.protocol import mod11_digit
from balcao.documents import generate_cpf
from balcao.ops import nginx

REPO = Path(__file__).resolve().parents[2]
TREE = REPO  # the source tree under test (--tree: e.g. a `git archive HEAD` snapshot)
EXTRA_PATH: list[str] = []  # --pythonpath: e.g. packages a candidate fix needs
BALCAO = [sys.executable, "-m", "balcao.cli"]


def kb_file() -> Path:
    return TREE / "balcao" / "kb" / "demo" / "inpi-kb.jsonl"


SECRET = "bench-secret-key-" + "x" * 40  # noqa: S105 — throwaway database

# --- text --------------------------------------------------------------------------

OPENERS = [
    "Dúvida sobre",
    "Problema com",
    "Solicitação de",
    "Reclamação sobre",
    "Informação sobre",
    "Erro no",
    "Atraso na análise do",
    "Pedido de revisão do",
    "Como consultar o",
    "Não consigo concluir o",
    "Esclarecimento sobre",
    "Urgente:",
    "Ajuda com",
    "Questionamento sobre",
    "Orientação para",
    "Falha no",
    "Consulta sobre",
    "Demora no",
]
TOPICS = [
    "pedido de registro de marca",
    "depósito de patente",
    "pagamento da GRU",
    "emissão de certidão",
    "recurso contra indeferimento",
    "cumprimento de exigência",
    "acesso ao e-INPI",
    "busca de anterioridade",
    "transferência de titularidade",
    "prorrogação de registro",
    "anuidade de patente",
    "contrato de tecnologia",
    "registro de desenho industrial",
    "indicação geográfica",
    "registro de programa de computador",
    "oposição ao pedido",
    "processo administrativo de nulidade",
    "restauração de pedido",
    "boleto vencido",
    "devolução de taxa",
    "senha do sistema",
    "procuração eletrônica",
    "publicação na RPI",
    "exame técnico",
    "exame formal",
    "alteração de endereço do titular",
    "cópia de processo",
    "petição de recurso",
    "classificação de Nice",
    "prioridade unionista",
    "agendamento de atendimento",
    "certificado de registro",
    "divisão do pedido",
    "exigência preliminar",
    "protocolo de petição",
    "taxa de concessão",
    "arquivamento do pedido",
    "apostilamento",
    "retificação de dados",
    "caducidade da marca",
    "licença de uso",
    "averbação de contrato",
    "sigilo do pedido",
    "vista do processo",
    "parecer técnico",
]
SUFFIXES = [
    "",
    "",
    "",
    "",
    " — urgente",
    " (processo {num})",
    " da marca {brand}",
    " para empresa de {sector}",
    " em {city}",
    " pela segunda vez",
    " desde {month}",
]
SECTORS = [
    "alimentos",
    "cosméticos",
    "software",
    "vestuário",
    "bebidas",
    "farmacêutica",
    "agronegócio",
    "construção civil",
    "educação",
    "turismo",
    "biotecnologia",
    "mineração",
    "calçados",
    "moveleira",
    "brinquedos",
    "energia solar",
    "pescados",
]
CITIES = [
    "São Paulo",
    "Rio de Janeiro",
    "Belo Horizonte",
    "Porto Alegre",
    "Curitiba",
    "Recife",
    "Salvador",
    "Fortaleza",
    "Belém",
    "Manaus",
    "Goiânia",
    "Florianópolis",
    "Vitória",
    "Natal",
    "João Pessoa",
    "Maceió",
    "Teresina",
    "São Luís",
    "Cuiabá",
    "Campo Grande",
    "Aracaju",
    "Palmas",
    "Macapá",
    "Boa Vista",
    "Porto Velho",
    "Rio Branco",
    "Brasília",
    "Campinas",
    "Joinville",
    "Londrina",
    "Uberlândia",
]
MONTHS = [
    "janeiro",
    "fevereiro",
    "março",
    "abril",
    "maio",
    "junho",
    "julho",
    "agosto",
    "setembro",
    "outubro",
    "novembro",
    "dezembro",
]
SENTENCES = [
    "Preciso de ajuda com o {topic} que fiz em {month}.",
    "Já tentei pelo sistema várias vezes e aparece uma mensagem de erro.",
    "O boleto venceu antes que eu conseguisse pagar e não sei como emitir outro.",
    "Meu escritório atende uma empresa de {sector} em {city} e precisamos de orientação.",
    "Gostaria de saber o prazo para {topic}.",
    "O processo {num} está parado há meses sem nenhuma publicação.",
    "Recebi uma exigência técnica e não entendi o que devo apresentar.",
    "A certidão emitida saiu com o nome do titular errado.",
    "Fiz o pagamento da GRU mas o sistema não reconhece a quitação.",
    "Solicito cópia integral do processo para instruir uma ação judicial.",
    "A marca {brand} foi indeferida e quero apresentar recurso.",
    "Encontrei uma marca parecida com a nossa, {brand}, e quero saber como me opor.",
    "Sou inventor independente e quero proteger uma invenção na área de {sector}.",
    "Não consigo acessar o e-INPI com meu certificado digital.",
    "A senha foi bloqueada depois de três tentativas.",
    "Quero transferir a titularidade do registro para a nova empresa.",
    "O atendimento anterior não resolveu o meu problema.",
    "Agradeço a atenção e aguardo retorno.",
    "Peço urgência porque temos um lançamento marcado para {month}.",
    "O protocolo do atendimento anterior era {num}.",
    "Moro em {city} e não posso comparecer presencialmente.",
    "Qual é a classe correta para produtos de {sector}?",
    "A publicação na revista saiu com erro de digitação.",
    "Quero restaurar um pedido arquivado por falta de pagamento da anuidade.",
    "Solicito informação sobre o andamento do exame de mérito.",
    "Fui cobrado duas vezes pela mesma retribuição.",
    "Preciso da segunda via do certificado de registro.",
    "Como faço a averbação de um contrato de licença de uso de marca?",
    "O sistema apresentou falha ao anexar a procuração em PDF.",
    "Estou insatisfeito com a demora e gostaria de registrar uma reclamação formal.",
]
RARE_WORD = "quintarela"  # planted in about 1 case in 10,000
RARE_RATE = 1 / 10_000
SYLLABLES = [c + v for c in "bcdfglmnprstvxz" for v in "aeiou"] + ["tra", "ple", "bro", "quin"]
FIRST_NAMES = [
    "Ana",
    "Bruno",
    "Carla",
    "Diego",
    "Elisa",
    "Fábio",
    "Gabriela",
    "Heitor",
    "Iara",
    "João",
    "Karina",
    "Luís",
    "Marina",
    "Nelson",
    "Olívia",
    "Paulo",
    "Rita",
    "Sérgio",
    "Tânia",
    "Vítor",
    "Wanda",
    "Yuri",
    "Zélia",
    "Marcos",
    "Patrícia",
    "Rafael",
]
LAST_NAMES = [
    "Silva",
    "Souza",
    "Oliveira",
    "Santos",
    "Pereira",
    "Lima",
    "Carvalho",
    "Ferreira",
    "Almeida",
    "Costa",
    "Gomes",
    "Ribeiro",
    "Martins",
    "Rocha",
    "Barbosa",
    "Araújo",
]

# channel slug → share of cases
CHANNEL_SHARE = {
    "chatbot": 30,
    "fale-conosco": 25,
    "conecta-todos": 8,
    "comex-responde": 5,
    "ouvidoria": 8,
    "sic": 6,
    "telepresencial": 8,
    "reclame-aqui": 7,
    "resolucao-pacifica": 3,
}
DUE_DAYS = {"fale-conosco": 7, "inpi-ouvidoria": 30, "lai": 20, "chat-idle-20min": 0}
# workflow → (state weights for cases older than 30 days, weights for recent ones)
STATE_WEIGHTS = {
    "helpdesk": (
        {
            "resolvido": 20,
            "encerrado": 65,
            "cancelado": 8,
            "aguardando-requerente": 3,
            "aguardando-terceiros": 2,
            "em-atendimento": 2,
        },
        {
            "novo": 25,
            "em-atendimento": 30,
            "aguardando-requerente": 15,
            "aguardando-terceiros": 8,
            "resolvido": 15,
            "encerrado": 5,
            "cancelado": 2,
        },
    ),
    "chat": (
        {
            "concluido": 60,
            "chat-concluido-pelo-usuario": 25,
            "cancelado": 5,
            "chat-off-line": 5,
            "em-desenvolvimento-fabrica": 2,
            "finalizado-fabrica": 1,
            "aguardando-retorno-cliente": 2,
        },
        {
            "atendimento-nao-iniciado": 15,
            "agendado": 8,
            "em-atendimento": 20,
            "aguardando-retorno-cliente": 10,
            "em-desenvolvimento-fabrica": 7,
            "finalizado-fabrica": 5,
            "chat-off-line": 5,
            "chat-concluido-pelo-usuario": 15,
            "concluido": 15,
        },
    ),
}
SPAN_DAYS = 3 * 365


def kb_phrases() -> list[str]:
    """Questions and variants of the demo knowledge base (real requester phrasing)."""
    phrases = []
    for line in kb_file().read_text(encoding="utf-8").splitlines():
        item = json.loads(line)
        if item.get("language", "pt").startswith("pt"):
            phrases.append(item["question"])
            phrases.extend(item.get("variants") or [])
    return phrases


def brand_names(rng: random.Random, size: int) -> list[str]:
    words: set[str] = set()
    while len(words) < size:
        word = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))
        if word != RARE_WORD:
            words.add(word.capitalize())
    return sorted(words)


def unique_cpfs(seed: int) -> Iterator[str]:
    """Made-up valid CPFs, none twice (a requester's CPF is unique in the database)."""
    rng = random.Random(f"{seed}-cpf")
    seen: set[str] = set()
    while True:
        cpf = generate_cpf(rng)
        if cpf not in seen:
            seen.add(cpf)
            yield cpf


def protocol_for(year: int, seq: int) -> str:
    """A protocol number in the default pattern ``{year:04d}.{seq:06d}-{dv}``, as
    balcao.cases.protocol.format_protocol renders it (written out: three times faster)."""
    head = f"{year:04d}.{seq:06d}"
    return f"{head}-{mod11_digit(head.replace('.', ''))}"


# --- database set-up ---------------------------------------------------------------


def db_url(base: str, name: str) -> str:
    parts = urllib.parse.urlsplit(base)
    return urllib.parse.urlunsplit(parts._replace(path="/" + name))


def balcao_env(url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=url,
        SECRET_KEY=SECRET,
        BALCAO_DEBUG="0",
        BALCAO_SSL_REDIRECT="0",
        ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        PYTHONUNBUFFERED="1",
        PYTHONPATH=os.pathsep.join([str(TREE), *EXTRA_PATH]),
    )
    env.pop("REDIS_URL", None)
    return env


def run(cmd: list[str], env: dict[str, str]) -> str:
    result = subprocess.run(cmd, env=env, cwd=TREE, capture_output=True, text=True)  # noqa: S603
    if result.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def create_database(pg_url: str, name: str) -> None:
    with psycopg.connect(db_url(pg_url, "postgres"), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')


def drop_database(pg_url: str, name: str) -> None:
    with psycopg.connect(db_url(pg_url, "postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# --- bulk load ---------------------------------------------------------------------


def created_epoch(i: int, n: int, start: float, end: float) -> float:
    """Creation time of the i-th case (0-based): monotone, denser towards the present
    (the agency grows), with jitter inside each case's slot so ids follow time."""
    span = end - start
    u0, u1 = (i / n) ** 0.8, ((i + 1) / n) ** 0.8
    jitter = random.Random(i).random()
    return start + span * (u0 + (u1 - u0) * jitter)


def load_reference(conn) -> dict:
    cur = conn.cursor()
    ref = {}
    cur.execute(
        "SELECT c.id, c.slug, w.slug, c.deadline_policy FROM catalog_channel c "
        "JOIN cases_workflow w ON w.id = c.workflow_id"
    )
    ref["channels"] = {slug: (cid, wf, policy) for cid, slug, wf, policy in cur.fetchall()}
    cur.execute(
        "SELECT s.id, s.slug, s.category, w.slug FROM cases_state s "
        "JOIN cases_workflow w ON w.id = s.workflow_id"
    )
    ref["states"] = {(wf, slug): (sid, category) for sid, slug, category, wf in cur.fetchall()}
    cur.execute("SELECT id, slug FROM catalog_service")
    ref["services"] = {slug: sid for sid, slug in cur.fetchall()}
    cur.execute("SELECT id, slug FROM cases_team")
    ref["teams"] = {slug: tid for tid, slug in cur.fetchall()}
    cur.execute(
        "SELECT m.team_id, u.id FROM cases_teammembership m "
        "JOIN accounts_user u ON u.id = m.user_id ORDER BY u.id"
    )
    members: dict[int, list[int]] = {}
    for team_id, user_id in cur.fetchall():
        members.setdefault(team_id, []).append(user_id)
    ref["members"] = members
    return ref


CASE_FIELDS = {
    "id",
    "protocol",
    "channel_id",
    "service_id",
    "subject",
    "description",
    "requester_id",
    "representative_id",
    "organisation_id",
    "team_id",
    "assignee_id",
    "priority",
    "state_id",
    "created_at",
    "updated_at",
    "closed_at",
    "deadline_policy",
    "due_at",
}


def case_columns(conn) -> list[str]:
    """The cases_case columns the loader fills; columns added later must be nullable."""
    rows = conn.execute(
        "SELECT column_name, is_nullable, column_default, is_generated "
        "FROM information_schema.columns WHERE table_name = 'cases_case' "
        "ORDER BY ordinal_position"
    ).fetchall()
    missing = [
        name
        for name, nullable, default, generated in rows
        if name not in CASE_FIELDS and generated != "ALWAYS" and nullable == "NO" and not default
    ]
    if missing:
        sys.exit(f"the loader does not fill NOT NULL column(s) {missing}: update bench_cases.py")
    return [name for name, _, _, _ in rows if name in CASE_FIELDS]


def weighted(rng: random.Random, table: dict[str, int]):
    keys = list(table)
    return rng.choices(keys, weights=[table[k] for k in keys])[0]


def copy_cases(
    url: str,
    lo: int,
    hi: int,
    n: int,
    start: float,
    end: float,
    seq_base: dict[int, int],
    year_first: dict[int, int],
    n_requesters: int,
    ref: dict,
    columns: list[str],
    seed: int,
) -> int:
    """COPY cases with ids lo+1 … hi (one process)."""
    rng = random.Random(seed * 1_000_003 + lo)
    phrases = kb_phrases()
    brands = brand_names(random.Random(seed), 60_000)
    service_slugs = list(ref["services"])
    teams, members, states = ref["teams"], ref["members"], ref["states"]
    frequent = max(1, n_requesters // 20)
    now = end
    years = sorted(year_first)
    firsts = [year_first[y] for y in years]
    with psycopg.connect(url) as conn, conn.cursor() as cur:
        cur.execute("SET session_replication_role = replica")  # FKs are consistent by build
        cur.execute("SET synchronous_commit = off")
        with cur.copy(f"COPY cases_case ({', '.join(columns)}) FROM STDIN") as copy:
            for i in range(lo, hi):
                case_id = i + 1
                ts = created_epoch(i, n, start, end)
                created = datetime.fromtimestamp(ts, UTC)
                year = years[bisect.bisect_right(firsts, i) - 1]
                seq = i - year_first[year] + 1 + seq_base.get(year, 0)
                channel = weighted(rng, CHANNEL_SHARE)
                channel_id, workflow, policy = ref["channels"][channel]
                service = rng.choice(service_slugs)
                brand = rng.choice(brands)
                fill = {
                    "topic": rng.choice(TOPICS),
                    "num": protocol_for(rng.randint(2019, 2026), rng.randint(1, 400_000)),
                    "brand": brand,
                    "sector": rng.choice(SECTORS),
                    "city": rng.choice(CITIES),
                    "month": rng.choice(MONTHS),
                }
                subject = (
                    f"{rng.choice(OPENERS)} {fill['topic']}{rng.choice(SUFFIXES).format(**fill)}"
                )[:250]
                parts = [rng.choice(phrases)] if rng.random() < 0.6 else []
                for _ in range(rng.randint(1, 4)):
                    fill["topic"] = rng.choice(TOPICS)
                    fill["brand"] = rng.choice(brands)
                    parts.append(rng.choice(SENTENCES).format(**fill))
                if rng.random() < RARE_RATE:
                    parts.append(f"Menciono também o caso da marca {RARE_WORD.capitalize()}.")
                rng.shuffle(parts)
                description = " ".join(parts)
                age_days = (now - ts) / 86400
                old, recent = STATE_WEIGHTS[workflow]
                state_slug = weighted(rng, old if age_days > 30 else recent)
                state_id, category = states[(workflow, state_slug)]
                if channel in ("ouvidoria", "sic", "reclame-aqui"):
                    team = "ouvidoria"
                elif service in ("marcas", "patentes"):
                    team = service if rng.random() < 0.8 else "atendimento-n1"
                else:
                    team = "atendimento-n1"
                team_id = teams.get(team) if rng.random() > 0.05 else None
                terminal = category in ("resolved", "closed")
                assignee = None
                if team_id is not None and (
                    terminal
                    or state_slug not in ("novo", "atendimento-nao-iniciado")
                    or rng.random() < 0.3
                ):
                    assignee = rng.choice(members.get(team_id) or [None])
                closed = created + timedelta(hours=rng.uniform(0.2, 24 * 20)) if terminal else None
                if closed is not None and closed.timestamp() > now:
                    closed = datetime.fromtimestamp(now, UTC)
                updated = closed or min(
                    created + timedelta(hours=rng.uniform(0, 72)), datetime.fromtimestamp(now, UTC)
                )
                due_days = DUE_DAYS.get(policy or "", 0)
                due = created + timedelta(days=due_days) if due_days else None
                requester = None
                if rng.random() < 0.9:
                    requester = (
                        rng.randint(1, frequent)
                        if rng.random() < 0.3
                        else rng.randint(1, n_requesters)
                    )
                row = {
                    "id": case_id,
                    "protocol": protocol_for(year, seq),
                    "channel_id": channel_id,
                    "service_id": ref["services"][service],
                    "subject": subject,
                    "description": description,
                    "requester_id": requester,
                    "representative_id": None,
                    "organisation_id": None,
                    "team_id": team_id,
                    "assignee_id": assignee,
                    "priority": rng.choices([1, 2, 3, 4], weights=[10, 70, 15, 5])[0],
                    "state_id": state_id,
                    "created_at": created,
                    "updated_at": updated,
                    "closed_at": closed,
                    "deadline_policy": policy or "",
                    "due_at": due,
                }
                copy.write_row([row[c] for c in columns])
        conn.commit()
    return hi - lo


def copy_requesters(url: str, count: int, seed: int) -> None:
    rng = random.Random(seed)
    cpfs = unique_cpfs(seed)
    now = datetime.now(UTC)
    with psycopg.connect(url) as conn, conn.cursor() as cur:
        cur.execute("SET synchronous_commit = off")
        cols = [
            "id",
            "name",
            "email",
            "phone",
            "cpf",
            "cnpj",
            "nif",
            "preferred_language",
            "organisation_id",
            "created_at",
            "unverified",
            "claimed_cpf",
            "claimed_cnpj",
            "claimed_nif",
            "linked_via",
        ]
        with cur.copy(f"COPY cases_requester ({', '.join(cols)}) FROM STDIN") as copy:
            for k in range(1, count + 1):
                name = " ".join(
                    [rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES), rng.choice(LAST_NAMES)]
                )
                email = f"requerente{k}@exemplo.invalid" if rng.random() < 0.85 else ""
                phone = (
                    f"+55 {rng.randint(11, 99)} "
                    f"9{rng.randint(1000, 9999)}-{rng.randint(1000, 9999)}"
                )
                doc = next(cpfs) if rng.random() < 0.8 else None
                copy.write_row(
                    [
                        k,
                        name,
                        email,
                        phone,
                        doc,
                        None,
                        None,
                        "pt-br",
                        None,
                        now - timedelta(days=rng.uniform(0, SPAN_DAYS)),
                        False,
                        "",
                        "",
                        "",
                        "",
                    ]
                )
        conn.commit()


def bulk_load(url: str, n: int, seed: int, procs: int) -> dict:
    """Load n cases (and requesters); returns timings."""
    timings = {}
    t0 = time.monotonic()
    end = time.time() - 600
    start = end - SPAN_DAYS * 86400
    with psycopg.connect(url, autocommit=True) as conn:
        ref = load_reference(conn)
        columns = case_columns(conn)
        existing = conn.execute("SELECT count(*) FROM cases_case").fetchone()[0]
        if existing:
            sys.exit(f"cases_case already has {existing} rows: load into a fresh database")
        # Secondary indexes (not the primary key nor the unique protocol) are rebuilt after.
        index_defs = conn.execute(
            "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = 'cases_case' "
            "AND i.indexname NOT IN (SELECT conname FROM pg_constraint "
            "WHERE conrelid = 'cases_case'::regclass)"
        ).fetchall()
        for name, _ in index_defs:
            conn.execute(f'DROP INDEX "{name}"')
    # Year boundaries for protocol sequences (scope = year with the default pattern).
    year_first: dict[int, int] = {}
    for i in range(n):
        year = datetime.fromtimestamp(created_epoch(i, n, start, end), UTC).year
        year_first.setdefault(year, i)
    n_requesters = max(1, int(n * 0.6))
    ctx = mp.get_context("fork")
    chunk = math.ceil(n / procs)
    with ctx.Pool(procs + 1) as pool:
        req = pool.apply_async(copy_requesters, (url, n_requesters, seed))
        jobs = [
            pool.apply_async(
                copy_cases,
                (
                    url,
                    lo,
                    min(n, lo + chunk),
                    n,
                    start,
                    end,
                    {},
                    year_first,
                    n_requesters,
                    ref,
                    columns,
                    seed,
                ),
            )
            for lo in range(0, n, chunk)
        ]
        for job in jobs:
            job.get()
        req.get()
    timings["copy_s"] = time.monotonic() - t0

    t1 = time.monotonic()

    def build(defs):
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("SET maintenance_work_mem = '512MB'")
            conn.execute("SET max_parallel_maintenance_workers = 0")
            for _, definition in defs:
                conn.execute(definition)

    # GIN first on one connection, the b-trees on the other (two cores).
    gin = [d for d in index_defs if "USING gin" in d[1]]
    btree = [d for d in index_defs if "USING gin" not in d[1]]
    threads = [threading.Thread(target=build, args=(part,)) for part in (gin, btree) if part]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    timings["indexes_s"] = time.monotonic() - t1

    t2 = time.monotonic()
    with psycopg.connect(url, autocommit=True) as conn:
        for table in ("cases_case", "cases_requester"):
            conn.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                f"(SELECT max(id) FROM {table}))"
            )
        counts = {}
        for year, first in sorted(year_first.items()):
            following = [f for y, f in year_first.items() if y > year]
            counts[year] = (min(following) if following else n) - first
        for year, last in counts.items():
            conn.execute(
                "INSERT INTO cases_protocolsequence (scope, last_value) VALUES (%s, %s) "
                "ON CONFLICT (scope) DO UPDATE SET last_value = EXCLUDED.last_value",
                (str(year), last),
            )
        conn.execute("VACUUM (ANALYZE) cases_case")
        conn.execute("VACUUM (ANALYZE) cases_requester")
        size = conn.execute(
            "SELECT pg_size_pretty(pg_total_relation_size('cases_case')), "
            "pg_size_pretty(pg_database_size(current_database()))"
        ).fetchone()
    timings["vacuum_s"] = time.monotonic() - t2
    timings["total_s"] = time.monotonic() - t0
    timings["requesters"] = n_requesters
    timings["table_size"], timings["db_size"] = size
    return timings


# --- server ------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


SERVERS = ("gunicorn", "uvicorn", "front", "nginx")


def server_command(kind: str, port: int, workers: int) -> list[str]:
    """What ``balcao serve`` runs (gunicorn, WSGI) or ``balcao serve --asgi`` (uvicorn)."""
    if kind == "uvicorn":
        return [
            sys.executable,
            "-m",
            "uvicorn",
            "balcao.asgi:application",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--no-access-log",
            "--log-level",
            "warning",
        ]
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "balcao.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        "sync",
        "--timeout",
        "120",
        "--log-level",
        "warning",
    ]


def start_server(
    env: dict[str, str], port: int, workers: int, kind: str = "gunicorn"
) -> subprocess.Popen:
    """The web server on ``port``. ``front`` and ``nginx`` are what ``balcao serve`` runs
    by default (issue 24): gunicorn and an idle uvicorn (for ``/ws/``) on Unix sockets in a
    private folder, behind ``balcao.ops.front`` (gunicorn with ``--proxy-protocol v1``) or
    nginx (``balcao.ops.nginx``'s configuration; gunicorn serving its WSGI wrapper) on
    ``port``. The front's CPU (nginx: master and worker) counts in web ms/req."""
    env = dict(env, ALLOWED_HOSTS="127.0.0.1")
    extra, front = [], None
    sockets = None
    if kind in ("front", "nginx"):
        sockets = Path(tempfile.mkdtemp(prefix="balcao-bench-sockets-"))
        http, ws = sockets / "http.sock", sockets / "ws.sock"
        cmd = server_command("gunicorn", 0, workers)
        cmd[cmd.index("--bind") + 1] = f"unix:{http}"
        uvicorn = server_command("uvicorn", 0, 1)
        at = uvicorn.index("--host")
        uvicorn[at : at + 4] = ["--uds", str(ws)]
        if kind == "front":
            cmd += ["--proxy-protocol", "v1"]
            front_cmd = [sys.executable, "-m", "balcao.ops.front", "--listen", f"127.0.0.1:{port}"]
            front_cmd += ["--http", f"unix:{http}", "--ws", f"unix:{ws}"]
            env["BALCAO_BEHIND_FRONT"] = "1"
        else:
            binary = nginx.find_nginx()
            if binary is None:
                sys.exit("--server nginx: nginx is not installed (scripts/ensure-nginx.sh)")
            cmd[cmd.index("balcao.wsgi:application")] = nginx.WSGI_APPLICATION
            # GET requests only: the body limit is balcao serve's default (5 × 25 MB + 5 MB)
            config = nginx.render_config(
                "127.0.0.1", port, http, ws, sockets, max_body=130 * 1024 * 1024
            )
            nginx.write_config(sockets, config)
            front_cmd = nginx.command(binary, sockets)
            env["BALCAO_BEHIND_FRONT"] = "nginx"
        extra.append(subprocess.Popen(uvicorn, env=env, cwd=TREE, start_new_session=True))  # noqa: S603
        front = subprocess.Popen(front_cmd, env=env, cwd=TREE, start_new_session=True)  # noqa: S603
        extra.append(front)
    else:
        cmd = server_command(kind, port, workers)
    server = subprocess.Popen(cmd, env=env, cwd=TREE, start_new_session=True)  # noqa: S603
    server.extra, server.front, server.sockets = extra, front, sockets
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/openapi.json", timeout=2):
                return server
        except OSError:
            if server.poll() is not None or (front is not None and front.poll() is not None):
                stop_server(server)
                sys.exit(f"{kind} exited during start-up")
            time.sleep(0.3)
    stop_server(server)
    sys.exit(f"{kind} did not start within 60 s")


def front_pids(server: subprocess.Popen) -> list[int]:
    """The front's processes (nginx: its master and its worker), whose CPU counts too."""
    front = getattr(server, "front", None)
    return [] if front is None else [front.pid, *child_pids(front.pid)]


def stop_server(server: subprocess.Popen) -> None:
    for other in getattr(server, "extra", []):
        stop_server(other)
    if server.poll() is None:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
    if getattr(server, "sockets", None) is not None:
        shutil.rmtree(server.sockets, ignore_errors=True)


def child_pids(pid: int) -> list[int]:
    pids = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with contextlib.suppress(OSError):
            pids += [int(p) for p in (task / "children").read_text().split()]
    return pids


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time used so far by ``pids``."""
    total = 0
    for pid in pids:
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def web_workers(server_pid: int) -> list[int]:
    """The server's worker processes (children that run the app, not uvicorn's
    multiprocessing resource tracker)."""
    workers = []
    for pid in child_pids(server_pid):
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")
        except OSError:
            continue
        if b"resource_tracker" not in cmdline:
            workers.append(pid)
    return workers


# --- load generation ---------------------------------------------------------------

WRK_LUA = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '\\nBENCH {"requests": %d, "duration_us": %d, "errors": %d, "non2xx": %d, ' ..
    '"p50": %d, "p95": %d, "p99": %d, "max": %d}\\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max))
end
"""

# Fallback load generator (a separate process) when wrk is not installed.
LOAD_CLIENT = Path(__file__).resolve().parent / "loadclient.py"


def drive(
    port: int, path: str, header: str, concurrency: int, duration: float, lua: str | None
) -> dict:
    """Closed-loop load on ``path`` with ``header`` ("Authorization: Bearer …",
    "Cookie: sessionid=…", or "" for none) on every request."""
    if lua:
        threads = min(2, concurrency)
        cmd = [
            "wrk",
            f"-t{threads}",
            f"-c{concurrency}",
            f"-d{int(duration)}s",
            "--timeout",
            "10s",
            "-s",
            lua,
            *(["-H", header] if header else []),
            f"http://127.0.0.1:{port}{path}",
        ]
    else:
        cmd = [
            sys.executable,
            str(LOAD_CLIENT),
            "127.0.0.1",
            str(port),
            path,
            str(concurrency),
            str(duration),
            header,
        ]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=duration + 120)  # noqa: S603
    for line in out.stdout.splitlines():
        if line.startswith("BENCH "):
            return json.loads(line[6:])
    raise RuntimeError(f"load generator failed: {out.stdout}\n{out.stderr}")


def cpu_times() -> tuple[float, float]:
    """(busy, total) jiffies of the whole box, to report how busy it was."""
    fields = [float(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = fields[3] + fields[4]
    return sum(fields) - idle, sum(fields)


class ConnectionSampler(threading.Thread):
    """Peak number of PostgreSQL backends connected to the benchmark database."""

    def __init__(self, pg_url: str, name: str):
        super().__init__(daemon=True)
        self.pg_url, self.name, self.peak, self.stop = pg_url, name, 0, threading.Event()

    def run(self) -> None:
        with psycopg.connect(db_url(self.pg_url, "postgres"), autocommit=True) as conn:
            while not self.stop.wait(0.5):
                count = conn.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = %s", (self.name,)
                ).fetchone()[0]
                self.peak = max(self.peak, count)


def get_page(port: int, path: str, header: str) -> tuple[int, float]:
    """(cases on the page, milliseconds) of one request: JSON items or console rows."""
    name, _, value = header.partition(": ")
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={name: value})
    t = time.perf_counter()
    with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
        raw = response.read()
        final_url = response.geturl()
    ms = (time.perf_counter() - t) * 1000
    if path.startswith("/console/"):
        if "/login" in final_url:
            sys.exit(f"{path}: the console sent the benchmark session to the login page")
        if re.search(r"/console/atendimentos/\d+/$", path):
            return int(b"Enviar resposta" in raw), ms  # the case page: one case
        return raw.decode().count('<td><a href="/console/atendimentos/'), ms
    return len(json.loads(raw)["items"]), ms


CONSOLE_SESSION = r"""
import sys
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.utils.module_loading import import_string
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
from balcao.accounts.models import User
user = User.objects.get(username="demo.USERNAME")
device, _ = TOTPDevice.objects.get_or_create(user=user, name="benchmark",
                                             defaults={"confirmed": True})
store = import_string(settings.SESSION_ENGINE + ".SessionStore")()
store[SESSION_KEY] = str(user.pk)
store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
store[HASH_SESSION_KEY] = user.get_session_auth_hash()
store[DEVICE_ID_SESSION_KEY] = device.persistent_id
store.create()
print(store.session_key)
"""


# --- scenarios ---------------------------------------------------------------------


def encode_cursor(created: datetime, pk: int) -> str:
    raw = f"{created.isoformat()}|{pk}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def scenarios(url: str, case_page: int | None = None) -> list[tuple[str, str, str]]:
    """(label, path, who): who is "supervisor" (sees every case) or "agent" (demo.agent1:
    their own cases, their teams' and the unqueued ones — the OR visibility filter)."""
    with psycopg.connect(url) as conn:
        n = conn.execute("SELECT count(*) FROM cases_case").fetchone()[0]
        created, pk = conn.execute(
            "SELECT created_at, id FROM cases_case ORDER BY created_at DESC, id DESC "
            "OFFSET %s LIMIT 1",
            (n // 2,),
        ).fetchone()
        protocol = conn.execute(
            "SELECT protocol FROM cases_case WHERE id = %s", (max(1, n // 3),)
        ).fetchone()[0]
        agent = conn.execute(
            "SELECT id FROM accounts_user WHERE username = 'demo.agent1'"
        ).fetchone()[0]
    cursor = encode_cursor(created.astimezone(UTC), pk)
    supervisor = [
        ("list first page", "/api/v1/cases?limit=50"),
        ("deep page (cursor at N/2)", f"/api/v1/cases?limit=50&cursor={cursor}"),
        ("filter category=waiting_requester", "/api/v1/cases?category=waiting_requester"),
        ("filter channel=ouvidoria", "/api/v1/cases?channel=ouvidoria"),
        ("filter team=patentes", "/api/v1/cases?team=patentes"),
        ("filter assignee=demo.agent1", f"/api/v1/cases?assignee={agent}"),
        ("filter assignee=none", "/api/v1/cases?assignee=none"),
        ("search common 'marca'", "/api/v1/cases?q=marca"),
        (f"search rare '{RARE_WORD}'", f"/api/v1/cases?q={RARE_WORD}"),
        ("search two words 'boleto vencido'", "/api/v1/cases?q=boleto+vencido"),
        ("search folded 'certidao'", "/api/v1/cases?q=certidao"),
        ("search + filter q=gru&category=open", "/api/v1/cases?q=gru&category=open"),
        ("protocol lookup", f"/api/v1/cases?q={urllib.parse.quote(protocol)}"),
    ]
    agent_views = [
        ("agent: list first page", "/api/v1/cases?limit=50"),
        ("agent: deep page (cursor at N/2)", f"/api/v1/cases?limit=50&cursor={cursor}"),
        ("agent: filter category=waiting_requester", "/api/v1/cases?category=waiting_requester"),
        ("agent: search common 'marca'", "/api/v1/cases?q=marca"),
        (f"agent: search rare '{RARE_WORD}'", f"/api/v1/cases?q={RARE_WORD}"),
    ]
    console = [
        ("console: queue (default: open, by due date)", "/console/"),
        ("console: view vencidos", "/console/?view=vencidos"),
        ("console: view aguardando", "/console/?view=aguardando"),
        ("console: view todos (newest first)", "/console/?view=todos"),
        ("console: search 'marca'", "/console/?q=marca"),
        ("console: protocol without punctuation", f"/console/?q={protocol_digits(protocol)}"),
        ("console: requester name 'silva'", "/console/?requester=silva"),
    ]
    if case_page:
        console.append(
            ("console: case page (thread + history)", f"/console/atendimentos/{case_page}/")
        )
    console_agent = [("console agent: queue (default)", "/console/")]
    return (
        [(label, path, "supervisor") for label, path in supervisor]
        + [(label, path, "agent") for label, path in agent_views]
        + [(label, path, "console") for label, path in console]
        + [(label, path, "console-agent") for label, path in console_agent]
    )


def protocol_digits(protocol: str) -> str:
    return "".join(ch for ch in protocol if ch.isdigit())


# One open case with a requester, given a thread and a history as an agent's day makes
# them: 12 replies and notes, an assignment, a request for complementation and the
# resumption (the case page's benchmark reads it).
CASE_PAGE_SETUP = r"""
from django.db.models import Count
from balcao.accounts.models import User
from balcao.cases import services
from balcao.cases.models import Case, State
from balcao.errors import Refused
supervisor = User.objects.get(username="demo.supervisor")
# a database reused (--reuse) keeps the case an earlier run prepared
case = (Case.objects.filter(closed_at__isnull=True, assignee=supervisor,
        state__slug="em-atendimento", channel__workflow__slug="helpdesk")
        .annotate(n=Count("messages")).filter(n__gte=12).order_by("-id").first())
candidates = (Case.objects.filter(closed_at__isnull=True, requester__isnull=False,
              state__slug="novo", channel__workflow__slug="helpdesk").order_by("-id")[:100])
for candidate in candidates if case is None else ():
    try:  # a case only the ombudsman sees cannot be given to the supervisor
        services.do_assign_case(candidate, assignee=supervisor, actor=supervisor)
    except Refused:
        continue
    case = candidate
    for i in range(12):
        services.do_add_message(case, body=f"Mensagem {i}: " + "texto da conversa " * 20,
                                internal=bool(i % 3 == 2), actor=supervisor)
    wf = case.state.workflow_id
    services.do_change_state(case, State.objects.get(workflow_id=wf, slug="aguardando-requerente"),
                             actor=supervisor, reason="Envie a procuração assinada.")
    services.do_change_state(case, State.objects.get(workflow_id=wf, slug="em-atendimento"),
                             actor=supervisor)
    break
print(case.pk)
"""


EXPLAIN_WORKER = r"""
import json, os, sys
import django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "balcao.settings")
django.setup()
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
headers, paths = json.loads(sys.argv[1]), json.loads(sys.argv[2])
for label, path, who in paths:
    name, _, value = headers[who].partition(": ")
    if name == "Cookie":
        client = Client()
        client.cookies["sessionid"] = value.partition("=")[2]
    else:
        client = Client(HTTP_AUTHORIZATION=value)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    main = [q["sql"] for q in ctx.captured_queries if 'FROM "cases_case"' in q["sql"]]
    print(f"\n=== {label}: {path}\n    status {response.status_code}, "
          f"{len(ctx.captured_queries)} queries per request")
    if not main:
        continue
    sql = main[-1]
    print("    SELECT … " + sql[sql.index(' FROM "cases_case"'):])
    with connection.cursor() as cur:
        cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        for (line,) in cur.fetchall():
            print("    " + line)
"""


def explain(
    env: dict[str, str], headers: dict[str, str], paths: list[tuple[str, str, str]]
) -> None:
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            EXPLAIN_WORKER,
            json.dumps(headers),  # noqa: S603
            json.dumps(paths),
        ],
        env=env,
        cwd=TREE,
        capture_output=True,
        text=True,
    )
    print(out.stdout)
    if out.returncode:
        print(out.stderr[-3000:])


def selectivity(url: str) -> dict[str, int]:
    """How many cases each search term matches (same tsquery as balcao.cases.search)."""
    terms = {
        "marca": "marca:*",
        RARE_WORD: f"{RARE_WORD}:*",
        "boleto vencido": "boleto:* & vencido:*",
        "certidao": "certidao:*",
        "gru": "gru:*",
    }
    counts = {}
    with psycopg.connect(url) as conn:
        for label, query in terms.items():
            counts[label] = conn.execute(
                "SELECT count(*) FROM cases_case WHERE search_vector @@ "
                "to_tsquery('balcao_pt'::regconfig, %s)",
                (query,),
            ).fetchone()[0]
        for category in ("open", "waiting_requester"):
            counts[f"category={category}"] = conn.execute(
                "SELECT count(*) FROM cases_case c JOIN cases_state s ON s.id = c.state_id "
                "WHERE s.category = %s",
                (category,),
            ).fetchone()[0]
    return counts


def print_medians(results: list[tuple], kinds: list[str]) -> None:
    """Per endpoint and concurrency, each server's median requests/s, p95 and web CPU per
    request over the rounds, and its requests/s against the first server's."""
    print(f"\nmedians over the rounds (requests/s, p95 ms, web ms/req; vs {kinds[0]}):")
    keys = list(dict.fromkeys((label, conc) for label, conc, *_rest in results))
    for label, concurrency in keys:
        cells, first = [], None
        for kind in kinds:
            runs = [(rps, r, web) for lb, c, k, rps, r, web in results
                    if (lb, c, k) == (label, concurrency, kind)]  # fmt: skip
            rps = statistics.median(x[0] for x in runs)
            p95 = statistics.median(x[1]["p95"] / 1000 for x in runs)
            web = statistics.median(x[2] for x in runs)
            first = rps if first is None else first
            change = "" if kind == kinds[0] else f" {100 * (rps - first) / first:+.1f} %"
            cells.append(f"{kind} {rps:.0f}{change} / {p95:.1f} / {web:.2f}")
        print(f"  {label:<34} c={concurrency:<3} " + " | ".join(cells))


# --- main --------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--concurrency", default="10,50", help="comma separated")
    parser.add_argument("--duration", type=float, default=20, help="seconds per endpoint")
    parser.add_argument("--workers", type=int, default=2, help="web worker processes")
    parser.add_argument(
        "--server",
        default="gunicorn",
        help="gunicorn alone, uvicorn (balcao serve --asgi), front (balcao serve --front "
        "python: gunicorn and uvicorn behind balcao.ops.front) or nginx (balcao serve's "
        "default when nginx is installed); several, comma separated, are compared",
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=1,
        help="measure each endpoint this many times on each server, alternating; the "
        "medians are printed at the end",
    )
    parser.add_argument("--load-procs", type=int, default=2, help="COPY processes")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("--keep", action="store_true", help="keep the database")
    parser.add_argument("--reuse", metavar="DB", help="benchmark an existing loaded database")
    parser.add_argument("--only", help="regex: run only matching endpoints")
    parser.add_argument("--client", choices=["auto", "wrk", "python"], default="auto")
    parser.add_argument("--pg-url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument(
        "--server-env",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="extra environment for the web server (e.g. BALCAO_DB_POOL_MAX=4)",
    )
    parser.add_argument(
        "--pythonpath",
        action="append",
        default=[],
        help="extra directory on PYTHONPATH for every subprocess",
    )
    parser.add_argument(
        "--tree", type=Path, default=REPO, help="source tree to run (default: this checkout)"
    )
    args = parser.parse_args()
    kinds = args.server.split(",")
    if not kinds or any(kind not in SERVERS for kind in kinds):
        parser.error(f"--server: one or more of {', '.join(SERVERS)}, comma separated")
    global TREE
    TREE = args.tree.resolve()
    EXTRA_PATH.extend(args.pythonpath)

    print(
        f"Balcão case benchmark — tree {TREE}, {datetime.now(UTC):%Y-%m-%d %H:%M UTC}, "
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} "
        f"{os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}"
    )
    name = args.reuse or f"balcao_bench_{datetime.now(UTC):%Y%m%d_%H%M%S}"
    url = db_url(args.pg_url, name)
    env = balcao_env(url)
    keep = args.keep or bool(args.reuse)
    servers: list[subprocess.Popen] = []
    tmp = Path(tempfile.mkdtemp(prefix="bench_cases_"))
    # Production static files (hashed names, a manifest) for the console pages, in a
    # folder of the benchmark's own, as an operator runs collectstatic before going live.
    env["BALCAO_VAR_DIR"] = str(tmp / "var")
    try:
        run([*BALCAO, "collectstatic", "--noinput", "-v", "0"], env)
        if not args.reuse:
            create_database(args.pg_url, name)
            print(f"database {name}")
            t = time.monotonic()
            run([*BALCAO, "migrate", "--noinput"], env)
            run([*BALCAO, "demo", "--cases", "0"], env)
            print(f"migrate + demo: {time.monotonic() - t:.1f} s")
            print(f"loading {args.cases:,} cases…", flush=True)
            timings = bulk_load(url, args.cases, args.seed, args.load_procs)
            print(
                f"load: COPY {timings['copy_s']:.0f} s (incl. {timings['requesters']:,} "
                f"requesters), indexes {timings['indexes_s']:.0f} s, VACUUM ANALYZE "
                f"{timings['vacuum_s']:.0f} s, total {timings['total_s']:.0f} s; "
                f"cases_case {timings['table_size']}, database {timings['db_size']}"
            )
        tokens = {
            who: run(
                [
                    *BALCAO,
                    "token",
                    "create",
                    f"bench-{who}-{datetime.now(UTC):%Y%m%d%H%M%S%f}",
                    "--user",
                    f"demo.{username}",
                    "--scope",
                    "cases:read",
                ],
                env,
            )
            .strip()
            .splitlines()[-1]
            for who, username in (("supervisor", "supervisor"), ("agent", "agent1"))
        }
        # The console as demo.supervisor: a session whose second factor is verified.
        headers = {who: f"Authorization: Bearer {token}" for who, token in tokens.items()}
        for who, username in (("console", "supervisor"), ("console-agent", "agent1")):
            session = CONSOLE_SESSION.replace("USERNAME", username)
            session_key = run([*BALCAO, "shell", "-c", session], env).strip().splitlines()[-1]
            headers[who] = f"Cookie: sessionid={session_key}"
        case_page = int(
            run([*BALCAO, "shell", "-c", CASE_PAGE_SETUP], env).strip().splitlines()[-1]
        )
        n = psycopg.connect(url).execute("SELECT count(*) FROM cases_case").fetchone()[0]
        print(f"cases: {n:,}; selectivity: {selectivity(url)}")

        paths = scenarios(url, case_page)
        if args.only:
            paths = [p for p in paths if re.search(args.only, p[0])]
        overrides = dict(i.split("=", 1) for i in args.server_env)
        server_env = dict(env, **overrides)
        print(
            "web server environment overrides: "
            + " ".join(f"{k}={v}" for k, v in overrides.items())
        )
        # Several servers (--server gunicorn,front,nginx) run side by side, idle but for the
        # one under load: each endpoint is measured on each in turn, --rounds times, the
        # order rotated every round, so a neighbour's burst on a shared box lands on all.
        stacks: dict[str, tuple[int, list[int]]] = {}
        for kind in kinds:
            port = free_port()
            server = start_server(server_env, port, args.workers, kind)
            servers.append(server)
            workers = web_workers(server.pid) + front_pids(server)
            stacks[kind] = (port, workers)
            print(
                f"{kind} --workers {args.workers} on :{port}, worker pids {workers}; "
                f"RSS after start-up: {', '.join(f'{rss_mb(p):.0f} MB' for p in workers)}"
            )
        # Warm up: every endpoint a few times through each worker, checking the answers.
        for kind, (port, _workers) in stacks.items():
            print(f"\nwarm-up of {kind} (single request, cold → warm):")
            for label, path, who in paths:
                items, first = get_page(port, path, headers[who])
                times = [get_page(port, path, headers[who])[1] for _ in range(6)]
                print(
                    f"  {label:<42} {items:>3} items  first {first:7.1f} ms  "
                    f"then median {statistics.median(times):6.1f} ms"
                )
                # One client after another lands on one worker: the others would take their
                # first request (connection, prepared statements, templates) under load.
                with ThreadPoolExecutor(2 * args.workers) as pool:
                    burst = [
                        pool.submit(get_page, port, path, headers[who])
                        for _ in range(10 * args.workers)
                    ]
                    for request in burst:
                        request.result()

        use_wrk = args.client == "wrk" or (args.client == "auto" and shutil.which("wrk"))
        lua = None
        if use_wrk:
            lua = str(tmp / "report.lua")
            Path(lua).write_text(WRK_LUA)
        print(
            f"\nload generator: {'wrk' if use_wrk else 'python threads'} (separate process), "
            f"{args.duration:.0f} s per endpoint and concurrency; latencies in ms"
        )
        several = len(kinds) > 1 or args.rounds > 1
        header = (
            f"{'endpoint':<42} {'conc':>4} {'req/s':>7} {'p50':>7} {'p95':>7} {'p99':>7} "
            f"{'max':>7} {'err':>4} {'box CPU':>7} {'web ms/req':>10} {'PG conns':>8}"
        ) + ("  server (round)" if several else "")
        results = []
        for concurrency in [int(c) for c in args.concurrency.split(",")]:
            print("\n" + header)
            for label, path, who in paths:
                for round_ in range(args.rounds):
                    order = kinds[round_ % len(kinds) :] + kinds[: round_ % len(kinds)]
                    for kind in order:
                        port, workers = stacks[kind]
                        busy0, total0 = cpu_times()
                        web0 = cpu_seconds(workers)
                        sampler = ConnectionSampler(args.pg_url, name)
                        sampler.start()
                        r = drive(port, path, headers[who], concurrency, args.duration, lua)
                        sampler.stop.set()
                        sampler.join()
                        busy1, total1 = cpu_times()
                        web_ms = 1000 * (cpu_seconds(workers) - web0) / max(1, r["requests"])
                        rps = r["requests"] / (r["duration_us"] / 1e6)
                        cpu = 100 * (busy1 - busy0) / max(1, total1 - total0)
                        mark = "" if r["p95"] / 1000 < 50 else "  ✗ p95 ≥ 50 ms"
                        where = f"  {kind} ({round_ + 1})" if several else ""
                        print(
                            f"{label:<42} {concurrency:>4} {rps:>7.0f} {r['p50'] / 1000:>7.1f} "
                            f"{r['p95'] / 1000:>7.1f} {r['p99'] / 1000:>7.1f} "
                            f"{r['max'] / 1000:>7.0f} {r['errors'] + r['non2xx']:>4} "
                            f"{cpu:>6.0f}% {web_ms:>10.1f} {sampler.peak:>8}{where}{mark}",
                            flush=True,
                        )
                        results.append((label, concurrency, kind, rps, r, web_ms))
        if several:
            print_medians(results, kinds)
        for kind, (_port, workers) in stacks.items():
            print(
                f"\nRSS of each {kind} web process after the load: "
                f"{', '.join(f'{rss_mb(p):.0f} MB' for p in workers)} (target < 250 MB)"
            )
        print(f"load average now {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        if args.explain:
            print("\nEXPLAIN (ANALYZE, BUFFERS) of each endpoint's main query:")
            explain(env, headers, paths)
    finally:
        for server in servers:
            stop_server(server)
        shutil.rmtree(tmp, ignore_errors=True)
        if keep:
            print(
                f"\nkept database {name} (drop it with: psql -h 127.0.0.1 -U postgres -c "
                f"'DROP DATABASE \"{name}\"')"
            )
        else:
            drop_database(args.pg_url, name)
            print(f"\ndropped database {name}")


if __name__ == "__main__":
    main()
