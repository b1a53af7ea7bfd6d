"""Table-driven tests of kejiju.reporting.rules (no database)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction

import pytest
from django.core.exceptions import ValidationError

from kejiju.reporting import rules
from kejiju.reporting.rules import SHANGHAI, BoardState, FilingState

UTC = dt.UTC


def sh(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SHANGHAI)


@pytest.mark.parametrize(
    ("year", "month", "days", "deadline"),
    [
        (2024, 1, 5, sh(2024, 2, 6)),  # closes at the end of 5 Feb
        (2024, 1, 29, sh(2024, 3, 1)),  # leap year: 29 days into February is its last day
        (2023, 1, 28, sh(2023, 3, 1)),  # common year: 28 February is the last day
        (2024, 2, 5, sh(2024, 3, 6)),
        (2024, 12, 5, sh(2025, 1, 6)),  # December closes in January of the next year
        (2023, 12, 0, sh(2024, 1, 1)),  # 0 days: closes at the end of the month itself
        (2024, 2, 0, sh(2024, 3, 1)),  # … 29 February in a leap year
    ],
)
def test_filing_deadline(year, month, days, deadline):
    assert rules.filing_deadline(year, month, days) == deadline


@pytest.mark.parametrize(
    ("year", "month", "days", "last_day"),
    [
        (2024, 1, 5, dt.date(2024, 2, 5)),
        (2024, 2, 0, dt.date(2024, 2, 29)),
        (2023, 2, 0, dt.date(2023, 2, 28)),
        (2024, 12, 5, dt.date(2025, 1, 5)),
    ],
)
def test_last_filing_day(year, month, days, last_day):
    assert rules.last_filing_day(year, month, days) == last_day


@pytest.mark.parametrize(
    ("now", "past"),
    [
        (sh(2024, 2, 5, 23, 59, 59), False),  # last second of the last day (Shanghai)
        (sh(2024, 2, 6, 0, 0, 0), True),
        # 2024-02-05 16:30 UTC is 2024-02-06 00:30 in Shanghai: past, although still the 5th in UTC.
        (dt.datetime(2024, 2, 5, 16, 30, tzinfo=UTC), True),
        (dt.datetime(2024, 2, 5, 15, 59, tzinfo=UTC), False),
    ],
)
def test_is_past_deadline_in_shanghai_time(now, past):
    assert rules.is_past_deadline(2024, 1, now, days=5) is past


def test_deadline_days_setting(settings):
    settings.FILING_DEADLINE_DAYS = 10
    assert rules.filing_deadline(2024, 1) == sh(2024, 2, 11)
    del settings.FILING_DEADLINE_DAYS
    assert rules.filing_deadline(2024, 1) == sh(2024, 2, 6)


@pytest.mark.parametrize(
    ("year", "month", "days", "cutoff"),
    [
        (2024, 1, 5, sh(2024, 3, 1)),  # closes 5 February: read at the end of February
        (2024, 2, 5, sh(2024, 4, 1)),
        (2023, 12, 5, sh(2024, 2, 1)),  # December closes 5 January Y+1: read at the end of January Y+1
        (2024, 12, 5, sh(2025, 2, 1)),
        (2023, 12, 0, sh(2024, 2, 1)),  # 0 days: closes at midnight starting 1 January, so January
        (2024, 1, 0, sh(2024, 3, 1)),
        (2024, 1, 28, sh(2024, 3, 1)),  # closes at the end of 28 February (leap year): still February
        (2024, 1, 29, sh(2024, 4, 1)),  # closes at midnight starting 1 March: March
        (2024, 11, 31, sh(2025, 2, 1)),  # closes at the end of 31 December: midnight starting 2025
        (2024, 11, 30, sh(2025, 1, 1)),
    ],
)
def test_filing_cutoff(year, month, days, cutoff):
    assert rules.filing_cutoff(year, month, days) == cutoff
    assert rules.filing_cutoff(year, month, days) >= rules.filing_deadline(year, month, days)


def test_filing_cutoff_follows_the_deadline_days_setting(settings):
    settings.FILING_DEADLINE_DAYS = 30
    assert rules.filing_cutoff(2024, 1) == sh(2024, 4, 1)  # closes at the end of 1 March
    assert rules.filing_cutoff(2024, 12) == sh(2025, 2, 1)  # closes at the end of 30 January
    settings.FILING_DEADLINE_DAYS = 31
    assert rules.filing_cutoff(2024, 12) == sh(2025, 3, 1)  # closes at midnight starting 1 February
    settings.FILING_DEADLINE_DAYS = 0
    assert rules.filing_cutoff(2024, 12) == sh(2025, 2, 1)
    del settings.FILING_DEADLINE_DAYS
    assert rules.filing_cutoff(2024, 1) == sh(2024, 3, 1)
    assert rules.filing_cutoff(2024, 12) == sh(2025, 2, 1)


@pytest.mark.parametrize(
    ("year", "month", "now", "as_of"),
    [
        (2024, 1, sh(2024, 2, 10, 12), dt.date(2024, 2, 10)),  # before the cutoff: now
        (2024, 1, sh(2024, 2, 29, 23, 59), dt.date(2024, 2, 29)),
        (2024, 1, sh(2024, 3, 1, 0, 0), dt.date(2024, 2, 29)),  # from the cutoff on: its last day
        (2024, 1, dt.datetime(2024, 2, 29, 16, 30, tzinfo=UTC), dt.date(2024, 2, 29)),  # 1 March in Shanghai
        (2024, 1, dt.datetime(2024, 2, 29, 15, 30, tzinfo=UTC), dt.date(2024, 2, 29)),
        (2024, 1, dt.datetime(2024, 2, 28, 16, 30, tzinfo=UTC), dt.date(2024, 2, 29)),  # 29 Feb in Shanghai
        (2023, 12, sh(2026, 6, 1), dt.date(2024, 1, 31)),  # December Y: 31 January Y+1
        (2023, 12, sh(2024, 1, 3), dt.date(2024, 1, 3)),
    ],
)
def test_filing_as_of(year, month, now, as_of):
    assert rules.filing_as_of(year, month, now, days=5) == as_of


@pytest.mark.parametrize(
    ("year", "month", "day", "late"),
    [
        (2024, 1, dt.date(2024, 2, 5), False),  # the last filing day
        (2024, 1, dt.date(2024, 2, 6), True),
        (2023, 12, dt.date(2024, 1, 5), False),
        (2023, 12, dt.date(2024, 1, 6), True),
    ],
)
def test_is_late_day_agrees_with_is_past_deadline(year, month, day, late):
    assert rules.is_late_day(year, month, day, days=5) is late
    for hour in (0, 12, 23):
        moment = dt.datetime(day.year, day.month, day.day, hour, tzinfo=SHANGHAI)
        assert rules.is_past_deadline(year, month, moment, days=5) is late


@pytest.mark.parametrize(
    ("now", "future"),
    [
        (sh(2024, 1, 31, 23, 59), True),  # February has not started in Shanghai
        (sh(2024, 2, 1, 0, 0), False),
        (dt.datetime(2024, 1, 31, 16, 0, tzinfo=UTC), False),  # 1 Feb 00:00 Shanghai
        (dt.datetime(2024, 1, 31, 15, 59, tzinfo=UTC), True),
    ],
)
def test_is_future_month(now, future):
    assert rules.is_future_month(2024, 2, now) is future


@pytest.mark.parametrize(
    ("now", "due"),
    [
        (sh(2024, 2, 3, 10), (2024, 1)),
        (sh(2024, 2, 5, 23, 59), (2024, 1)),
        (sh(2024, 2, 6, 0, 0), (2024, 2)),
        (sh(2024, 1, 2), (2023, 12)),
        (sh(2024, 3, 20), (2024, 3)),
    ],
)
def test_due_month(now, due):
    assert rules.due_month(now, days=5) == due


def test_check_month_open():
    rules.check_month_open(year=2024, month=1, now=sh(2024, 2, 5, 12), has_exception=False)
    with pytest.raises(ValidationError, match="已于 2024-02-05 截止"):
        rules.check_month_open(year=2024, month=1, now=sh(2024, 2, 6, 0, 1), has_exception=False)
    rules.check_month_open(year=2024, month=1, now=sh(2024, 2, 9), has_exception=True)
    with pytest.raises(ValidationError, match="不能填报未来月份"):
        rules.check_month_open(year=2024, month=3, now=sh(2024, 2, 9), has_exception=True)


@pytest.mark.parametrize(
    ("state", "past", "board"),
    [
        (None, False, BoardState.NOT_FILED),
        (None, True, BoardState.OVERDUE),
        (FilingState.DRAFT, False, BoardState.DRAFT),
        (FilingState.DRAFT, True, BoardState.OVERDUE),
        (FilingState.SUBMITTED, True, BoardState.SUBMITTED),
        (FilingState.CONFIRMED, False, BoardState.CONFIRMED),
        (FilingState.RETURNED, True, BoardState.RETURNED),
    ],
)
def test_board_state(state, past, board):
    assert rules.board_state(state, past_deadline=past) == board


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (dt.date(2024, 2, 2), [(2024, 1, "before")]),  # 3 days before 5 Feb
        (dt.date(2024, 2, 4), [(2024, 1, "before")]),  # 1 day before
        (dt.date(2024, 2, 3), []),
        (dt.date(2024, 2, 5), []),  # the last day itself
        (dt.date(2024, 2, 6), [(2024, 1, "after")]),
        (dt.date(2024, 2, 8), [(2024, 1, "after")]),
        (dt.date(2024, 1, 2), [(2023, 12, "before")]),  # across the year end
    ],
)
def test_reminder_months(today, expected):
    assert rules.reminder_months(today, days=5) == expected


@pytest.mark.parametrize(
    ("text", "parsed"),
    [
        ("2024-02", (2024, 2)),
        ("2023-12", (2023, 12)),
        ("2024-2", (2024, 2)),
        ("2024-13", None),
        ("202402", None),
        ("", None),
    ],
)
def test_parse_month(text, parsed):
    if parsed is None:
        with pytest.raises(ValidationError):
            rules.parse_month(text)
    else:
        assert rules.parse_month(text) == parsed


@pytest.mark.parametrize(
    ("done", "target", "percent"),
    [
        (0, 4, Decimal("0.0")),
        (1, 3, Decimal("33.3")),
        (2, 3, Decimal("66.7")),
        (5, 4, Decimal("100.0")),
        (1, 0, Decimal("0.0")),
    ],
)
def test_suggested_percent(done, target, percent):
    assert rules.suggested_percent(done, target) == percent


@pytest.mark.parametrize(
    ("value", "system", "needs"),
    [(3, None, False), (3, 3, False), (4, 3, True), (0, 2, True)],
)
def test_figure_needs_reason(value, system, needs):
    assert rules.figure_needs_reason(value, system) is needs


@pytest.mark.parametrize(
    ("part", "whole", "ratio", "text"),
    [
        (13, 16, Fraction(13, 16), "81.3%"),
        (0, 16, Fraction(0), "0.0%"),
        (16, 16, Fraction(1), "100.0%"),
        (1, 0, None, "—"),
    ],
)
def test_ratio_and_format(part, whole, ratio, text):
    assert rules.ratio(part, whole) == ratio
    assert rules.format_percent(rules.ratio(part, whole)) == text


# ------------------------------------------------------------------ 完成进度 (issue 19)


@pytest.mark.parametrize(
    ("done", "target", "percent", "status", "stored", "fields"),
    [
        (0, 1, None, "in_progress", Decimal("0.0"), set()),
        (0, 1, Decimal("63"), "not_started", Decimal("63"), {"status"}),
        (0, 1, Decimal("100"), "not_started", Decimal("100"), {"percent", "status"}),
        (6, 4, Decimal("10"), "done", Decimal("10"), {"percent"}),
        (6, 4, None, "done", Decimal("100.0"), set()),
        (1, 3, Decimal("33.3"), "in_progress", Decimal("33.3"), set()),
        (1, 3, Decimal("66.7"), "in_progress", Decimal("66.7"), {"percent"}),
        (2, 4, Decimal("60"), "behind", Decimal("60"), set()),
        (0, 4, None, "done", Decimal("0.0"), {"status"}),
        (4, 4, None, "behind", Decimal("100.0"), {"status"}),
    ],
)
def test_progress_problems(done, target, percent, status, stored, fields):
    value, problems = rules.progress_problems(
        title="基地", done=done, target=target, percent=percent, status=status
    )
    assert value == stored
    assert set(problems) == fields
    assert all(m.startswith("任务“基地”") for m in problems.values())
