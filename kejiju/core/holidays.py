"""The yearly 节假日安排 (holiday arrangement) as data: the published tables the database is seeded with,
the rules a year's arrangement must satisfy, and the text format of its two lists on forms.

A day is a working day when it is Monday-Friday and not a public holiday, or when it is a weekend day that
the State Council has made a working day (调休上班). The holidays and the make-up working days come from
the yearly notice of the 国务院办公厅 (国务院办公厅关于 YYYY 年部分节假日安排的通知), published every autumn
for the next year. They live in the database (kejiju.core.models.HolidayArrangement), kept by the system
admin on the 节假日安排 pages, so that the next notice needs no release; ``PUBLISHED_ARRANGEMENTS`` below
is what the data migration seeded (2019-2026), cross-checked day by day against the ``chinesecalendar``
package (1.11.0) when it was written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final

WEEKDAY_NAMES: Final = ("星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日")
MIN_YEAR: Final = 2000
MAX_YEAR: Final = 2100


@dataclass(frozen=True, slots=True)
class PublishedArrangement:
    """One year's notice as published: the holiday ranges (inclusive) and the weekend days worked."""

    year: int
    notice_title: str
    document_number: str
    published_on: date
    amendments: str
    holidays: tuple[tuple[str, str, str], ...]  # (name, first day, last day), ISO dates, inclusive
    makeup_workdays: tuple[str, ...]  # ISO dates of weekend days that are working days


def source_text(*, notice_title: str, document_number: str, published_on: date, amendments: str) -> str:
    """The notice as cited: ``title（文号，YYYY年M月D日）`` and its later amendments after ``；``."""
    when = f"{published_on.year}年{published_on.month}月{published_on.day}日"
    text = f"{notice_title}（{document_number}，{when}）" if document_number else f"{notice_title}（{when}）"
    return f"{text}；{amendments}" if amendments else text


PUBLISHED_ARRANGEMENTS: Final[tuple[PublishedArrangement, ...]] = (
    PublishedArrangement(
        year=2019,
        notice_title="国务院办公厅关于2019年部分节假日安排的通知",
        document_number="",
        published_on=date(2018, 12, 6),
        amendments="国务院办公厅关于调整2019年劳动节假期安排的通知（国办发明电〔2019〕3号，2019年3月22日）",
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
    PublishedArrangement(
        year=2020,
        notice_title="国务院办公厅关于2020年部分节假日安排的通知",
        document_number="国办发明电〔2019〕16号",
        published_on=date(2019, 11, 21),
        amendments=(
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
    PublishedArrangement(
        year=2021,
        notice_title="国务院办公厅关于2021年部分节假日安排的通知",
        document_number="",
        published_on=date(2020, 11, 25),
        amendments="",
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
    PublishedArrangement(
        year=2022,
        notice_title="国务院办公厅关于2022年部分节假日安排的通知",
        document_number="",
        published_on=date(2021, 10, 25),
        amendments="",
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
    PublishedArrangement(
        year=2023,
        notice_title="国务院办公厅关于2023年部分节假日安排的通知",
        document_number="",
        published_on=date(2022, 12, 8),
        amendments="",
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
    PublishedArrangement(
        year=2024,
        notice_title="国务院办公厅关于2024年部分节假日安排的通知",
        document_number="",
        published_on=date(2023, 10, 25),
        amendments="",
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
    PublishedArrangement(
        year=2025,
        notice_title="国务院办公厅关于2025年部分节假日安排的通知",
        document_number="",
        published_on=date(2024, 11, 12),
        amendments="",
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
    PublishedArrangement(
        year=2026,
        notice_title="国务院办公厅关于2026年部分节假日安排的通知",
        document_number="",
        published_on=date(2025, 11, 4),
        amendments="",
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


def ensure_published_arrangements(model) -> int:
    """Create the rows of the published years that are missing (never overwrites a year that exists);
    takes the model so that the data migration can pass its historical one. Returns the rows created."""
    existing = set(model.objects.values_list("year", flat=True))
    rows = [
        model(
            year=item.year,
            notice_title=item.notice_title,
            document_number=item.document_number,
            published_on=item.published_on,
            amendments=item.amendments,
            holidays=[list(entry) for entry in item.holidays],
            makeup_workdays=list(item.makeup_workdays),
        )
        for item in PUBLISHED_ARRANGEMENTS
        if item.year not in existing
    ]
    model.objects.bulk_create(rows)
    return len(rows)


# ---------------------------------------------------------------------------------------------- rules


def window(year: int) -> tuple[date, date]:
    """The days a year's notice may name: the year itself, and the last month of the year before (the 元旦
    holiday and its make-up day may fall in late December, as in 2019 and 2023)."""
    return date(year - 1, 12, 1), date(year, 12, 31)


def _iso(day: date) -> str:
    return day.isoformat()


def arrangement_problems(
    *,
    year: int,
    holidays: list[tuple[str, date, date]],
    makeup_workdays: list[date],
    neighbours: dict[date, str] | None = None,
) -> dict[str, list[str]]:
    """The problems of one year's arrangement, by field (``holidays`` / ``makeup_workdays``), in Chinese and
    naming the line and the dates concerned; empty when it is sound. ``neighbours`` are the days other years'
    arrangements already name (day → description), which this year must not name again."""
    problems: dict[str, list[str]] = {"holidays": [], "makeup_workdays": []}
    first_allowed, last_allowed = window(year)
    neighbours = neighbours or {}
    taken: dict[date, str] = {}
    if not holidays:
        problems["holidays"].append(f"请填写{year}年的放假安排（至少一个节日）。")
    for number, (name, first, last) in enumerate(holidays, start=1):
        where = f"第{number}行“{name}”"
        if first > last:
            problems["holidays"].append(f"{where}的开始日期 {_iso(first)} 晚于结束日期 {_iso(last)}。")
            continue
        if first < first_allowed or last > last_allowed or last.year != year:
            problems["holidays"].append(
                f"{where}（{_iso(first)} 至 {_iso(last)}）不在{year}年内：放假日期应在{year}年，"
                f"仅元旦假期可从{year - 1}年12月开始。"
            )
            continue
        if (last - first).days > 30:
            problems["holidays"].append(f"{where}（{_iso(first)} 至 {_iso(last)}）超过31天，请核对日期。")
            continue
        day = first
        while day <= last:
            clash = taken.get(day) or neighbours.get(day)
            if clash:
                problems["holidays"].append(f"{where}的 {_iso(day)} 与{clash}重叠。")
                break
            taken[day] = where
            day += timedelta(days=1)
    seen: set[date] = set()
    for day in makeup_workdays:
        label = f"调休上班日 {_iso(day)}"
        if day in seen:
            problems["makeup_workdays"].append(f"{label}重复填写。")
            continue
        seen.add(day)
        if day < first_allowed or day > last_allowed:
            problems["makeup_workdays"].append(
                f"{label}不在{year}年内（仅元旦前的调休可在{year - 1}年12月）。"
            )
        elif day.weekday() < 5:
            problems["makeup_workdays"].append(
                f"{label}是{WEEKDAY_NAMES[day.weekday()]}：调休上班日应为周六或周日（工作日本来就上班）。"
            )
        elif day in taken:
            problems["makeup_workdays"].append(f"{label}在放假日期内（{taken[day]}）。")
        elif day in neighbours:
            problems["makeup_workdays"].append(f"{label}已列入{neighbours[day]}。")
    return {field: messages for field, messages in problems.items() if messages}


# ----------------------------------------------------------------------------------- the text format

_DATE = r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
_NAME = r"^\s*(?P<name>[^\d\s,，:：]+)\s*[:：,，]?\s*"
_HOLIDAY_LINE = re.compile(rf"{_NAME}{_DATE}\s*(?:至|到|~|～|－|—|-|,|，|\s)\s*{_DATE}\s*$")
_SINGLE_DAY_LINE = re.compile(rf"{_NAME}{_DATE}\s*$")
_DATE_ONLY = re.compile(rf"^{_DATE}$")


class TextFormatError(ValueError):
    """A line of the text format cannot be read; ``str(error)`` is a message in Chinese."""


def _make_date(parts: tuple[str, str, str], what: str) -> date:
    try:
        return date(int(parts[0]), int(parts[1]), int(parts[2]))
    except ValueError:
        raise TextFormatError(f"{what}的日期 {'-'.join(parts)} 不存在。") from None


def parse_holidays(text: str) -> list[tuple[str, date, date]]:
    """One holiday a line: ``名称 开始日期 至 结束日期`` (or one date for a one-day holiday)."""
    entries: list[tuple[str, date, date]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        match = _HOLIDAY_LINE.match(line)
        if match:
            groups = match.groups()
            name = groups[0]
            what = f"放假安排第{number}行“{name}”"
            entries.append((name, _make_date(groups[1:4], what), _make_date(groups[4:7], what)))
            continue
        match = _SINGLE_DAY_LINE.match(line)
        if match:
            groups = match.groups()
            day = _make_date(groups[1:4], f"放假安排第{number}行“{groups[0]}”")
            entries.append((groups[0], day, day))
            continue
        raise TextFormatError(
            f"放假安排第{number}行“{line.strip()[:40]}”无法识别：每行应为“名称 开始日期 至 结束日期”，"
            "如“春节 2026-02-15 至 2026-02-23”。"
        )
    return entries


def parse_makeup_workdays(text: str) -> list[date]:
    """Dates separated by spaces, commas, 、 or line breaks."""
    days = []
    for token in re.split(r"[\s,，、;；]+", text.strip()):
        if not token:
            continue
        match = _DATE_ONLY.match(token)
        if not match:
            raise TextFormatError(
                f"调休上班日“{token[:20]}”不是日期：请按 2026-02-14 的格式填写，每行一个或用逗号分隔。"
            )
        days.append(_make_date(match.groups(), f"调休上班日“{token}”"))
    return days


def format_holidays(holidays) -> str:
    return "\n".join(f"{name} {first} 至 {last}" for name, first, last in holidays)


def format_makeup_workdays(days) -> str:
    return "\n".join(str(day) for day in days)
