"""Chinese working-day arithmetic (工作日), for 公示 periods and other deadlines counted in working days.

A day is a working day when it is Monday-Friday and not a public holiday, or when it is a weekend day that
the State Council has made a working day (调休上班). The holidays and the make-up working days are the
yearly 节假日安排 rows in the database (kejiju.core.models.HolidayArrangement, kept by the system admin on
the 节假日安排 pages; see kejiju/core/holidays.py). A date in a year without a row raises
:class:`CalendarNotCoveredError`: guessing would silently shift legal deadlines.

The error is a Django ``ValidationError`` whose message says which year is missing and who adds it, so
every service and view that already turns a ValidationError into a form error or a message answers a
calendar gap the same way, never with a 500.

The rows are read once per process and kept until the version in the shared cache changes: saving or
deleting an arrangement raises it when its transaction commits (kejiju.core.cache_versions), so every
process reads the new rows on its next call; the process that changed them reads them from the database
until the commit, and forgets them on a rollback. A call costs one cache read; the arithmetic itself runs on
in-memory sets.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final
from zoneinfo import ZoneInfo

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction

from .cache_versions import raise_version

__all__ = [
    "CalendarNotCoveredError",
    "YearArrangement",
    "add_working_days",
    "arrangement_for",
    "arrangements_changed",
    "covered_years",
    "forget_calendar",
    "is_holiday",
    "is_working_day",
    "local_today",
    "missing_years",
    "period_end_date",
    "working_days_between",
    "working_days_in",
]

VERSION_KEY: Final = "holidays:version"
# Where the system admin adds a year (shown in the message; the menu entry has the same name).
MAINTAINER_HINT: Final = "系统管理员可在“系统管理 › 节假日安排”页面补录"


class CalendarNotCoveredError(ValidationError, LookupError):
    """The holiday arrangement of a year is not in the database. ``str(error)`` is a message in Chinese
    that names the year, the notice to copy it from and who adds it."""

    def __init__(self, year: int, covered: frozenset[int] | set[int] = frozenset()) -> None:
        self.year = year
        if covered:
            years = sorted(covered)
            contiguous = years == list(range(years[0], years[-1] + 1))
            span = f"{years[0]}–{years[-1]}" if contiguous else "、".join(str(y) for y in years)
            recorded = f"（已录入{span}年）"
        else:
            recorded = "（尚未录入任何年度）"
        super().__init__(
            f"系统尚未录入{year}年的法定节假日安排{recorded}，无法按工作日计算期限。"
            f"请系统管理员按国务院办公厅《关于{year}年部分节假日安排的通知》补录{year}年的节假日安排"
            f"（{MAINTAINER_HINT}），补录后即可办理。",
            code="calendar_not_covered",
        )

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True, slots=True)
class YearArrangement:
    """One year's 节假日安排: holiday ranges (inclusive) and the weekend days worked instead (调休上班)."""

    year: int
    source: str
    holidays: tuple[tuple[str, str, str], ...]  # (name, first day, last day), ISO dates, inclusive
    makeup_workdays: tuple[str, ...]  # ISO dates of weekend days that are working days


@dataclass(frozen=True, slots=True)
class _Calendar:
    arrangements: dict[int, YearArrangement]
    holidays: dict[date, str]
    makeup: frozenset[date]


_lock = threading.Lock()
_memo: tuple[int | None, _Calendar] | None = None
# True while this process holds a transaction that changed arrangements and has not committed: reads then
# come from the database each time and are not kept (a rollback must not leave its rows in memory).
_pending = False


def _days(first: date, last: date) -> Iterator[date]:
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)


def _load() -> _Calendar:
    from .models import HolidayArrangement

    arrangements: dict[int, YearArrangement] = {}
    holidays: dict[date, str] = {}
    makeup: set[date] = set()
    for row in HolidayArrangement.objects.order_by("year"):
        arrangement = YearArrangement(
            year=row.year,
            source=row.source,
            holidays=tuple((str(name), str(a), str(b)) for name, a, b in row.holidays),
            makeup_workdays=tuple(str(day) for day in row.makeup_workdays),
        )
        arrangements[row.year] = arrangement
        for name, first, last in arrangement.holidays:
            for day in _days(date.fromisoformat(first), date.fromisoformat(last)):
                holidays[day] = name
        makeup.update(date.fromisoformat(day) for day in arrangement.makeup_workdays)
    return _Calendar(arrangements=arrangements, holidays=holidays, makeup=frozenset(makeup))


def _version() -> int | None:
    try:
        return cache.get(VERSION_KEY, 0)
    except Exception:  # the cache is down: read the rows every time rather than trust a stale copy
        return None


def _calendar() -> _Calendar:
    global _memo, _pending
    if _pending and not transaction.get_connection().in_atomic_block:
        _pending = False  # the transaction that changed rows ended without its commit callback: rolled back
        _memo = None
    version = _version()
    memo = _memo
    if memo is not None and version is not None and memo[0] == version:
        return memo[1]
    with _lock:
        calendar = _load()
        if not _pending:
            _memo = (version, calendar)
    return calendar


def forget_calendar() -> None:
    """Drop this process's copy (the next call reads the rows again)."""
    global _memo, _pending
    _memo = None
    _pending = False


def _committed() -> None:
    forget_calendar()
    raise_version(VERSION_KEY)


def arrangements_changed() -> None:
    """An arrangement was saved or deleted (signals in kejiju/core/signals.py): every process reads the
    rows again after the commit; until then this process reads them from the database each time."""
    global _memo, _pending
    _memo = None
    if transaction.get_connection().in_atomic_block:
        _pending = True
        transaction.on_commit(_committed)
    else:
        _committed()


def covered_years() -> frozenset[int]:
    return frozenset(_calendar().arrangements)


def _arrangement(calendar: _Calendar, year: int) -> YearArrangement:
    try:
        return calendar.arrangements[year]
    except KeyError:
        raise CalendarNotCoveredError(year, set(calendar.arrangements)) from None


def arrangement_for(year: int) -> YearArrangement:
    """The 节假日安排 of ``year``; raises :class:`CalendarNotCoveredError` for a year not recorded."""
    return _arrangement(_calendar(), year)


def _is_working_day(calendar: _Calendar, day: date) -> bool:
    if day.year not in calendar.arrangements:
        _arrangement(calendar, day.year)  # raises with the message
    if day in calendar.makeup:
        return True
    return day.weekday() < 5 and day not in calendar.holidays


def is_holiday(day: date) -> str | None:
    """The name of the public holiday on ``day`` (e.g. ``"春节"``), or ``None``. Weekends are not named."""
    calendar = _calendar()
    _arrangement(calendar, day.year)
    return calendar.holidays.get(day)


def is_working_day(day: date) -> bool:
    """Whether ``day`` is a working day: a weekday that is not a holiday, or a 调休 make-up day."""
    return _is_working_day(_calendar(), day)


def add_working_days(start: date, n: int) -> date:
    """The ``n``-th working day after ``start`` (before it when ``n`` is negative); ``start`` itself is not
    counted, as periods are counted under 民法典 第二百零一条. ``n == 0`` returns ``start`` unchanged.
    """
    calendar = _calendar()
    step = timedelta(days=1 if n >= 0 else -1)
    remaining = abs(n)
    day = start
    while remaining:
        day += step
        if _is_working_day(calendar, day):
            remaining -= 1
    return day


def period_end_date(first_day: date, working_days: int) -> date:
    """The last day of a period of ``working_days`` working days that opens on ``first_day``.

    This is how a 公示 notice states its period ("公示期为X年X月X日至X年X月X日"): the opening day counts when
    it is a working day. A period that opens on a non-working day starts on the next working day.
    """
    if working_days < 1:
        raise ValueError("working_days must be at least 1")
    return add_working_days(first_day - timedelta(days=1), working_days)


def working_days_between(a: date, b: date) -> int:
    """Working days after ``a`` up to and including ``b``; negative when ``b`` is before ``a``.

    The inverse of :func:`add_working_days`: ``working_days_between(a, add_working_days(a, n)) == n``.
    """
    if b < a:
        return -working_days_between(b, a)
    calendar = _calendar()
    return sum(1 for day in _days(a + timedelta(days=1), b) if _is_working_day(calendar, day))


def working_days_in(first: date, last: date) -> int:
    """Working days from ``first`` to ``last``, both included (0 when ``last`` is before ``first``)."""
    calendar = _calendar()
    return sum(1 for day in _days(first, last) if _is_working_day(calendar, day))


CITY_TIMEZONE: Final = ZoneInfo("Asia/Shanghai")


def local_today() -> date:
    """Today in China (the calendar's own time zone), whatever the server's clock zone."""
    from django.utils import timezone

    return timezone.now().astimezone(CITY_TIMEZONE).date()


def missing_years(*, today: date) -> list[int]:
    """The years a deadline may soon need and that are not recorded: this year, and from 1 November (the
    notice for the next year is usually out by then) the next one."""
    wanted = [today.year]
    if today.month >= 11:
        wanted.append(today.year + 1)
    covered = covered_years()
    return [year for year in wanted if year not in covered]
