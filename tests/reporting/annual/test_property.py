"""Property: for a random world built through the services, every figure of the annual statistics (value
and previous year), every county row (with the row of records without a county), the appendix lists, the
platform types, the expert fields and the filing table equal what DEFINITIONS.md says (tests/reporting/
annual/world.py computes it from what the services were asked to do). A figure the statistics do not yet
state fails with its name: nothing is skipped."""

from __future__ import annotations

import random

import pytest
from django.db import transaction
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

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
        with transaction.atomic():  # each example starts from the empty database
            world = w.build_random_world(random.Random(seed), year=YEAR, counties=2, most=2)
            problems = w.compare(annual_statistics(year=YEAR), world)
            raise _Rollback
    except _Rollback:
        pass
    assert not problems, f"world seed {seed}: annual_statistics differs from DEFINITIONS.md:\n" + "\n".join(
        problems
    )
