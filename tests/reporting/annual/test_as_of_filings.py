"""The annual review's filing timeliness is the sum of the twelve monthly reports: both read each month's
filings as of min(now, the month's cutoff) from the workflow events (filing_status), county by county and
overall, and a step taken after a month's cutoff changes neither. Built through the filing services."""

from __future__ import annotations

import datetime as dt

import pytest

from kejiju.reporting.annual import annual_statistics
from kejiju.reporting.selectors import (
    filing_status,
    filing_timeliness,
    filing_timeliness_totals,
    monthly_report_data,
    yearly_figures,
)
from kejiju.reporting.services import FigureInput
from tests.reporting.conftest import sh
from tests.reporting.steps import confirm, file_month, give_back, resend

pytestmark = pytest.mark.django_db

YEAR = 2023
NOW = sh(2024, 6, 1, 9)  # every month of 2023 is past its cutoff (December's: the end of January 2024)
KEYS = ("filed", "on_time", "late", "missing")


@pytest.fixture
def filings(world, regions, make_user):
    """忻府区 (A), 定襄县 (B), 五台县 (C) file January on time. Then:
    A: March returned and never resent; December on time, returned on 3 January and resent on 20 January
       (within December's cutoff).
    B: May on time, returned, resent after the deadline (on time: its first 报送 was); December returned on
       10 January and never resent.
    C: July late; September late, then returned and never resent (a returned late filing)."""
    a, b, c = regions["140902"], regions["140921"], regions["140922"]
    bureau = world.users["bureau"]
    users = {a: world.users["county"], b: world.users["other_county"], c: make_user("county", region=c)}

    def filing(region, month, when, **kwargs):
        return file_month(users[region], year=YEAR, month=month, when=when, bureau=bureau, **kwargs)

    for region in (a, b, c):
        confirm(bureau, filing(region, 1, sh(YEAR, 2, 3, 10)), when=sh(YEAR, 2, 4, 10))
    a_march = filing(
        a, 3, sh(YEAR, 4, 3, 10), figures=[FigureInput(key="smes_new", value=4, reason="以县区统计为准。")]
    )
    give_back(bureau, a_march, when=sh(YEAR, 4, 4, 10))
    a_december = filing(a, 12, sh(YEAR, 12, 29, 10))
    give_back(bureau, a_december, when=sh(YEAR + 1, 1, 3, 10))
    resend(users[a], a_december, when=sh(YEAR + 1, 1, 20, 10))

    b_may = filing(b, 5, sh(YEAR, 6, 3, 10))
    give_back(bureau, b_may, when=sh(YEAR, 6, 4, 10))
    confirm(bureau, resend(users[b], b_may, when=sh(YEAR, 6, 20, 10)), when=sh(YEAR, 6, 21, 10))
    b_december = filing(b, 12, sh(YEAR, 12, 28, 10))
    give_back(bureau, b_december, when=sh(YEAR + 1, 1, 10, 10))

    confirm(bureau, filing(c, 7, sh(YEAR, 8, 8, 10)), when=sh(YEAR, 8, 9, 10))
    c_september = filing(c, 9, sh(YEAR, 10, 8, 10))
    give_back(bureau, c_september, when=sh(YEAR, 10, 9, 10))
    return {"a": a, "b": b, "c": c, "users": users, "bureau": bureau, "a_march": a_march}


def _monthly_sums(now):
    """Σ over the twelve monthly reports of the headline figures, and of the county rows by county."""
    overall = dict.fromkeys(KEYS, 0)
    counties: dict[str, dict[str, int]] = {}
    for month in range(1, 13):
        report = monthly_report_data(year=YEAR, month=month, now=now)
        rows = report.counties
        # Inside one report the county rows add up to its headline (a returned late filing is in neither).
        for key in ("filed", "on_time", "late"):
            assert sum(row[key] for row in rows) == getattr(report, key), (month, key)
        assert len(rows) - sum(row["filed"] for row in rows) == report.missing
        for key in KEYS:
            overall[key] += getattr(report, key)
        for row in rows:
            county = counties.setdefault(row["region"], dict.fromkeys(KEYS, 0))
            county["filed"] += row["filed"]
            county["on_time"] += row["on_time"]
            county["late"] += row["late"]
            county["missing"] += not row["filed"]
    return overall, counties


def _annual(bureau, now):
    rows = {row["region"].name: {key: row[key] for key in KEYS} for row in filing_timeliness(
        year=YEAR, user=bureau, now=now
    )}  # fmt: skip
    totals = filing_timeliness_totals(year=YEAR, user=bureau, now=now)
    return {key: totals[key] for key in KEYS}, rows, totals


def test_annual_timeliness_is_the_sum_of_the_monthly_reports(filings):
    a, b, c, bureau = filings["a"], filings["b"], filings["c"], filings["bureau"]
    overall, counties = _monthly_sums(NOW)
    annual, rows, totals = _annual(bureau, NOW)
    assert annual == overall
    assert rows == counties
    assert rows[a.name] == {"filed": 2, "on_time": 2, "late": 0, "missing": 10}
    assert rows[b.name] == {"filed": 2, "on_time": 2, "late": 0, "missing": 10}
    assert rows[c.name] == {"filed": 2, "on_time": 1, "late": 1, "missing": 10}
    assert (totals["expected"], totals["returned"]) == (16 * 12, 3)
    assert overall == {"filed": 6, "on_time": 5, "late": 1, "missing": 16 * 12 - 6}
    # The annual review shows the same table.
    stats = annual_statistics(year=YEAR)
    assert {key: stats["timeliness_totals"][key] for key in KEYS} == overall
    assert {row["region"]: {key: row[key] for key in KEYS} for row in stats["timeliness"]} == counties


def test_december_is_read_at_its_own_cutoff_in_january(filings):
    a, b = filings["a"], filings["b"]
    december = filing_status(year=YEAR, months=[12], now=NOW)[12]
    assert december[a.pk].as_of == dt.date(YEAR + 1, 1, 31)
    assert december[a.pk].filed and december[a.pk].on_time  # returned and resent in January
    assert december[b.pk].returned and not december[b.pk].filed
    # Read before either return, both Decembers were filed; a report built then said so.
    early = monthly_report_data(year=YEAR, month=12, now=sh(YEAR + 1, 1, 2))
    assert (early.filed, early.on_time) == (2, 2)


def test_steps_after_the_cutoff_change_nothing(filings):
    bureau, users, a_march = filings["bureau"], filings["users"], filings["a_march"]
    before = (_monthly_sums(NOW), _annual(bureau, NOW)[:2], yearly_figures(year=YEAR, now=NOW))
    march = monthly_report_data(year=YEAR, month=3, now=NOW).as_json()
    assert (march["filed"], march["returned"], march["missing"]) == (0, 1, 16)
    # A resends its returned March filing in July 2024, long after March's cutoff, and it is confirmed.
    resent = resend(users[filings["a"]], a_march, when=sh(YEAR + 1, 7, 1, 10))
    confirm(bureau, resent, when=sh(YEAR + 1, 7, 2, 10))
    for now in (sh(YEAR + 1, 8, 1), None):
        after = (_monthly_sums(now), _annual(bureau, now)[:2], yearly_figures(year=YEAR, now=now))
        assert after == before
        again = monthly_report_data(year=YEAR, month=3, now=now).as_json()
        assert again == march
    assert yearly_figures(year=YEAR).get(filings["a"].pk, {}).get("smes_new", 0) == 0


def test_the_figures_take_a_fixed_number_of_queries(filings, django_assert_max_num_queries):
    bureau = filings["bureau"]
    with django_assert_max_num_queries(3) as small:
        filing_timeliness(year=YEAR, user=bureau, now=NOW)
    with django_assert_max_num_queries(2):
        yearly_figures(year=YEAR, now=NOW)
    c, users = filings["c"], filings["users"]
    for month in (2, 4, 6):
        file_month(users[c], year=YEAR, month=month, when=sh(YEAR, month + 1, 2, 10), bureau=bureau)
    with django_assert_max_num_queries(len(small.captured_queries)):
        filing_timeliness(year=YEAR, user=bureau, now=NOW)
