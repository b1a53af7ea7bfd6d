"""Invariants of the annual statistics on a fixed seeded world (tests/reporting/annual/world.py), whatever
the figures' values: a headline is the sum of its county rows (the row of records without a county
included), the appendix lists exactly what the headline counts, the platform types add up to the platform
figures of both years, the expert fields cover both years, and the year's filing table is the sum of the
twelve monthly reports."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kejiju.reporting import selectors as reporting
from kejiju.reporting.annual import annual_statistics

from . import world as w

pytestmark = pytest.mark.django_db

YEAR = 2025


@pytest.fixture
def built(regions):
    world = w.build_fixed_world(year=YEAR)
    return world, annual_statistics(year=YEAR)


def _figures(stats) -> dict:
    return {figure["key"]: figure for figure in stats["figures"]}


def _value(key: str, value):
    return Decimal(str(value)) if key in w.MONEY_KEYS else value


def test_headlines_are_the_sums_of_their_county_rows(built):
    _world, stats = built
    figures = _figures(stats)
    problems = []
    for key in w.ADDITIVE_KEYS:
        if key not in figures:
            problems.append(f"{key}: no headline in stats['figures']")
            continue
        rows = [row for row in stats["counties"] if key in row]
        if len(rows) != len(stats["counties"]) or not rows:
            problems.append(f"{key}: not in every county row ({len(rows)} of {len(stats['counties'])})")
            continue
        total = sum((_value(key, row[key]) for row in rows), Decimal(0) if key in w.MONEY_KEYS else 0)
        if total != _value(key, figures[key]["value"]):
            problems.append(f"{key}: headline {figures[key]['value']} != Σ county rows {total}")
    assert not problems, "\n".join(problems)


def test_the_row_without_county_comes_last_and_only_when_needed(built):
    _world, stats = built
    ids = [row["region_id"] for row in stats["counties"]]
    assert None in ids, "the fixed world has an expert and a 科技副总 without a county: a row for them is due"
    assert ids.index(None) == len(ids) - 1
    assert stats["counties"][-1]["region"] == w.NO_COUNTY_LABEL


def test_appendix_lists_exactly_what_the_headlines_count(built):
    _world, stats = built
    figures = _figures(stats)
    assert len(stats["appendix"]["platforms"]) == figures["platforms"]["value"]
    assert len(stats["appendix"]["smes"]) == figures["smes"]["value"]


def test_platform_types_add_up_in_both_years(built):
    _world, stats = built
    figures = _figures(stats)
    rows = stats["platforms_by_type"]
    assert sum(row["count"] for row in rows) == figures["platforms"]["value"]
    assert sum(row["previous"] for row in rows) == figures["platforms"]["previous"]


def test_expert_fields_cover_both_years(built):
    world, stats = built
    wanted = set(w.expected(world, year=YEAR).experts_by_field) | set(
        w.expected(world, year=YEAR - 1).experts_by_field
    )
    shown = {row["field"] for row in stats["experts_by_field"]}
    assert wanted <= shown, f"fields admitted in {YEAR} or {YEAR - 1} missing: {sorted(wanted - shown)}"


def test_the_years_filings_are_the_sum_of_the_twelve_monthly_reports(built):
    _world, stats = built
    months = [reporting.monthly_report_data(year=YEAR, month=month) for month in range(1, 13)]
    summed = {
        key: sum(getattr(report, key) for report in months)
        for key in ("expected", "filed", "on_time", "late")
    }
    totals = {key: stats["timeliness_totals"][key] for key in summed}
    assert totals == summed
    assert stats["timeliness_totals"]["missing"] == summed["expected"] - summed["filed"]
