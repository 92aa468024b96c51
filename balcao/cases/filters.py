"""Case list filtering, named views and keyset pagination shared by the console and the API.

Lists never count the whole table and never use OFFSET: a page is "the next N cases
after the cursor" on an index, so page 10,000 costs what page 1 costs (DESIGN: the
peer's list takes 10–14 s at 1 M tickets). Two orders:

- ``recent``: newest first, on the (created_at, id) index (the API's order, and the
  console's for closed and all cases);
- ``due``: the work queue's — earliest due date first, cases without a due date last,
  then the oldest first — on the partial index of open cases (due_at, created_at, id).

Counts on the console's views stop at ``COUNT_CAP`` (shown as "99+"): a queue of more
than a hundred cases is "a lot" to the person reading it, and an exact count of an
agency's open cases is a full scan.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import connections
from django.db.models import CharField, F, Func, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from balcao.apikit.bounds import parse_db_id
from balcao.cases import lookups, protocol
from balcao.cases.models import Case, State
from balcao.cases.search import filter_search

MAX_PAGE_SIZE = 100
COUNT_CAP = 100
RECENT, DUE = "recent", "due"


def _open() -> Q:
    return Q(closed_at__isnull=True)


def _overdue() -> Q:
    return Q(due_at__lt=timezone.now(), closed_at__isnull=True, deadline_paused_at__isnull=True)


def _due_soon(horizon: datetime | None = None) -> Q:
    from balcao.cases.clock import warning_horizon

    now = timezone.now()
    return Q(
        due_at__gte=now,
        due_at__lte=horizon or warning_horizon(now),
        closed_at__isnull=True,
        deadline_paused_at__isnull=True,
    )


def _waiting() -> Q:
    # A waiting state is never terminal, so no "closed_at IS NULL": with it PostgreSQL
    # ANDed two bitmaps (20 ms at 1 M cases) instead of reading the state index (0.5 ms).
    return Q(state_id__in=lookups.state_ids_in(State.Category.WAITING_REQUESTER))


# The console's views: slug -> (label, restriction(user, horizon), default order), where
# ``horizon`` is the end of the deadline warning window (read once per page). "abertos" is
# the default work queue (issue 19: "open cases by default, sorted by due date").
VIEWS = {
    "abertos": (_("Abertos"), lambda user, horizon: _open(), DUE),
    "meus": (_("Meus"), lambda user, horizon: _open() & Q(assignee=user), DUE),
    "sem-responsavel": (
        _("Sem responsável"),
        lambda user, horizon: _open() & Q(assignee__isnull=True),
        DUE,
    ),
    "vencidos": (_("Vencidos"), lambda user, horizon: _overdue(), DUE),
    "vencem": (_("Vencem em breve"), lambda user, horizon: _due_soon(horizon), DUE),
    "aguardando": (_("Aguardando o requerente"), lambda user, horizon: _waiting(), DUE),
    "encerrados": (_("Encerrados"), lambda user, horizon: Q(closed_at__isnull=False), RECENT),
    "todos": (_("Todos"), lambda user, horizon: Q(), RECENT),
}
DEFAULT_VIEW = "abertos"
COUNTED_VIEWS = ("abertos", "meus", "sem-responsavel", "vencidos", "vencem", "aguardando")


@dataclass
class CaseFilters:
    q: str = ""
    state: str = ""  # state id
    category: str = ""  # state category
    channel: str = ""  # channel slug
    team: str = ""  # team slug
    assignee: str = ""  # "me", "none" or a user id
    due: str = ""  # "overdue" or "soon"
    view: str = ""  # a VIEWS slug (the console's tabs); "" = no restriction (the API)
    sort: str = ""  # RECENT or DUE; "" = the view's own order
    requester: str = ""  # the requester's name, e-mail or document (personal data)

    @classmethod
    def from_params(cls, params) -> CaseFilters:
        return cls(
            **{name: (params.get(name) or "").strip()[:200] for name in cls.__dataclass_fields__}
        )

    def errors(self) -> dict[str, list[str]]:
        """Values no case could match, by field: the API refuses them with 422 (the
        console ignores them, as it ignores any other stray parameter)."""
        errors = {}
        if self.state and parse_db_id(self.state) is None:
            errors["state"] = ["Informe o número de uma situação."]
        if (
            self.assignee
            and self.assignee not in ("me", "none")
            and parse_db_id(self.assignee) is None
        ):
            errors["assignee"] = ["Use “me”, “none” ou o número de um usuário."]
        return errors

    @property
    def order(self) -> str:
        if self.sort in (RECENT, DUE):
            return self.sort
        return VIEWS[self.view][2] if self.view in VIEWS else RECENT


def apply_filters(
    queryset: QuerySet, filters: CaseFilters, *, user=None, horizon: datetime | None = None
) -> QuerySet:
    """``queryset`` narrowed by ``filters``; an id that is not one (``²``, or past the
    database's 64 bits) filters nothing rather than reaching the database."""
    state_id = parse_db_id(filters.state)
    if state_id is not None:
        queryset = queryset.filter(state_id=state_id)
    if filters.category:
        # Resolve the category to state ids first (a 17-row table): a join on
        # cases_state hides the category's share from the planner, which then
        # picked a GIN BitmapAnd once per state (1.1 s with q=gru at 1 M cases).
        queryset = queryset.filter(state_id__in=lookups.state_ids_in(filters.category))
    if filters.channel:
        queryset = queryset.filter(
            channel_id__in=lookups.ids_with_slug(lookups.channel_slugs, filters.channel)
        )
    if filters.team:
        queryset = queryset.filter(
            team_id__in=lookups.ids_with_slug(lookups.team_slugs, filters.team)
        )
    if filters.assignee == "me" and user is not None:
        queryset = queryset.filter(assignee=user)
    elif filters.assignee == "none":
        queryset = queryset.filter(assignee__isnull=True)
    elif (assignee_id := parse_db_id(filters.assignee)) is not None:
        queryset = queryset.filter(assignee_id=assignee_id)
    if filters.due == "overdue":
        queryset = queryset.filter(_overdue())
    elif filters.due == "soon":
        queryset = queryset.filter(_due_soon(horizon))
    if filters.view in VIEWS and user is not None:
        queryset = queryset.filter(VIEWS[filters.view][1](user, horizon))
    if filters.q:
        queryset = search_text(queryset, filters.q)
    return queryset


def search_text(queryset: QuerySet, text: str) -> QuerySet:
    """Full-text search, or the protocol when ``text`` is one in any punctuation (or
    none): "2026000123-7", "2026 000123 7" and "2026.000123-7" find the same case."""
    shaped = protocol.reshape(
        text, settings.BALCAO_PROTOCOL_PATTERN, unit=settings.BALCAO_PROTOCOL_UNIT
    )
    if shaped and not any(ch.isalpha() for ch in text):
        return queryset.filter(protocol__in={shaped, text.strip()})
    return filter_search(queryset, text)


def view_counts(queryset: QuerySet, user, horizon: datetime | None = None) -> dict[str, int]:
    """How many cases of ``queryset`` each counted view holds, up to ``COUNT_CAP``: one
    statement of capped scalar subqueries (each reads at most a hundred index entries),
    one round trip to the database instead of six."""
    parts, params = [], []
    for number, slug in enumerate(COUNTED_VIEWS):
        capped = queryset.filter(VIEWS[slug][1](user, horizon)).order_by().values("id")
        sql, sql_params = capped[:COUNT_CAP].query.sql_with_params()
        # the ORM's own SQL, its values passed as parameters
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) AS view_{number})")  # noqa: S608
        params.extend(sql_params)
    with connections[queryset.db].cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts), params)
        row = cursor.fetchone()
    return dict(zip(COUNTED_VIEWS, row, strict=True))


def requesters_matching(text: str) -> QuerySet | None:
    """Requesters (and unverified contacts) whose e-mail, document or name matches ``text``,
    as a queryset to filter cases with (None when ``text`` has nothing to search): an e-mail
    exactly (any case), 9 to 14 digits the CPF/CNPJ/NIF on file or claimed, otherwise
    every word in the name, accents and case aside."""
    from balcao.cases.models import Requester
    from balcao.textnorm import fold

    text = text.strip()
    requesters = Requester.objects.order_by()
    if "@" in text:
        return requesters.filter(email__in={text, text.lower()})
    digits = protocol.digits_of(text)
    if digits and len(digits) >= 9 and not any(ch.isalpha() for ch in text):
        return requesters.filter(
            Q(cpf=digits)
            | Q(claimed_cpf=digits)
            | Q(cnpj=digits)
            | Q(claimed_cnpj=digits)
            | Q(nif=digits)
            | Q(claimed_nif=digits)
        )
    words = [w for w in re.findall(r"[^\W_]+", fold(text)) if len(w) >= 2][:5]
    if not words:
        return None
    # balcao_fold(): lower case without accents, in SQL (PostgreSQL: an immutable wrapper
    # of unaccent under a trigram index; SQLite: a Python function, see cases.apps).
    requesters = requesters.alias(
        folded_name=Func(F("name"), function="balcao_fold", output_field=CharField())
    )
    for word in words:
        requesters = requesters.filter(folded_name__contains=word)
    return requesters


def encode_cursor(case: Case | dict, order: str = RECENT) -> str:
    """The position after ``case`` (a model instance or a ``values()`` row) in ``order``."""
    if isinstance(case, dict):
        created, pk, due = case["created_at"], case["id"], case.get("due_at")
    else:
        created, pk, due = case.created_at, case.pk, case.due_at
    if order == DUE:
        raw = f"d|{due.isoformat() if due else '-'}|{created.isoformat()}|{pk}"
    else:
        raw = f"{created.isoformat()}|{pk}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode(cursor: str) -> list[str] | None:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        return base64.urlsafe_b64decode(padded).decode().split("|")
    except (ValueError, UnicodeDecodeError):
        return None


def _moment(text: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def decode_cursor(cursor: str) -> tuple[datetime, int] | None:
    """The position a ``recent`` cursor names, or None for anything ``encode_cursor`` did
    not make (the list then starts from the newest case)."""
    parts = _decode(cursor)
    if not parts or len(parts) != 2:
        return None
    created, pk = _moment(parts[0]), parse_db_id(parts[1])
    if created is None or pk is None:
        return None
    return created, pk


def decode_due_cursor(cursor: str) -> tuple[datetime | None, datetime, int] | None:
    """The position a ``due`` cursor names: (due date or None, created_at, id)."""
    parts = _decode(cursor)
    if not parts or len(parts) != 4 or parts[0] != "d":
        return None
    due = None if parts[1] == "-" else _moment(parts[1])
    created, pk = _moment(parts[2]), parse_db_id(parts[3])
    if (due is None and parts[1] != "-") or created is None or pk is None:
        return None
    return due, created, pk


def page(
    queryset: QuerySet, *, cursor: str = "", size: int = 50, order: str = RECENT
) -> tuple[list, str | None]:
    """One page of cases (instances, or dicts for a ``values()`` queryset) in ``order``
    after ``cursor``; returns (rows, next cursor)."""
    size = max(1, min(size, MAX_PAGE_SIZE))
    if order == DUE:
        rows = _due_page(queryset, cursor, size + 1)
    else:
        queryset = queryset.order_by("-created_at", "-id")
        position = decode_cursor(cursor) if cursor else None
        if position is not None:
            created, pk = position
            # created_at <= … is redundant but gives the index a range to start from;
            # the OR alone is only a filter (a deep page scanned every newer row).
            queryset = queryset.filter(
                Q(created_at__lt=created) | Q(created_at=created, id__lt=pk),
                created_at__lte=created,
            )
        rows = list(queryset[: size + 1])
    next_cursor = encode_cursor(rows[size - 1], order) if len(rows) > size else None
    return rows[:size], next_cursor


def _due_page(queryset: QuerySet, cursor: str, want: int) -> list:
    """Cases with a due date in (due_at, created_at, id) order after the cursor, then —
    when those run out — the ones without, oldest first. Two plain range scans rather
    than one ``OR due_at IS NULL``, which no index serves in order."""
    position = decode_due_cursor(cursor) if cursor else None
    rows: list = []
    if position is None or position[0] is not None:
        dated = queryset.filter(due_at__isnull=False).order_by("due_at", "created_at", "id")
        if position is not None:
            due, created, pk = position
            dated = dated.filter(
                Q(due_at__gt=due)
                | Q(due_at=due, created_at__gt=created)
                | Q(due_at=due, created_at=created, id__gt=pk),
                due_at__gte=due,
            )
        rows = list(dated[:want])
        position = None
    if len(rows) < want:
        undated = queryset.filter(due_at__isnull=True).order_by("created_at", "id")
        if position is not None:
            _, created, pk = position
            undated = undated.filter(
                Q(created_at__gt=created) | Q(created_at=created, id__gt=pk),
                created_at__gte=created,
            )
        rows += list(undated[: want - len(rows)])
    return rows
