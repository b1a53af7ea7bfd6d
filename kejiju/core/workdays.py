"""Chinese working-day arithmetic (工作日), for 公示 periods and other deadlines counted in working days.

A day is a working day when it is Monday-Friday and not a public holiday, or when it is a weekend day that
the State Council has made a working day (调休上班). The holidays and the make-up working days come from
the yearly notice of the 国务院办公厅 (国务院办公厅关于 YYYY 年部分节假日安排的通知), kept below as data,
one entry per year with its source named. A date in a year without an entry raises
:class:`CalendarNotCoveredError`: guessing would silently shift legal deadlines.

Adding a year: the notice is published every autumn (October-December) for the next year. Copy its
holiday ranges and its 上班 days into ``_ARRANGEMENTS`` and add a test for one of its make-up days.

The table was cross-checked day by day against the ``chinesecalendar`` package (1.11.0) for 2019-2026.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final

__all__ = [
    "COVERED_YEARS",
    "CalendarNotCoveredError",
    "YearArrangement",
    "add_working_days",
    "arrangement_for",
    "is_holiday",
    "is_working_day",
    "period_end_date",
    "working_days_between",
    "working_days_in",
]


class CalendarNotCoveredError(LookupError):
    """The holiday arrangement of a year is not in the table. ``str(error)`` is a message in Chinese."""


@dataclass(frozen=True, slots=True)
class YearArrangement:
    """One year's 节假日安排: holiday ranges (inclusive) and the weekend days worked instead (调休上班)."""

    year: int
    source: str
    holidays: tuple[tuple[str, str, str], ...]  # (name, first day, last day), ISO dates, inclusive
    makeup_workdays: tuple[str, ...]  # ISO dates of weekend days that are working days


_ARRANGEMENTS: Final[tuple[YearArrangement, ...]] = (
    YearArrangement(
        year=2019,
        source=(
            "国务院办公厅关于2019年部分节假日安排的通知（2018年12月6日）；"
            "国务院办公厅关于调整2019年劳动节假期安排的通知（国办发明电〔2019〕3号，2019年3月22日）"
        ),
        holidays=(
            ("元旦", "2018-12-30", "2019-01-01"),
            ("春节", "2019-02-04", "2019-02-10"),
            ("清明节", "2019-04-05", "2019-04-07"),
            ("劳动节", "2019-05-01", "2019-05-04"),
            ("端午节", "2019-06-07", "2019-06-09"),
            ("中秋节", "2019-09-13", "2019-09-15"),
            ("国庆节", "2019-10-01", "2019-10-07"),
        ),
        makeup_workdays=(
            "2018-12-29",
            "2019-02-02",
            "2019-02-03",
            "2019-04-28",
            "2019-05-05",
            "2019-09-29",
            "2019-10-12",
        ),
    ),
    YearArrangement(
        year=2020,
        source=(
            "国务院办公厅关于2020年部分节假日安排的通知（国办发明电〔2019〕16号，2019年11月21日）；"
            "国务院办公厅关于延长2020年春节假期的通知（国办发明电〔2020〕1号，2020年1月26日），"
            "春节假期延长至2月2日，原定2月1日上班取消"
        ),
        holidays=(
            ("元旦", "2020-01-01", "2020-01-01"),
            ("春节", "2020-01-24", "2020-02-02"),
            ("清明节", "2020-04-04", "2020-04-06"),
            ("劳动节", "2020-05-01", "2020-05-05"),
            ("端午节", "2020-06-25", "2020-06-27"),
            ("国庆节、中秋节", "2020-10-01", "2020-10-08"),
        ),
        makeup_workdays=("2020-01-19", "2020-04-26", "2020-05-09", "2020-06-28", "2020-09-27", "2020-10-10"),
    ),
    YearArrangement(
        year=2021,
        source="国务院办公厅关于2021年部分节假日安排的通知（2020年11月25日）",
        holidays=(
            ("元旦", "2021-01-01", "2021-01-03"),
            ("春节", "2021-02-11", "2021-02-17"),
            ("清明节", "2021-04-03", "2021-04-05"),
            ("劳动节", "2021-05-01", "2021-05-05"),
            ("端午节", "2021-06-12", "2021-06-14"),
            ("中秋节", "2021-09-19", "2021-09-21"),
            ("国庆节", "2021-10-01", "2021-10-07"),
        ),
        makeup_workdays=(
            "2021-02-07",
            "2021-02-20",
            "2021-04-25",
            "2021-05-08",
            "2021-09-18",
            "2021-09-26",
            "2021-10-09",
        ),
    ),
    YearArrangement(
        year=2022,
        source="国务院办公厅关于2022年部分节假日安排的通知（2021年10月25日）",
        holidays=(
            ("元旦", "2022-01-01", "2022-01-03"),
            ("春节", "2022-01-31", "2022-02-06"),
            ("清明节", "2022-04-03", "2022-04-05"),
            ("劳动节", "2022-04-30", "2022-05-04"),
            ("端午节", "2022-06-03", "2022-06-05"),
            ("中秋节", "2022-09-10", "2022-09-12"),
            ("国庆节", "2022-10-01", "2022-10-07"),
        ),
        makeup_workdays=(
            "2022-01-29",
            "2022-01-30",
            "2022-04-02",
            "2022-04-24",
            "2022-05-07",
            "2022-10-08",
            "2022-10-09",
        ),
    ),
    YearArrangement(
        year=2023,
        source="国务院办公厅关于2023年部分节假日安排的通知（2022年12月8日）",
        holidays=(
            ("元旦", "2022-12-31", "2023-01-02"),
            ("春节", "2023-01-21", "2023-01-27"),
            ("清明节", "2023-04-05", "2023-04-05"),
            ("劳动节", "2023-04-29", "2023-05-03"),
            ("端午节", "2023-06-22", "2023-06-24"),
            ("中秋节、国庆节", "2023-09-29", "2023-10-06"),
        ),
        makeup_workdays=(
            "2023-01-28",
            "2023-01-29",
            "2023-04-23",
            "2023-05-06",
            "2023-06-25",
            "2023-10-07",
            "2023-10-08",
        ),
    ),
    YearArrangement(
        year=2024,
        source="国务院办公厅关于2024年部分节假日安排的通知（2023年10月25日）",
        holidays=(
            ("元旦", "2024-01-01", "2024-01-01"),
            ("春节", "2024-02-10", "2024-02-17"),
            ("清明节", "2024-04-04", "2024-04-06"),
            ("劳动节", "2024-05-01", "2024-05-05"),
            ("端午节", "2024-06-10", "2024-06-10"),
            ("中秋节", "2024-09-15", "2024-09-17"),
            ("国庆节", "2024-10-01", "2024-10-07"),
        ),
        makeup_workdays=(
            "2024-02-04",
            "2024-02-18",
            "2024-04-07",
            "2024-04-28",
            "2024-05-11",
            "2024-09-14",
            "2024-09-29",
            "2024-10-12",
        ),
    ),
    YearArrangement(
        year=2025,
        source="国务院办公厅关于2025年部分节假日安排的通知（2024年11月12日）",
        holidays=(
            ("元旦", "2025-01-01", "2025-01-01"),
            ("春节", "2025-01-28", "2025-02-04"),
            ("清明节", "2025-04-04", "2025-04-06"),
            ("劳动节", "2025-05-01", "2025-05-05"),
            ("端午节", "2025-05-31", "2025-06-02"),
            ("国庆节、中秋节", "2025-10-01", "2025-10-08"),
        ),
        makeup_workdays=("2025-01-26", "2025-02-08", "2025-04-27", "2025-09-28", "2025-10-11"),
    ),
    YearArrangement(
        year=2026,
        source="国务院办公厅关于2026年部分节假日安排的通知（2025年11月4日）",
        holidays=(
            ("元旦", "2026-01-01", "2026-01-03"),
            ("春节", "2026-02-15", "2026-02-23"),
            ("清明节", "2026-04-04", "2026-04-06"),
            ("劳动节", "2026-05-01", "2026-05-05"),
            ("端午节", "2026-06-19", "2026-06-21"),
            ("中秋节", "2026-09-25", "2026-09-27"),
            ("国庆节", "2026-10-01", "2026-10-07"),
        ),
        makeup_workdays=("2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10"),
    ),
)

COVERED_YEARS: Final[frozenset[int]] = frozenset(a.year for a in _ARRANGEMENTS)


def _days(first: date, last: date) -> Iterator[date]:
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)


def _build() -> tuple[dict[date, str], frozenset[date]]:
    holidays: dict[date, str] = {}
    makeup: set[date] = set()
    for arrangement in _ARRANGEMENTS:
        for name, first, last in arrangement.holidays:
            for day in _days(date.fromisoformat(first), date.fromisoformat(last)):
                holidays[day] = name
        makeup.update(date.fromisoformat(day) for day in arrangement.makeup_workdays)
    return holidays, frozenset(makeup)


_HOLIDAYS, _MAKEUP_WORKDAYS = _build()


def arrangement_for(year: int) -> YearArrangement:
    """The 节假日安排 of ``year``; raises :class:`CalendarNotCoveredError` for a year not in the table."""
    for arrangement in _ARRANGEMENTS:
        if arrangement.year == year:
            return arrangement
    covered = f"{min(COVERED_YEARS)}–{max(COVERED_YEARS)}"
    raise CalendarNotCoveredError(
        f"系统尚未录入{year}年的法定节假日安排（已录入{covered}年），无法按工作日计算；"
        f"请在国务院办公厅发布《关于{year}年部分节假日安排的通知》后补录。"
    )


def _check_covered(day: date) -> None:
    if day.year not in COVERED_YEARS:
        arrangement_for(day.year)  # raises with the message


def is_holiday(day: date) -> str | None:
    """The name of the public holiday on ``day`` (e.g. ``"春节"``), or ``None``. Weekends are not named."""
    _check_covered(day)
    return _HOLIDAYS.get(day)


def is_working_day(day: date) -> bool:
    """Whether ``day`` is a working day: a weekday that is not a holiday, or a 调休 make-up day."""
    _check_covered(day)
    if day in _MAKEUP_WORKDAYS:
        return True
    return day.weekday() < 5 and day not in _HOLIDAYS


def add_working_days(start: date, n: int) -> date:
    """The ``n``-th working day after ``start`` (before it when ``n`` is negative); ``start`` itself is not
    counted, as periods are counted under 民法典 第二百零一条. ``n == 0`` returns ``start`` unchanged.
    """
    step = timedelta(days=1 if n >= 0 else -1)
    remaining = abs(n)
    day = start
    while remaining:
        day += step
        if is_working_day(day):
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
    return sum(1 for day in _days(a + timedelta(days=1), b) if is_working_day(day))


def working_days_in(first: date, last: date) -> int:
    """Working days from ``first`` to ``last``, both included (0 when ``last`` is before ``first``)."""
    return sum(1 for day in _days(first, last) if is_working_day(day))
