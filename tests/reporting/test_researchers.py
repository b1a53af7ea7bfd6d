"""科研人员倍增计划: targets set by the bureau, progress from the enterprises' 科技人员 and the recognised
platforms' staff, shown on the targets list, the board and the county's monthly page."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from openpyxl import load_workbook

from kejiju.reporting import selectors, services
from kejiju.reporting.annual import CITY
from kejiju.reporting.models import ResearcherTarget
from platforms import services as platform_services
from platforms.models import Platform
from platforms.rules import Level, PlatformAction, PlatformState
from tests.enterprises.factories import EnterpriseFactory, EnterpriseYearFactory
from tests.platforms.factories import OrganizationFactory, platform_type

pytestmark = pytest.mark.django_db


def _platform(user, region, staff_count: int, recognised_on: dt.date) -> Platform:
    """A platform registered as recognised on `recognised_on` (its events say so: the figures read them)."""
    return platform_services.platform_create(
        name=f"人员测试平台{staff_count}",
        platform_type=platform_type(),
        level=Level.CITY,
        state=PlatformState.RECOGNISED,
        host=OrganizationFactory(),
        region=region,
        recognised_on=recognised_on,
        staff_count=staff_count,
        user=user,
    )


@pytest.fixture
def staff(bureau_user, county_a, county_b):
    """County A: enterprises 30 + 12 科技人员 in 2023 (22 in 2022, the base year), a recognised platform of 20
    and a revoked one; county B: 7 in 2023, nothing in 2022. Figures of other years must not count."""
    EnterpriseYearFactory(enterprise=EnterpriseFactory(region=county_a), year=2023, tech_staff=30)
    EnterpriseYearFactory(enterprise=EnterpriseFactory(region=county_a), year=2023, tech_staff=12)
    EnterpriseYearFactory(enterprise=EnterpriseFactory(region=county_a), year=2022, tech_staff=22)
    EnterpriseYearFactory(enterprise=EnterpriseFactory(region=county_a), year=2021, tech_staff=99)
    EnterpriseYearFactory(enterprise=EnterpriseFactory(region=county_b), year=2023, tech_staff=7)
    _platform(bureau_user, county_a, 20, dt.date(2021, 5, 1))
    platform_services.platform_transition(
        platform=_platform(bureau_user, county_a, 50, dt.date(2020, 5, 1)),
        action=PlatformAction.REVOKE,
        user=bureau_user,
        effective_on=dt.date(2022, 9, 1),
        comment="撤销",
    )
    _platform(bureau_user, county_a, 40, dt.date(2024, 5, 1))  # later
    ResearcherTarget.objects.create(region=county_a, year=2023, target=80)
    ResearcherTarget.objects.create(region=county_b, year=2023, target=5)


def test_progress_counts_enterprises_and_recognised_platforms(staff, county_a, county_b):
    rows = {row["region"]: row for row in selectors.researcher_figures_by_county(year=2023, user=CITY)}
    a, b = rows[county_a], rows[county_b]
    assert (a["enterprise_staff"], a["platform_staff"], a["actual"]) == (42, 20, 62)
    # Base: 2022's 22 科技人员 and the platform of 20 (the revoked one was gone by the end of 2022).
    # 完成度 is the growth over it, (62 − 42) ÷ (80 − 42), not 62 ÷ 80.
    assert (a["base"], a["growth"], a["percent"], a["met"]) == (42, 20, 52, False)
    assert (b["actual"], b["base"], b["percent"], b["met"]) == (7, 0, 140, True)


def test_no_growth_is_no_progress(staff, county_a):
    """A county whose staff did not grow has done 0% of its plan, whatever its target (issue 19: 71% with
    zero growth)."""
    # 2024: the platforms recognised by its end hold 20 + 40, the enterprises 2 — 62, as in 2023.
    EnterpriseYearFactory(enterprise=EnterpriseFactory(region=county_a), year=2024, tech_staff=2)
    ResearcherTarget.objects.create(region=county_a, year=2024, target=90)
    row = selectors.researcher_figures_by_county(year=2024, user=CITY)[0]
    assert (row["base"], row["actual"], row["growth"], row["percent"]) == (62, 62, 0, 0)


def test_a_target_not_above_its_base_is_refused(staff, bureau_user, county_a, client):
    with pytest.raises(ValidationError) as refused:
        services.researcher_target_save(
            target=ResearcherTarget(region=county_a, year=2024, target=62), actor=bureau_user
        )
    assert refused.value.message_dict == {"target": ["科研人员目标（62）必须大于基数（上年末62）。"]}
    client.force_login(bureau_user)
    response = client.post(
        reverse("reporting:researchertarget_add"), {"region": county_a.pk, "year": 2024, "target": 50}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count("科研人员目标（50）必须大于基数（上年末62）。") == 1
    assert not ResearcherTarget.objects.filter(year=2024).exists()


def test_only_the_bureau_sets_targets(county_user, bureau_user, county_a):
    with pytest.raises(ValidationError):
        services.researcher_target_save(
            target=ResearcherTarget(region=county_a, year=2024, target=10), actor=county_user
        )
    services.researcher_target_save(
        target=ResearcherTarget(region=county_a, year=2024, target=10), actor=bureau_user
    )
    with pytest.raises(ValidationError) as error:
        services.researcher_target_save(
            target=ResearcherTarget(region=county_a, year=2024, target=12), actor=bureau_user
        )
    assert "已有科研人员目标" in str(error.value)


def test_county_sees_its_own_target_and_progress(client, staff, county_user):
    client.force_login(county_user)
    response = client.get(reverse("reporting:researchertarget_list"), {"year": 2023})
    assert response.context["table"].paginator.count == 1
    assert [row["actual"] for row in response.context["progress"]] == [62]
    assert "编辑" not in response.content.decode()
    workbook = load_workbook(
        io.BytesIO(b"".join(client.get(reverse("reporting:researchertarget_export")).streaming_content))
    )
    rows = list(workbook.active.iter_rows(values_only=True))
    assert len(rows) == 2 and rows[1][1] == "忻府区"


def test_targets_list_query_count_is_constant(client, bureau_user, regions, django_assert_max_num_queries):
    client.force_login(bureau_user)
    counties = [r for r in regions.values() if r.kind in ("district", "county", "county_city", "zone")]
    ResearcherTarget.objects.create(region=counties[0], year=2023, target=10)
    url = reverse("reporting:researchertarget_list")
    # A cold page: session, user, permissions (2), counties, count, rows, the year's staff and its base
    # (enterprises and platforms each), a content type, the notice badge — and what follows keeps to it.
    with django_assert_max_num_queries(18) as small:
        assert client.get(url, {"year": 2023}).status_code == 200
    for region in counties[1:]:
        ResearcherTarget.objects.create(region=region, year=2023, target=10)
        EnterpriseYearFactory(enterprise=EnterpriseFactory(region=region), year=2023, tech_staff=3)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(url, {"year": 2023}).status_code == 200


def test_board_and_county_page_show_the_progress(client, staff, bureau_user, county_user, county_a):
    client.force_login(bureau_user)
    board = client.get(reverse("reporting:board"), {"month": "2023-12"}).content.decode()
    assert f'data-testid="board-researchers-{county_a.code}"' in board
    assert "科研人员 62/80 人，基数 42（完成 52%）" in board
    client.force_login(county_user)
    page = client.get(reverse("reporting:filing_form", args=[2023, 12])).content.decode()
    assert "2023年目标 80 人，当前 62 人" in page


def test_without_a_year_the_list_shows_the_latest_year_with_targets(client, staff, county_user, county_a):
    """Targets exist for 2023 (and one for a year to come, which is not yet progress to show)."""
    ResearcherTarget.objects.create(region=county_a, year=2100, target=1)
    client.force_login(county_user)
    response = client.get(reverse("reporting:researchertarget_list"))
    assert response.context["progress_year"] == 2023
    assert [row["actual"] for row in response.context["progress"]] == [62]
