"""Business calendar: which days an agency works and when it is open.

Pure module (no Django import). The Django side stores the agency's own closures, optional
days and opening hours and builds a :class:`BusinessCalendar` from them (``from_dict``).

Rules (docs/deadlines.md, "The business calendar"; the built-in policies depend on them):

- A **working day** is Monday to Friday, not a public holiday of the country (and of the
  subdivision, when one is given) according to the ``holidays`` library, default category
  ("public"), and not an agency closure. For BR without subdivision this is the *national*
  list: Carnaval and Corpus Christi are *not* holidays there (they are "ponto facultativo",
  category "optional"); Consciência Negra (20 November) is national from 2024 (Lei
  14.759/2023). PT without a district is the national list (Código do Trabalho, art. 234).
- **Optional days** ("ponto facultativo") are non-working only when the agency says so
  (``close_on_optional_days=True``): then the agency's own ``optional_days`` and the library's
  "optional" category (Carnaval, Quarta-feira de Cinzas, 24 and 31 December, ...) close.
- **Extra working days** override everything above (a Saturday task force, a holiday the
  agency works).
- **Opening hours** per weekday (0 = Monday), several periods per day, e.g. 09:00-12:30 and
  14:00-17:00, in the calendar's IANA time zone; they apply on working days only.

Speed: every query is answered from tables built lazily for a range of whole years and
extended on demand: a bytearray of "is working" per day, the prefix sum of working days,
the next working day of every day, and the ordered list of working days. Holiday look-ups
are cached per (country, subdivision, categories, year).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, time, tzinfo
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

import holidays as holidays_lib

DEFAULT_TIME_ZONES = {"BR": "America/Sao_Paulo", "PT": "Europe/Lisbon"}

#: Opening hours used when a calendar does not say: Monday-Friday 09:00-17:00 (the
#: Portuguese tender's daily service period, caderno de encargos 2.2).
DEFAULT_OPENING_HOURS: dict[int, tuple[tuple[int, int], ...]] = dict.fromkeys(
    range(5), ((9 * 60, 17 * 60),)
)

_MARGIN_YEARS = 5
_MIN_YEAR = 1900
_MAX_YEAR = 2100  # the `holidays` library has no data after 2100


@lru_cache(maxsize=4096)
def library_holidays(
    country: str, subdivision: str | None, categories: tuple[str, ...], year: int
) -> frozenset[date]:
    """Dates the ``holidays`` library lists for one year (cached: the library is slow)."""
    table = holidays_lib.country_holidays(
        country, subdiv=subdivision, years=year, categories=categories
    )
    return frozenset(table.keys())


def _parse_clock(value: Any) -> int:
    """Minutes after midnight for ``time`` or "HH:MM" (``"24:00"`` is the end of the day)."""
    if isinstance(value, time):
        return value.hour * 60 + value.minute
    if isinstance(value, int):
        return value
    text = str(value).strip()
    hh, _, mm = text.partition(":")
    minutes = int(hh) * 60 + int(mm or 0)
    if not 0 <= minutes <= 24 * 60:
        raise ValueError(f"invalid clock time {text!r}")
    return minutes


def _parse_period(value: Any) -> tuple[int, int]:
    if isinstance(value, str):
        start, sep, end = value.partition("-")
        if not sep:
            raise ValueError(f"opening period {value!r} must look like '09:00-12:30'")
        pair = (_parse_clock(start), _parse_clock(end))
    else:
        start, end = value
        pair = (_parse_clock(start), _parse_clock(end))
    if pair[0] >= pair[1]:
        raise ValueError(f"opening period {value!r} ends before it starts")
    return pair


def _parse_date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


class _Periods:
    """Flattened, sorted absolute periods (epoch seconds) with cumulative lengths."""

    __slots__ = ("starts", "ends", "cum")

    def __init__(self, spans: list[tuple[int, int]]) -> None:
        self.starts = [s for s, _ in spans]
        self.ends = [e for _, e in spans]
        cum = [0]
        for s, e in spans:
            cum.append(cum[-1] + (e - s))
        self.cum = cum

    def position(self, ts: int) -> int:
        """Seconds of period time elapsed from the first period up to instant ``ts``."""
        k = bisect_right(self.starts, ts) - 1
        if k < 0:
            return 0
        return self.cum[k] + min(ts, self.ends[k]) - self.starts[k]


class BusinessCalendar:
    """Working days and opening hours of one agency (see the module docstring for the rules).

    All date arguments are local dates of the calendar; all datetime arguments must be aware
    (any offset: they are converted to the calendar's time zone).
    """

    def __init__(
        self,
        country: str = "BR",
        subdivision: str | None = None,
        time_zone: str | None = None,
        closures: Iterable[date] = (),
        optional_days: Iterable[date] = (),
        close_on_optional_days: bool = False,
        extra_working_days: Iterable[date] = (),
        opening_hours: Mapping[int, Sequence[Any]] | None = None,
    ) -> None:
        country = country.upper()
        if country not in holidays_lib.list_supported_countries():
            raise ValueError(f"unknown country {country!r}")
        self.country = country
        self.subdivision = subdivision or None
        if self.subdivision is not None:
            # Let the library validate the subdivision once, eagerly.
            holidays_lib.country_holidays(country, subdiv=self.subdivision, years=2000)
        self.time_zone = time_zone or DEFAULT_TIME_ZONES.get(country, "UTC")
        self.tz: tzinfo = ZoneInfo(self.time_zone)
        self.closures = frozenset(_parse_date(d) for d in closures)
        self.optional_days = frozenset(_parse_date(d) for d in optional_days)
        self.close_on_optional_days = bool(close_on_optional_days)
        self.extra_working_days = frozenset(_parse_date(d) for d in extra_working_days)
        if opening_hours is None:
            hours = dict(DEFAULT_OPENING_HOURS)
        else:
            hours = {}
            for wd, periods in opening_hours.items():
                wd = int(wd)
                if not 0 <= wd <= 6:
                    raise ValueError(f"weekday {wd} is not in 0 (Monday) .. 6 (Sunday)")
                parsed = sorted(_parse_period(p) for p in periods)
                for (_, e1), (s2, _) in zip(parsed, parsed[1:], strict=False):
                    if s2 < e1:
                        raise ValueError(f"opening periods overlap on weekday {wd}")
                hours[wd] = tuple(parsed)
        self.opening_hours: dict[int, tuple[tuple[int, int], ...]] = hours
        self._first_year = 0
        self._last_year = -1
        self._base = 0  # ordinal of 1 January of _first_year
        self._n = 0
        self._working = bytearray()
        self._cum: list[int] = [0]  # _cum[i] = working days among indices < i
        self._next: list[int] = []  # first working index >= i (== len(_wd) sentinel: none)
        self._wd: list[int] = []  # ordinals of working days, ascending
        self._day_periods: _Periods | None = None  # whole working days (running hours)
        self._open_periods: _Periods | None = None  # opening periods of working days

    # -- construction -------------------------------------------------------------------

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> BusinessCalendar:
        """Build from a plain dict (what the Django side stores or an admin imports).

        Keys: ``country``, ``subdivision``, ``time_zone``, ``closures``, ``optional_days``,
        ``close_on_optional_days``, ``extra_working_days`` (lists of 'YYYY-MM-DD'), and
        ``opening_hours``: ``{"0": ["09:00-12:30", "14:00-17:00"], ...}`` (0 = Monday).
        """
        known = {
            "country",
            "subdivision",
            "time_zone",
            "closures",
            "optional_days",
            "close_on_optional_days",
            "extra_working_days",
            "opening_hours",
        }
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown calendar field(s): {', '.join(sorted(unknown))}")
        return cls(**data)

    def to_dict(self) -> dict[str, Any]:
        """The inverse of :meth:`from_dict`."""

        def clock(m: int) -> str:
            return f"{m // 60:02d}:{m % 60:02d}"

        return {
            "country": self.country,
            "subdivision": self.subdivision,
            "time_zone": self.time_zone,
            "closures": sorted(d.isoformat() for d in self.closures),
            "optional_days": sorted(d.isoformat() for d in self.optional_days),
            "close_on_optional_days": self.close_on_optional_days,
            "extra_working_days": sorted(d.isoformat() for d in self.extra_working_days),
            "opening_hours": {
                str(wd): [f"{clock(s)}-{clock(e)}" for s, e in periods]
                for wd, periods in sorted(self.opening_hours.items())
            },
        }

    def __repr__(self) -> str:
        sub = f", subdivision={self.subdivision!r}" if self.subdivision else ""
        return f"BusinessCalendar({self.country!r}{sub}, time_zone={self.time_zone!r})"

    # -- tables ---------------------------------------------------------------------------

    def _non_working_holidays(self, year: int) -> frozenset[date]:
        days = library_holidays(self.country, self.subdivision, ("public",), year)
        if self.close_on_optional_days:
            days = days | library_holidays(self.country, self.subdivision, ("optional",), year)
        return days

    def _build(self, first_year: int, last_year: int) -> None:
        first_year = max(first_year, _MIN_YEAR)
        last_year = min(last_year, _MAX_YEAR)
        base = date(first_year, 1, 1).toordinal()
        end = date(last_year, 12, 31).toordinal()
        n = end - base + 1
        working = bytearray(n)
        closed: set[int] = {d.toordinal() for d in self.closures}
        if self.close_on_optional_days:
            closed |= {d.toordinal() for d in self.optional_days}
        for year in range(first_year, last_year + 1):
            closed |= {d.toordinal() for d in self._non_working_holidays(year)}
        extra = {d.toordinal() for d in self.extra_working_days}
        weekday = date.fromordinal(base).weekday()
        for i in range(n):
            o = base + i
            if o in extra or (weekday < 5 and o not in closed):
                working[i] = 1
            weekday = weekday + 1 if weekday < 6 else 0
        cum = [0] * (n + 1)
        wd: list[int] = []
        acc = 0
        for i in range(n):
            if working[i]:
                wd.append(base + i)
                acc += 1
            cum[i + 1] = acc
        nxt = [0] * (n + 1)
        sentinel = n
        nxt[n] = sentinel
        for i in range(n - 1, -1, -1):
            nxt[i] = i if working[i] else nxt[i + 1]
        self._first_year, self._last_year = first_year, last_year
        self._base, self._n = base, n
        self._working, self._cum, self._next, self._wd = working, cum, nxt, wd
        self._day_periods = None
        self._open_periods = None

    def _cover(self, ordinal: int) -> None:
        """Make sure the tables cover ``ordinal`` with a margin of whole years around it."""
        year = date.fromordinal(ordinal).year
        if self._n == 0:
            self._build(year - _MARGIN_YEARS, year + _MARGIN_YEARS)
            return
        first = max(_MIN_YEAR, min(self._first_year, year - _MARGIN_YEARS))
        last = min(_MAX_YEAR, max(self._last_year, year + _MARGIN_YEARS))
        if (first, last) != (self._first_year, self._last_year):
            self._build(first, last)

    def _index(self, ordinal: int) -> int:
        i = ordinal - self._base
        if 0 <= i < self._n:
            return i
        if not date(_MIN_YEAR, 1, 1).toordinal() <= ordinal <= date(_MAX_YEAR, 12, 31).toordinal():
            raise ValueError(f"{date.fromordinal(ordinal)} is outside {_MIN_YEAR}-{_MAX_YEAR}")
        self._cover(ordinal)
        return ordinal - self._base

    def _grow_forward(self) -> None:
        if self._last_year >= _MAX_YEAR:
            raise ValueError(f"deadline beyond year {_MAX_YEAR}")
        self._build(self._first_year, self._last_year + 2 * _MARGIN_YEARS)

    def _grow_backward(self) -> None:
        if self._first_year <= _MIN_YEAR:
            raise ValueError(f"deadline before year {_MIN_YEAR}")
        self._build(self._first_year - 2 * _MARGIN_YEARS, self._last_year)

    # -- ordinal-level primitives (hot path of the policies) ------------------------------

    def is_working_ordinal(self, ordinal: int) -> bool:
        i = self._index(ordinal)  # may rebuild the tables: index them afterwards
        return bool(self._working[i])

    def roll_forward_ordinal(self, ordinal: int) -> int:
        """The same day if it is a working day, otherwise the next working day."""
        i = self._index(ordinal)
        j = self._next[i]
        while j >= self._n:  # no working day left in the table
            self._grow_forward()
            j = self._next[ordinal - self._base]
        return self._base + j

    def next_working_ordinal(self, ordinal: int) -> int:
        return self.roll_forward_ordinal(ordinal + 1)

    def add_working_days_ordinal(self, ordinal: int, n: int) -> int:
        """The ``n``-th working day after ``ordinal`` (before it when ``n`` < 0)."""
        if n == 0:
            self._index(ordinal)
            return ordinal
        i = self._index(ordinal)
        if n > 0:
            k = self._cum[i + 1] + n - 1
            while k >= len(self._wd):
                self._grow_forward()
                k = self._cum[ordinal - self._base + 1] + n - 1
            return self._wd[k]
        k = self._cum[i] + n
        while k < 0:
            self._grow_backward()
            k = self._cum[ordinal - self._base] + n
        return self._wd[k]

    def working_days_between_ordinals(self, a: int, b: int) -> int:
        if b < a:
            return -self.working_days_between_ordinals(b, a)
        i = self._index(a)
        j = self._index(b)
        i = a - self._base  # _index(b) may have rebuilt the tables
        return self._cum[j + 1] - self._cum[i + 1]

    # -- public day API -------------------------------------------------------------------

    def is_working_day(self, day: date) -> bool:
        """Monday-Friday, not a holiday, not a closure (or an extra working day)."""
        return self.is_working_ordinal(day.toordinal())

    def is_holiday(self, day: date) -> bool:
        """Whether ``day`` is a public holiday of this calendar's country/subdivision."""
        return day in library_holidays(self.country, self.subdivision, ("public",), day.year)

    def next_working_day(self, day: date) -> date:
        """The first working day strictly after ``day``."""
        return date.fromordinal(self.next_working_ordinal(day.toordinal()))

    def roll_forward(self, day: date) -> date:
        """``day`` itself when it is a working day, otherwise the next working day.

        Lei 9.784/1999, art. 66 §1: "Considera-se prorrogado o prazo até o primeiro dia útil
        seguinte se o vencimento cair em dia em que não houver expediente".
        """
        return date.fromordinal(self.roll_forward_ordinal(day.toordinal()))

    def add_working_days(self, day: date, n: int) -> date:
        """The ``n``-th working day after ``day`` (``day`` itself is not counted).

        ``n`` = 0 returns ``day`` unchanged; ``n`` < 0 counts backwards (the ``|n|``-th
        working day before ``day``), e.g. for "warn 3 working days before the due date".
        """
        return date.fromordinal(self.add_working_days_ordinal(day.toordinal(), n))

    def working_days_between(self, start: date, end: date) -> int:
        """Working days ``d`` with ``start < d <= end`` (negative when ``end < start``).

        So that ``add_working_days(start, working_days_between(start, end)) == end`` whenever
        ``end`` is a working day after ``start``.
        """
        return self.working_days_between_ordinals(start.toordinal(), end.toordinal())

    def working_days(self, start: date, end: date) -> list[date]:
        """The working days from ``start`` to ``end``, both included."""
        a, b = start.toordinal(), end.toordinal()
        if b < a:
            return []
        self._index(a)
        self._index(b)
        lo = self._cum[a - self._base]
        hi = self._cum[b - self._base + 1]
        return [date.fromordinal(o) for o in self._wd[lo:hi]]

    # -- instants ---------------------------------------------------------------------------

    def local(self, moment: datetime) -> datetime:
        """``moment`` (aware) in the calendar's time zone."""
        if moment.tzinfo is None or moment.utcoffset() is None:
            raise ValueError("a datetime without UTC offset is ambiguous here")
        return moment.astimezone(self.tz)

    def _midnight(self, ordinal: int) -> int:
        return int(datetime.combine(date.fromordinal(ordinal), time(0), self.tz).timestamp())

    def _clock_instant(self, ordinal: int, minutes: int) -> int:
        if minutes >= 24 * 60:
            return self._midnight(ordinal + 1)
        clock = time(minutes // 60, minutes % 60)
        return int(datetime.combine(date.fromordinal(ordinal), clock, self.tz).timestamp())

    def _periods(self, opening: bool) -> _Periods:
        cached = self._open_periods if opening else self._day_periods
        if cached is not None:
            return cached
        spans: list[tuple[int, int]] = []
        for o in self._wd:
            if opening:
                for s, e in self.opening_hours.get(date.fromordinal(o).weekday(), ()):
                    spans.append((self._clock_instant(o, s), self._clock_instant(o, e)))
            else:
                spans.append((self._midnight(o), self._midnight(o + 1)))
        built = _Periods(spans)
        if opening:
            self._open_periods = built
        else:
            self._day_periods = built
        return built

    def clock_window(
        self, local: datetime, seconds: int, opening: bool
    ) -> tuple[datetime, datetime]:
        """(start, end) of a clock that runs ``seconds`` inside periods, from ``local``.

        The periods are the opening hours of working days (``opening``) or the whole of each
        working day. The clock starts at ``local`` when it falls inside a period, otherwise
        at the start of the next period; ``end`` is the earliest instant at which
        ``seconds`` of period time have elapsed (a result landing exactly on the end of a
        period is that end). ``local`` must be aware; the results are in the calendar's zone.
        """
        if seconds < 0:
            raise ValueError("cannot count a negative duration")
        if opening and not any(self.opening_hours.values()):
            raise ValueError("this calendar has no opening hours")
        if local.tzinfo is not self.tz:
            local = self.local(local)
        micro = local.microsecond
        ts = round(local.timestamp() - micro / 1_000_000)
        o = local.toordinal()
        if not 0 <= o - self._base < self._n:
            self._index(o)
        while True:
            periods = self._open_periods if opening else self._day_periods
            if periods is None:
                periods = self._periods(opening)
            starts, ends, cum = periods.starts, periods.ends, periods.cum
            k = bisect_right(starts, ts) - 1
            inside = k >= 0 and ts < ends[k]
            if inside:
                pos = cum[k] + ts - starts[k]
            else:
                pos = cum[k + 1]
                micro = 0
            target = pos + seconds
            if target < cum[-1] or (target == cum[-1] and seconds and not micro):
                start = local if inside else datetime.fromtimestamp(starts[k + 1], self.tz)
                if seconds == 0:
                    return start, start
                m = bisect_right(cum, target) - 1 if micro else bisect_left(cum, target) - 1
                out = datetime.fromtimestamp(starts[m] + (target - cum[m]), self.tz)
                return start, (out.replace(microsecond=micro) if micro else out)
            self._grow_forward()

    def _advance(self, moment: datetime, seconds: int, opening: bool) -> datetime:
        return self.clock_window(moment, seconds, opening)[1]

    def add_running_hours_on_working_days(
        self, moment: datetime, hours: float, *, seconds: int | None = None
    ) -> datetime:
        """The instant at which ``hours`` have run, counting every hour of working days only.

        The clock runs through all 24 hours of each working day and stops on the others; it
        starts at ``moment``, or at 00:00 of the next working day when ``moment`` falls on a
        non-working day. Real elapsed time is counted, so a working day with a summer-time
        change lasts 23 or 25 hours. Source: Portuguese tender (seed 003), 12.2 ii): e-mails
        "tratadas no espaço temporal de 48 (quarenta e oito) horas seguidas, a contar da
        hora da receção do e-mail, com exceção de fins de semana e feriados nacionais".
        """
        secs = int(round(hours * 3600)) if seconds is None else seconds
        return self._advance(moment, secs, opening=False)

    def add_working_hours(
        self, moment: datetime, hours: float, *, seconds: int | None = None
    ) -> datetime:
        """The instant at which ``hours`` of opening hours (working days only) have elapsed.

        Counting starts at ``moment`` if the agency is open then, otherwise at the next
        opening. A result that lands exactly on a closing time is that closing time.
        """
        secs = int(round(hours * 3600)) if seconds is None else seconds
        return self._advance(moment, secs, opening=True)

    def running_seconds_between(self, start: datetime, end: datetime, opening: bool) -> int:
        """Seconds of working-day time (or opening time) between two instants (>= 0)."""
        a = self.local(start)
        b = self.local(end)
        if b <= a:
            return 0
        self._index(a.toordinal())
        self._index(b.toordinal())
        periods = self._periods(opening)
        return periods.position(int(b.timestamp())) - periods.position(int(a.timestamp()))

    # -- opening hours for the portal ------------------------------------------------------

    def is_open(self, moment: datetime) -> bool:
        """Whether the agency is open at ``moment`` (a working day, inside a period)."""
        local = self.local(moment)
        if not self.is_working_ordinal(local.toordinal()):
            return False
        minutes = local.hour * 60 + local.minute
        return any(s <= minutes < e for s, e in self.opening_hours.get(local.weekday(), ()))

    def closing_time(self, moment: datetime) -> datetime | None:
        """When the current opening period ends, or ``None`` when closed at ``moment``."""
        local = self.local(moment)
        if not self.is_working_ordinal(local.toordinal()):
            return None
        minutes = local.hour * 60 + local.minute
        for s, e in self.opening_hours.get(local.weekday(), ()):
            if s <= minutes < e:
                return datetime.fromtimestamp(self._clock_instant(local.toordinal(), e), self.tz)
        return None

    def next_opening(self, moment: datetime) -> datetime | None:
        """The start of the first opening period that begins at or after ``moment``.

        ``None`` when the calendar has no opening hours at all.
        """
        if not any(self.opening_hours.values()):
            return None
        local = self.local(moment)
        self._index(local.toordinal())
        ts = int(local.timestamp())
        while True:
            periods = self._periods(True)
            k = bisect_left(periods.starts, ts)
            if k < len(periods.starts):
                return datetime.fromtimestamp(periods.starts[k], self.tz)
            self._grow_forward()


_DEFAULTS: dict[str, BusinessCalendar] = {}


def default_calendar(country: str) -> BusinessCalendar:
    """The shared national calendar of ``country`` (BR or PT), no closures, default hours."""
    key = country.upper()
    cal = _DEFAULTS.get(key)
    if cal is None:
        cal = _DEFAULTS[key] = BusinessCalendar(key)
    return cal
