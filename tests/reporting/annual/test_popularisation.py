"""The annual review's section on science popularisation, the 赋权 pilot and the researcher targets:
its numbers from a hand-built fixture, a fixed number of queries, and the same sentences on the dashboard
and in the PDF."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from kejiju.reporting.annual import annual_statistics, popularisation_section
from kejiju.reporting.annual_pdf import render_pdf
from kejiju.reporting.models import ResearcherTarget
from platforms.rules import OutreachKind
from tests.enterprises.factories import EnterpriseFactory, EnterpriseYearFactory
from tests.platforms.factories import OutreachEventFactory
from tests.projects.factories import AchievementTransferFactory, OwnershipGrantFactory

from .test_statistics import pdf_text

pytestmark = pytest.mark.django_db

WEEK = "科技活动周期间举办活动2场，受众500人次。"
OWNERSHIP = "职务科技成果赋权改革试点赋权成果1项，转化金额1,235.50万元。"
RESEARCHERS = "科研人员倍增计划目标45人，实有科研人员45人，2个县区中1个完成年度目标。"


@pytest.fixture
def section(world, county_a, county_b):
    OutreachEventFactory(region=county_a, kind=OutreachKind.LECTURE, audience=300)
    OutreachEventFactory(region=county_b, kind=OutreachKind.GRASSROOTS, audience=200)
    OutreachEventFactory(region=county_b, kind=OutreachKind.CONTEST, audience=50, science_week=False)
    grant = OwnershipGrantFactory(granted_on=dt.date(2023, 8, 1))
    AchievementTransferFactory(grant=grant, amount=Decimal("1200.00"), transferred_on=dt.date(2023, 9, 1))
    AchievementTransferFactory(grant=grant, amount=Decimal("35.50"), transferred_on=dt.date(2023, 12, 1))
    EnterpriseYearFactory(enterprise=EnterpriseFactory(region=county_a), year=2023, tech_staff=30)
    EnterpriseYearFactory(enterprise=EnterpriseFactory(region=county_b), year=2023, tech_staff=15)
    ResearcherTarget.objects.create(region=county_a, year=2023, target=25)
    ResearcherTarget.objects.create(region=county_b, year=2023, target=20)
    return world


def test_section_numbers_and_sentences(section, county_a):
    result = popularisation_section(year=2023)
    assert result["outreach"]["events"] == 3 and result["outreach"]["audience"] == 550
    assert result["ownership"]["amount"] == "1235.50" and result["ownership"]["transfers"] == 2
    assert WEEK in result["sentences"]
    assert OWNERSHIP in result["sentences"]
    assert RESEARCHERS in result["sentences"]
    assert (
        "全年举办科普活动3场（科技大讲堂1场、科普宣传进基层1场、科普竞赛1场），受众550人次。"
        in result["sentences"]
    )
    county = {row["region"]: row for row in result["outreach"]["by_county"]}
    assert county["忻府区"]["events"] == 1 and county["定襄县"]["audience"] == 250
    one = popularisation_section(year=2023, region=county_a)
    assert one["outreach"]["events"] == 1 and one["outreach"]["by_county"] == []
    assert [row["region"] for row in one["researchers"]] == ["忻府区"]


def test_empty_year_says_so(world):
    result = popularisation_section(year=2019)
    assert "全年未登记科普活动。" in result["sentences"]
    assert "职务科技成果赋权改革试点赋权成果0项，转化金额0.00万元。" in result["sentences"]


def test_section_takes_a_fixed_number_of_queries(section, county_a, django_assert_max_num_queries):
    with django_assert_max_num_queries(20) as small:
        popularisation_section(year=2023)
    for _ in range(10):
        OutreachEventFactory(region=county_a)
        AchievementTransferFactory(transferred_on=dt.date(2023, 11, 1))
    with django_assert_max_num_queries(len(small.captured_queries)):
        popularisation_section(year=2023)


def test_dashboard_and_pdf_state_the_section(section, client):
    client.force_login(section.users["leader"])
    page = client.get(reverse("reporting:annual_dashboard"), {"year": 2023}).content.decode()
    assert 'data-testid="annual-popularisation"' in page
    for sentence in (WEEK, OWNERSHIP, RESEARCHERS):
        assert sentence in page
    text = "".join(pdf_text(render_pdf(annual_statistics(year=2023))).split())
    assert "八、科学普及、职务科技成果赋权与科研人员倍增" in text
    for sentence in (WEEK, OWNERSHIP, RESEARCHERS):
        assert sentence in text, sentence
