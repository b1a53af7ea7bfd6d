"""seed_demo: the 2023 figures are the review's own, spread over every county, reproducible and idempotent."""

from __future__ import annotations

import io
from datetime import date

import pytest

from enterprises import selectors
from enterprises.demo import NAMED, seed_demo_enterprises
from enterprises.models import Enterprise, SmesEvaluation
from kejiju.accounts.models import Region
from kejiju.core.identifiers import is_valid_uscc, parse_smes_registration_number
from kejiju.core.models import Organization
from kejiju.reporting.annual import CITY

pytestmark = pytest.mark.django_db


def test_seed_matches_the_2023_review(county_a):
    # A unit another app's seed recorded by name only becomes the registry's enterprise, not a namesake.
    Organization.objects.create(name=NAMED[0], region=Region.objects.get(code="140921"))
    Organization.objects.create(name="某专家单位有限公司", region=county_a)
    out = io.StringIO()
    seed_demo_enterprises(stdout=out)
    for name in (NAMED[0], "某专家单位有限公司"):
        assert Organization.objects.filter(name=name).count() == 1
        assert is_valid_uscc(Organization.objects.get(name=name).enterprise.uscc)
    assert selectors.smes_admitted_count(user=CITY, year=2023) == 174
    assert selectors.pool_new_entries(user=CITY, year=2023) == 25
    assert "入库 174 家" in out.getvalue() and "新入库 25 家" in out.getvalue()

    counties = Region.objects.county_level()
    assert counties.count() == 16
    by_region = selectors.smes_admitted_by_region(user=CITY, year=2023)
    assert sum(by_region.values()) == 174
    assert set(Enterprise.objects.values_list("region", flat=True)) == set(
        counties.values_list("pk", flat=True)
    )
    for year in range(2021, 2026):
        assert 100 < selectors.smes_admitted_count(user=CITY, year=year) < 260
        assert 10 < selectors.pool_new_entries(user=CITY, year=year) < 40
    assert selectors.gaoqi_valid_count(user=CITY, on=date(2023, 12, 31)) > 10

    for name in NAMED:
        enterprise = Enterprise.objects.get(name=name)
        assert is_valid_uscc(enterprise.uscc)
        assert enterprise.smes_evaluations.filter(year=2023, state="admitted").exists()
        assert Organization.objects.get(uscc=enterprise.uscc).enterprise == enterprise
    assert all(is_valid_uscc(code) for code in Enterprise.objects.values_list("uscc", flat=True))
    for number in SmesEvaluation.objects.exclude(registration_number="").values_list(
        "registration_number", flat=True
    )[:50]:
        parse_smes_registration_number(number)
    # Every admitted evaluation passes the rules from its figures.
    assert not SmesEvaluation.objects.filter(state="admitted", passed=False).exists()

    count = Enterprise.objects.count()
    seed_demo_enterprises(stdout=io.StringIO())
    assert Enterprise.objects.count() == count
