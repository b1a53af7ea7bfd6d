"""The platform figures of a year read the platforms' dated events as they stood on 31 December: 新认定 counts
each platform once (an upgrade is the figure 升级认定), the county rows, the by-type table and the appendix
add up to the headline, and steps dated after the year (升级认定, 撤销, a new 认定) change none of them,
nor the research staff of the year's recognised platforms. Everything is built through the services: the
figures read the events they write."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from kejiju.reporting import selectors as reporting
from kejiju.reporting.annual import CITY, annual_statistics, figure_value, summary_sentences
from kejiju.reporting.models import ResearcherTarget
from platforms import services
from platforms.filters import PlatformFilterSet
from platforms.models import Platform, PlatformApplication, RecognitionBatch
from platforms.rules import Level, PlatformAction, PlatformState
from tests.platforms.factories import OrganizationFactory, platform_type

pytestmark = pytest.mark.django_db

Y = 2023
LAB = "重点实验室"
SPACE = "众创空间"


def _register(user, region, name, *, state, staff, type_name=LAB, on=None, recognised_on=None) -> Platform:
    return services.platform_create(
        name=name,
        platform_type=platform_type(type_name),
        level=Level.CITY,
        state=state,
        host=OrganizationFactory(),
        region=region,
        recognised_on=recognised_on,
        staff_count=staff,
        user=user,
        effective_on=on,
    )


def _batch_recognise(user, region, name, *, staff) -> Platform:
    """One application through a whole 2023 city batch: 认定 on 27 November 2023."""
    batch = services.batch_save(
        instance=RecognitionBatch(
            title=f"{Y}年度重点实验室认定", year=Y, platform_type=platform_type(LAB), pass_score=Decimal(70)
        ),
        user=user,
        effective_on=date(Y, 6, 1),
    )
    application = services.application_save(
        instance=PlatformApplication(
            batch=batch, platform_name=name, applicant=OrganizationFactory(), region=region, staff_count=staff
        ),
        user=user,
        submitted_on=date(Y, 9, 1),
    )
    services.batch_advance(batch=batch, user=user, on_date=date(Y, 10, 1))
    services.application_formal_review(application=application, passed=True, comment="", user=user)
    services.batch_advance(batch=batch, user=user, on_date=date(Y, 10, 10))
    services.application_record_score(application=application, score=Decimal(88), note="", user=user)
    services.batch_advance(batch=batch, user=user, on_date=date(Y, 11, 6))
    services.batch_advance(batch=batch, user=user, on_date=date(Y, 11, 27))
    application.refresh_from_db()
    return application.platform


def _transition(user, platform, action, on, **kwargs) -> None:
    services.platform_transition(platform=platform, action=action, user=user, effective_on=on, **kwargs)


@pytest.fixture
def built(world):
    """Y = 2023. County A: 甲 recognised in Y (registered 2022 as 培育); 丙 recognised by the Y batch and
    upgraded to 省级 in Y. County B: 乙 registered as recognised in Y; 丁 (众创空间) recognised in Y−1."""
    user, a, b = world.users["bureau"], world.county_a, world.county_b
    jia = _register(user, a, "甲重点实验室", state=PlatformState.CULTIVATING, staff=10, on=date(Y - 1, 6, 1))
    _transition(
        user, jia, PlatformAction.RECOGNISE, date(Y, 4, 15), level=Level.CITY, certificate_no="XZKL-A1"
    )
    yi = _register(
        user, b, "乙重点实验室", state=PlatformState.RECOGNISED, staff=20, recognised_on=date(Y, 7, 1)
    )
    bing = _batch_recognise(user, a, "丙重点实验室", staff=30)
    _transition(
        user, bing, PlatformAction.UPGRADE, date(Y, 12, 10), level=Level.PROVINCE, certificate_no="SXKL-C1"
    )
    ding = _register(
        user,
        b,
        "丁众创空间",
        state=PlatformState.RECOGNISED,
        staff=5,
        type_name=SPACE,
        recognised_on=date(Y - 1, 8, 1),
    )
    ResearcherTarget.objects.create(region=a, year=Y, target=10)
    ResearcherTarget.objects.create(region=b, year=Y, target=10)
    world.platforms = {"甲": jia, "乙": yi, "丙": bing, "丁": ding}
    return world


def _after_the_year(world) -> None:
    """Steps dated in Y+1: 甲 upgraded, 乙 revoked, 丙 revoked, a new platform recognised in county A."""
    user, p = world.users["bureau"], world.platforms
    _transition(
        user, p["甲"], PlatformAction.UPGRADE, date(Y + 1, 3, 1), level=Level.PROVINCE, certificate_no="SX-A2"
    )
    _transition(user, p["乙"], PlatformAction.REVOKE, date(Y + 1, 5, 1), comment="绩效评价连续不合格")
    _transition(user, p["丙"], PlatformAction.REVOKE, date(Y + 1, 6, 1), comment="依托单位注销")
    _register(
        user,
        world.county_a,
        "戊重点实验室",
        state=PlatformState.RECOGNISED,
        staff=99,
        recognised_on=date(Y + 1, 2, 1),
    )


def _listed(year: int) -> set[str]:
    """The platform list behind the dashboard's 新认定 figure (its `recognised_year` filter)."""
    filtered = PlatformFilterSet({"recognised_year": str(year)}, queryset=Platform.objects.all())
    return set(filtered.qs.values_list("name", flat=True))


def _platform_figures(year: int, region=None) -> dict:
    stats = annual_statistics(year=year, region=region)
    figures = {
        f["key"]: (f["value"], f["previous"]) for f in stats["figures"] if f["key"].startswith("platforms")
    }
    counties = {
        row["region_id"]: {key: row.get(key) for key in ("platforms", "platforms_upgraded")}
        for row in stats["counties"]
    }
    return {
        "figures": figures,
        "counties": counties,
        "by_type": stats["platforms_by_type"],
        "appendix": stats["appendix"]["platforms"],
        "appendix_total": stats["appendix"]["totals"]["platforms"],
        "listed": _listed(year),
    }


def _staff(year: int) -> dict:
    return {
        row["region"].pk: row["platform_staff"]
        for row in reporting.researcher_figures_by_county(year=year, user=CITY)
    }


def test_the_year_counts_each_new_platform_once_and_upgrades_apart(built):
    a, b = built.county_a, built.county_b
    stats = annual_statistics(year=Y)
    assert figure_value(stats, "platforms") == 3  # 甲, 乙, 丙: 丙's upgrade is not a second 新认定
    assert figure_value(stats, "platforms_upgraded") == 1  # 丙
    by_key = {f["key"]: f for f in stats["figures"]}
    assert by_key["platforms"]["previous"] == 1  # 丁
    assert [f["key"] for f in stats["figures"]][:2] == ["platforms", "platforms_upgraded"]
    counties = {row["region_id"]: row for row in stats["counties"]}
    assert (counties[a.pk]["platforms"], counties[a.pk]["platforms_upgraded"]) == (2, 1)
    assert (counties[b.pk]["platforms"], counties[b.pk]["platforms_upgraded"]) == (1, 0)
    assert sum(row["platforms"] for row in stats["counties"]) == 3
    assert sum(row["platforms_upgraded"] for row in stats["counties"]) == 1
    assert summary_sentences(stats)[0].endswith("共计3家创新平台。另有1家创新平台升级认定。")
    # The appendix is the headline's platforms, dated and levelled by their 认定 (丙 at 市级, not 省级).
    assert {
        (p["name"], p["level"], p["recognised_on"], p["region"]) for p in stats["appendix"]["platforms"]
    } == {
        ("甲重点实验室", "市级", "2023-04-15", a.name),
        ("乙重点实验室", "市级", "2023-07-01", b.name),
        ("丙重点实验室", "市级", "2023-11-27", a.name),
    }
    assert stats["appendix"]["totals"]["platforms"] == 3
    # By type and level over the keys of both years: Σ count is the headline, Σ 上年 last year's.
    assert [(r["label"], r["count"], r["previous"]) for r in stats["platforms_by_type"]] == [
        ("市重点实验室", 3, 0),
        ("市众创空间", 0, 1),
    ]
    assert sum(r["count"] for r in stats["platforms_by_type"]) == figure_value(stats, "platforms")
    assert sum(r["previous"] for r in stats["platforms_by_type"]) == by_key["platforms"]["previous"]
    # The dashboard's link lists exactly these platforms.
    assert _listed(Y) == {"甲重点实验室", "乙重点实验室", "丙重点实验室"}
    # A county's edition.
    county = annual_statistics(year=Y, region=a)
    assert (figure_value(county, "platforms"), figure_value(county, "platforms_upgraded")) == (2, 1)
    assert {p["name"] for p in county["appendix"]["platforms"]} == {"甲重点实验室", "丙重点实验室"}


def test_steps_dated_after_the_year_change_none_of_its_platform_figures(built):
    before = _platform_figures(Y)
    county_before = _platform_figures(Y, region=built.county_a)
    _after_the_year(built)
    assert _platform_figures(Y) == before
    assert _platform_figures(Y, region=built.county_a) == county_before
    # The next year has its own: 戊 new, 甲 upgraded.
    after = annual_statistics(year=Y + 1)
    assert (figure_value(after, "platforms"), figure_value(after, "platforms_upgraded")) == (1, 1)


def test_the_years_platform_staff_stay_after_a_later_upgrade_or_revocation(built):
    a, b = built.county_a, built.county_b
    before = _staff(Y)
    assert before == {a.pk: 10 + 30, b.pk: 20 + 5}
    _after_the_year(built)
    assert _staff(Y) == before
