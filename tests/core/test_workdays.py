"""Table-driven tests of kejiju.core.workdays against the published tables, as the data migration seeded
them into the database."""

from __future__ import annotations

from datetime import date

import pytest

from kejiju.core.workdays import (
    CalendarNotCoveredError,
    add_working_days,
    arrangement_for,
    covered_years,
    is_holiday,
    is_working_day,
    period_end_date,
    working_days_between,
    working_days_in,
)

D = date

pytestmark = pytest.mark.django_db


def test_covers_2019_through_2026() -> None:
    assert set(range(2019, 2027)) <= covered_years()
    for year in range(2019, 2027):
        assert "国务院办公厅关于" in arrangement_for(year).source
        assert f"{year}年部分节假日安排的通知" in arrangement_for(year).source


@pytest.mark.parametrize(
    ("day", "working", "holiday"),
    [
        # Ordinary days
        (D(2023, 9, 26), True, None),  # Tuesday
        (D(2023, 9, 23), False, None),  # Saturday
        (D(2023, 9, 24), False, None),  # Sunday
        # 2023 中秋节、国庆节 9-29 .. 10-06, make-up Saturday 10-07 and Sunday 10-08
        (D(2023, 9, 29), False, "中秋节、国庆节"),
        (D(2023, 10, 2), False, "中秋节、国庆节"),
        (D(2023, 10, 6), False, "中秋节、国庆节"),
        (D(2023, 10, 7), True, None),
        (D(2023, 10, 8), True, None),
        # 2019 劳动节 as amended in March 2019: 5-01 .. 5-04; 4-28 and 5-05 (Sundays) worked
        (D(2019, 5, 3), False, "劳动节"),
        (D(2019, 4, 28), True, None),
        (D(2019, 5, 5), True, None),
        # 2020 春节 extended to 2-02: Saturday 2-01 no longer a working day
        (D(2020, 1, 31), False, "春节"),
        (D(2020, 2, 1), False, "春节"),
        (D(2020, 2, 3), True, None),
        (D(2020, 1, 19), True, None),
        # New Year holiday reaching into the previous December
        (D(2022, 12, 31), False, "元旦"),
        (D(2023, 1, 2), False, "元旦"),
        # 2024
        (D(2024, 2, 18), True, None),  # Sunday worked after 春节
        (D(2024, 6, 10), False, "端午节"),
        # 2025: the first year with 2 more public holidays (春节 eve, 5-02)
        (D(2025, 1, 28), False, "春节"),
        (D(2025, 5, 2), False, "劳动节"),
        (D(2025, 4, 27), True, None),
        # 2026, published on 2025-11-04
        (D(2026, 1, 2), False, "元旦"),
        (D(2026, 1, 4), True, None),  # Sunday worked
        (D(2026, 2, 14), True, None),  # Saturday worked
        (D(2026, 2, 23), False, "春节"),  # Monday, last day of 春节
        (D(2026, 2, 28), True, None),
        (D(2026, 5, 9), True, None),
        (D(2026, 9, 20), True, None),
        (D(2026, 9, 25), False, "中秋节"),
        (D(2026, 10, 7), False, "国庆节"),
        (D(2026, 10, 10), True, None),
        (D(2026, 12, 31), True, None),
    ],
)
def test_is_working_day(day: date, working: bool, holiday: str | None) -> None:
    assert is_working_day(day) is working
    assert is_holiday(day) == holiday


@pytest.mark.parametrize(
    ("year", "count"),
    # Totals of the table, checked against the chinesecalendar package when the table was written.
    [(2019, 250), (2020, 249), (2021, 250), (2022, 249), (2023, 249), (2024, 251), (2025, 248), (2026, 248)],
)
def test_working_days_per_year(year: int, count: int) -> None:
    assert working_days_in(D(year, 1, 1), D(year, 12, 31)) == count


# ---------------------------------------------------------------------------------------------------------
# 公示 periods
# ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("first_day", "working_days", "last_day"),
    [
        # 2023-09-27 (Wed) 1, 09-28 2, holiday 09-29 .. 10-06, 10-07 (Sat) 3, 10-08 (Sun) 4,
        # 10-09 .. 10-13 5-9, 10-16 (Mon) 10.
        (D(2023, 9, 27), 10, D(2023, 10, 16)),
        (D(2023, 9, 28), 1, D(2023, 9, 28)),
        (D(2023, 9, 30), 1, D(2023, 10, 7)),  # opens during the holiday: first working day is 10-07
        (D(2026, 9, 24), 10, D(2026, 10, 14)),  # 中秋节 and 国庆节 2026, make-up days 9-20 (before) and 10-10
        # 2-09 .. 2-13 1-5, 2-14 (Sat) 6, holiday 2-15 .. 2-23, 2-24 .. 2-27 7-10
        (D(2026, 2, 9), 10, D(2026, 2, 27)),
        (D(2026, 2, 24), 10, D(2026, 3, 6)),  # 2-24 .. 2-27 1-4, 2-28 (Sat) 5, 3-02 .. 3-06 6-10
        (D(2025, 9, 26), 10, D(2025, 10, 15)),
        # 2-05 .. 2-09 1-5 (除夕 2-09 is a working day), holiday 2-10 .. 2-17, 2-18 (Sun) 6, 2-19 .. 2-22 7-10
        (D(2024, 2, 5), 10, D(2024, 2, 22)),
        (D(2023, 11, 6), 10, D(2023, 11, 17)),  # no holiday: two plain weeks
    ],
)
def test_period_end_date(first_day: date, working_days: int, last_day: date) -> None:
    assert period_end_date(first_day, working_days) == last_day
    assert working_days_in(first_day, last_day) == working_days


def test_period_end_date_needs_a_positive_length() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        period_end_date(D(2023, 9, 27), 0)


@pytest.mark.parametrize(
    ("start", "n", "result"),
    [
        (D(2023, 9, 27), 10, D(2023, 10, 17)),  # start itself not counted
        (D(2023, 9, 28), 1, D(2023, 10, 7)),  # next working day is the make-up Saturday
        (D(2023, 10, 6), 2, D(2023, 10, 8)),  # make-up Saturday and Sunday
        (D(2020, 1, 23), 1, D(2020, 2, 3)),  # extended 2020 春节
        (D(2026, 2, 13), 1, D(2026, 2, 14)),  # Friday → make-up Saturday
        (D(2026, 2, 14), 1, D(2026, 2, 24)),
        (D(2023, 9, 27), 0, D(2023, 9, 27)),
        (D(2023, 10, 16), -10, D(2023, 9, 26)),
        (D(2023, 10, 9), -1, D(2023, 10, 8)),  # back onto a make-up Sunday
        (D(2023, 10, 7), -1, D(2023, 9, 28)),
    ],
)
def test_add_working_days(start: date, n: int, result: date) -> None:
    assert add_working_days(start, n) == result
    assert working_days_between(start, result) == n


@pytest.mark.parametrize(
    ("a", "b", "count"),
    [
        (D(2023, 9, 27), D(2023, 9, 27), 0),
        (D(2023, 9, 27), D(2023, 10, 16), 9),  # 9-27 itself not counted
        (D(2023, 10, 16), D(2023, 9, 27), -9),
        (D(2023, 9, 28), D(2023, 10, 6), 0),  # holiday only
        (D(2023, 9, 28), D(2023, 10, 8), 2),
        (D(2023, 12, 29), D(2024, 1, 2), 1),  # across the year end
    ],
)
def test_working_days_between(a: date, b: date, count: int) -> None:
    assert working_days_between(a, b) == count


def test_working_days_in_empty_range() -> None:
    assert working_days_in(D(2023, 10, 16), D(2023, 9, 27)) == 0


# ---------------------------------------------------------------------------------------------------------
# Years not in the table
# ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("day", [D(2027, 1, 4), D(2018, 12, 3), D(2018, 12, 29)])
def test_uncovered_year_raises(day: date) -> None:
    with pytest.raises(CalendarNotCoveredError, match=f"尚未录入{day.year}年的法定节假日安排"):
        is_working_day(day)
    with pytest.raises(CalendarNotCoveredError):
        is_holiday(day)


def test_period_running_into_an_uncovered_year_raises() -> None:
    with pytest.raises(CalendarNotCoveredError, match="2027"):
        period_end_date(D(2026, 12, 24), 10)


def test_arrangement_for_uncovered_year_names_the_notice() -> None:
    with pytest.raises(CalendarNotCoveredError, match="关于2027年部分节假日安排的通知"):
        arrangement_for(2027)


# The sources as the code table named them before the arrangements moved into the database.
LEGACY_SOURCES = {
    2019: "国务院办公厅关于2019年部分节假日安排的通知（2018年12月6日）；"
    "国务院办公厅关于调整2019年劳动节假期安排的通知（国办发明电〔2019〕3号，2019年3月22日）",
    2020: "国务院办公厅关于2020年部分节假日安排的通知（国办发明电〔2019〕16号，2019年11月21日）；"
    "国务院办公厅关于延长2020年春节假期的通知（国办发明电〔2020〕1号，2020年1月26日），"
    "春节假期延长至2月2日，原定2月1日上班取消",
    2021: "国务院办公厅关于2021年部分节假日安排的通知（2020年11月25日）",
    2022: "国务院办公厅关于2022年部分节假日安排的通知（2021年10月25日）",
    2023: "国务院办公厅关于2023年部分节假日安排的通知（2022年12月8日）",
    2024: "国务院办公厅关于2024年部分节假日安排的通知（2023年10月25日）",
    2025: "国务院办公厅关于2025年部分节假日安排的通知（2024年11月12日）",
    2026: "国务院办公厅关于2026年部分节假日安排的通知（2025年11月4日）",
}


@pytest.mark.parametrize(("year", "source"), sorted(LEGACY_SOURCES.items()))
def test_seeded_sources_are_the_published_notices(year: int, source: str) -> None:
    assert arrangement_for(year).source == source


def test_the_seeded_rows_pass_their_own_validation() -> None:
    from kejiju.core.models import HolidayArrangement

    for row in HolidayArrangement.objects.all():
        row.full_clean()


def test_uncovered_year_is_a_validation_error_naming_who_adds_it() -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as caught:
        period_end_date(D(2026, 12, 19), 10)
    message = " ".join(caught.value.messages)
    assert "2027年" in message and "系统管理员" in message and "节假日安排" in message
    assert "Error" not in message and "[" not in str(caught.value)
