"""Property: for a random world built through the services, every figure of the annual statistics (value
and previous year), every county row (with the row of records without a county), the appendix lists, the
platform types, the expert fields and the filing table equal what DEFINITIONS.md says (tests/reporting/
annual/world.py computes it from what the services were asked to do). A figure the statistics do not yet
state fails with its name: nothing is skipped."""

from __future__ import annotations

import random

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from kejiju.core import uploads
from kejiju.reporting.annual import annual_statistics

from . import world as w

pytestmark = pytest.mark.django_db

YEAR = 2025


class _Rollback(Exception):
    pass


# A world is drawn from one seed (the failure names it; rebuild it with random.Random(seed)). No shrinking:
# a world takes seconds to build, and the message lists every difference anyway. For shrinking worlds, pass
# w.HypothesisDraw(data) (st.data()) instead of random.Random(seed).
@settings(
    deadline=None,
    max_examples=8,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(seed=st.integers(min_value=0, max_value=2**32 - 1))
def test_annual_statistics_follow_the_definitions(seed, regions):
    problems: list[str] = []
    try:
        # Each example starts from the empty database (uploads.atomic: filing_save stores files).
        with uploads.atomic():
            world = w.build_random_world(random.Random(seed), year=YEAR, counties=2, most=2)
            problems = w.compare(annual_statistics(year=YEAR), world)
            raise _Rollback
    except _Rollback:
        pass
    assert not problems, f"world seed {seed}: annual_statistics differs from DEFINITIONS.md:\n" + "\n".join(
        problems
    )


def test_the_reference_counts_by_the_definitions(regions):
    """The oracle itself (world.expected) on a hand-made world whose figures are counted by hand."""
    import datetime as dt
    from decimal import Decimal

    world = w.new_world(year=YEAR, counties=2)
    a, b = world.counties
    y, d = YEAR, dt.date
    platform = w.recognise_platform(world, a, d(y, 3, 1))  # counted, and upgraded in Y (counted there)
    w.upgrade_platform(world, platform, d(y, 6, 1))
    platform = w.recognise_platform(world, b, d(y, 4, 1), registered=True)  # counted though revoked
    w.revoke_platform(world, platform, d(y, 5, 1))
    w.recognise_platform(world, b, d(y + 1, 2, 1))  # next year
    sme = w.admit_sme(world, a, d(y, 6, 1))  # revoked after D: counted
    w.revoke_sme(world, sme, d(y + 1, 2, 1))
    sme = w.admit_sme(world, a, d(y, 7, 1))  # revoked by D: not counted
    w.revoke_sme(world, sme, d(y, 12, 31))
    certificate = w.issue_certificate(world, b, d(y - 1, 5, 1))  # revoked after D: valid
    w.revoke_certificate(world, certificate, d(y + 1, 1, 2))
    w.issue_certificate(world, b, d(y - 3, 1, 10))  # expired on 9 Jan Y
    expert = w.admit_expert(world, None, d(y - 1, 5, 1))  # re-admitted in Y: counted, without county
    w.exit_expert(world, expert, d(y - 1, 8, 1))
    w.readmit_expert(world, expert, d(y, 2, 1))
    project = w.apply_project(world, a, y - 1, d(y - 1, 10, 1))  # approved in Y, budget changed twice
    w.approve_project(world, project, d(y, 1, 10), granted=Decimal(300_000))
    w.pay(world, project, Decimal(100_000), d(y, 2, 1))
    w.approve_budget_change(world, project, Decimal(200_000), d(y, 5, 1))
    w.approve_budget_change(world, project, Decimal(250_000), d(y + 1, 5, 1))
    w.pay(world, project, Decimal(50_000), d(y + 1, 6, 1))
    withdrawn = w.apply_project(world, b, y, d(y, 3, 1))  # applied, whatever came after
    w.withdraw_project(world, withdrawn, d(y, 3, 2))
    w.file_month(world, a, y, 1, "on_time")
    w.file_month(world, a, y, 2, "late")
    w.file_month(world, a, y, 3, "returned_never_resent")
    w.file_month(world, a, y, 12, "late_resend")  # resent after its cutoff (1 Feb Y+1): returned
    w.create_team(world, [a, b], [a, b, b])
    w.create_team(world, [b], [])

    got = w.expected(world, year=y)
    values = {key: got.values[key] for key in w.FIGURE_KEYS}
    assert values == {
        "platforms": 2,
        "platforms_upgraded": 1,
        "smes": 1,
        "pool": 0,
        "gaoqi_valid": 1,
        "commissioner_teams": 2,
        "commissioners": 3,
        "transfer_bases": 0,
        "parks": 0,
        "vp_candidates": 0,
        "vp_universities": 0,
        "experts": 1,
        "projects_applied": 1,
        "projects": 1,
        "committed": Decimal(200_000),
        "paid": Decimal(100_000),
        "paid_cumulative": Decimal(100_000),
    }
    assert got.by_region["experts"] == {None: 1}
    assert dict(got.by_region["commissioner_teams"]) == {a.pk: 1, b.pk: 2}
    assert got.appendix_platforms == {
        ("世界平台1", f"{y}-03-01", "市级"),
        (world.log.platforms[platform.pk]["name"], f"{y}-04-01", "市级"),
    }
    filed = got.filings[a.pk]
    assert (filed["filed"], filed["on_time"], filed["late"], filed["returned"], filed["missing"]) == (
        2,
        1,
        1,
        2,
        10,
    )
