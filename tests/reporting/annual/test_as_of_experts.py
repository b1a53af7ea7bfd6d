"""新入库专家, 科技特派团/员 and 科技副总 of a year as they stood on its 31 December (issue 18): read from the
flow experts.expert's dated events (never Expert.admitted_on, which a re-admission overwrites), built
through the services, overall and per county (None: 市外/未指定); then steps dated after the year are
taken and the year's figures do not move."""

from __future__ import annotations

from datetime import date
from itertools import count

import pytest
from django.urls import reverse

from experts import selectors, services
from experts.models import Commissioner, CommissionerTeam, Expert, VicePresidentPlacement
from kejiju.reporting.annual import CITY, annual_statistics, headline_figures
from tests.experts.factories import ExpertFieldFactory, OrganizationFactory, UniversityFactory, make_id_number

pytestmark = pytest.mark.django_db

Y = 2023
D = date(Y, 12, 31)
_serial = count(801, 2)  # odd: 男
KEYS = ("experts", "commissioner_teams", "commissioners", "vp_candidates", "vp_universities")


def _admit(name, county, on, field, user):
    return services.expert_create(
        name=name,
        gender="男",
        id_number=make_id_number(next(_serial)),
        employer=OrganizationFactory(),
        title="正高",
        fields=[field],
        county=county,
        admitted_on=on,
        user=user,
    )


def _step(expert, state, on, user):
    services.expert_set_state(expert=expert, state=state, on=on, reason="测试原因", user=user)


def _team(name, counties, year=Y):
    team = CommissionerTeam(name=name, year=year, industries="杂粮", lead_unit=OrganizationFactory())
    return services.commissioner_team_save(team=team, counties=counties)


def _member(team, county, name):
    return services.commissioner_save(
        commissioner=Commissioner(
            team=team, name=name, employer=OrganizationFactory(), title="中级", county=county, industry="杂粮"
        )
    )


def _placement(county, university, name):
    return services.vice_president_save(
        placement=VicePresidentPlacement(
            name=name, gender="男", title="副高", university=university, year=Y, county=county
        )
    )


@pytest.fixture
def library(world):
    a, b, user = world.county_a, world.county_b, world.users["bureau"]
    new, old = ExpertFieldFactory(name="新材料"), ExpertFieldFactory(name="现代农业")
    experts = {
        "a": _admit("甲", a, date(Y, 3, 1), new, user),
        "b": _admit("乙", b, date(Y, 6, 1), new, user),
        "outside": _admit("丙", None, date(Y, 9, 1), new, user),  # 市外专家
        "back": _admit("丁", a, date(Y - 1, 2, 1), old, user),
        "before": _admit("戊", b, date(Y - 3, 5, 1), old, user),
    }
    _step(experts["back"], "出库", date(Y - 1, 10, 1), user)  # left in Y−1 …
    _step(experts["b"], "出库", date(Y + 1, 2, 1), user)  # … and this one left in Y+1
    teams = {
        "served": _team("甲团", [a]),
        "empty": _team("空团", [b]),  # no members yet: a team all the same
        "two": _team("两县团", [a, b]),  # serves two counties: counts in each county's row
        "last_year": _team("旧团", [a], year=Y - 1),
    }
    _member(teams["served"], a, "特派员一")
    _member(teams["served"], a, "特派员二")
    _member(teams["two"], b, "特派员三")
    _member(teams["last_year"], a, "特派员四")
    university = UniversityFactory()
    _placement(a, university, "副总一")
    _placement(None, university, "副总二")  # not placed yet
    _placement(b, UniversityFactory(), "副总三")
    return {"a": a, "b": b, "user": user, "experts": experts, "teams": teams}


def _after_d(library):
    """Steps dated after D: the re-admission of 丁, 甲 and 丙 leaving, a newcomer, a team of Y+1."""
    user, a = library["user"], library["a"]
    experts = library["experts"]
    _step(experts["back"], "在库", date(Y + 1, 3, 1), user)  # re-admitted in Y+1 (admitted_on overwritten)
    _step(experts["a"], "暂停", date(Y + 1, 4, 1), user)
    _step(experts["outside"], "出库", date(Y + 1, 5, 1), user)
    _admit("己", a, date(Y + 1, 1, 5), ExpertFieldFactory(name="电子信息"), user)
    _team("新团", [a], year=Y + 1)


def _figures(library):
    a, b = library["a"], library["b"]
    stats = annual_statistics(year=Y, appendix=False)
    return {
        "headline": {k: v for k, v in headline_figures(year=Y).items() if k in KEYS},
        "county_a": {k: v for k, v in headline_figures(year=Y, region=a).items() if k in KEYS},
        "county_b": {k: v for k, v in headline_figures(year=Y, region=b).items() if k in KEYS},
        "previous": {f["key"]: f["previous"] for f in stats["figures"] if f["key"] in KEYS},
        "by_county": selectors.figures_by_county(user=CITY, year=Y),
        "in_library": selectors.expert_year_figures(user=CITY, year=Y)["in_library"],
        "by_field": stats["experts_by_field"],
        "rows": {
            row["region_id"]: {k: row.get(k) for k in ("experts", "commissioner_teams", "commissioners")}
            for row in stats["counties"]
            if row["region_id"] in (a.pk, b.pk)
        },
    }


def _expected(library):
    a, b = library["a"].pk, library["b"].pk
    return {
        "headline": {
            "experts": 3,  # 甲, 乙 (left in Y+1), 丙 (市外); not 丁 (Y−1) nor 戊
            "commissioner_teams": 3,  # with the team without members
            "commissioners": 3,
            "vp_candidates": 3,
            "vp_universities": 2,
        },
        "county_a": {
            "experts": 1,
            "commissioner_teams": 2,
            "commissioners": 2,
            "vp_candidates": 1,
            "vp_universities": 1,
        },
        "county_b": {
            "experts": 1,
            "commissioner_teams": 2,
            "commissioners": 1,
            "vp_candidates": 1,
            "vp_universities": 1,
        },
        # Y−1: 丁, admitted in Y−1 and gone the same year, stays there whatever happened after.
        "previous": {
            "experts": 1,
            "commissioner_teams": 1,
            "commissioners": 1,
            "vp_candidates": 0,
            "vp_universities": 0,
        },
        "by_county": {
            a: {"experts": 1, "commissioner_teams": 2, "commissioners": 2, "vp_candidates": 1},
            b: {"experts": 1, "commissioner_teams": 2, "commissioners": 1, "vp_candidates": 1},
            None: {"experts": 1, "commissioner_teams": 0, "commissioners": 0, "vp_candidates": 1},
        },
        "in_library": 4,  # 甲, 乙, 丙, 戊 on D; 丁 had left
        # The union of the fields of Y and Y−1: 现代农业 had none in Y.
        "by_field": [
            {"field": "新材料", "count": 3, "previous": 0},
            {"field": "现代农业", "count": 0, "previous": 1},
        ],
        "rows": {
            a: {"experts": 1, "commissioner_teams": 2, "commissioners": 2},
            b: {"experts": 1, "commissioner_teams": 2, "commissioners": 1},
        },
    }


def test_expert_and_commissioner_figures_of_the_year(library):
    figures = _figures(library)
    assert figures == _expected(library)
    # Additive keys: the headline is the sum of the per-county values, the None key included.
    for key in ("experts", "commissioners", "vp_candidates"):
        assert sum(row[key] for row in figures["by_county"].values()) == figures["headline"][key]
    # Not additive: the team serving two counties is in both rows.
    assert sum(row["commissioner_teams"] for row in figures["by_county"].values()) == 4
    notes = selectors.FIGURE_NOTES
    assert set(KEYS) <= set(notes)
    assert "各县区之和" in notes["commissioner_teams"] and "各县区之和" in notes["vp_universities"]


def test_the_years_figures_do_not_move_with_later_steps(library):
    before = _figures(library)
    _after_d(library)
    assert _figures(library) == before == _expected(library)
    # Y+1 sees its own steps: 丁's re-admission and the newcomer.
    assert selectors.expert_year_figures(user=CITY, year=Y + 1) == {"admitted": 2, "in_library": 3}
    assert Expert.objects.get(pk=library["experts"]["back"].pk).admitted_on == date(Y + 1, 3, 1)


def test_the_list_behind_the_figure_shows_the_counted_experts(client, library):
    _after_d(library)
    client.force_login(library["user"])
    experts = library["experts"]
    body = client.get(reverse("experts:expert_list"), {"admitted_year": Y}).content.decode()
    shown = {key for key, expert in experts.items() if expert.get_absolute_url() in body}
    assert shown == {"a", "b", "outside"}
    body = client.get(reverse("experts:expert_list"), {"admitted_year": Y - 1}).content.decode()
    assert {key for key, expert in experts.items() if expert.get_absolute_url() in body} == {"back"}
    body = client.get(
        reverse("experts:expert_list"), {"admitted_year": Y, "county": library["a"].pk}
    ).content.decode()
    assert {key for key, expert in experts.items() if expert.get_absolute_url() in body} == {"a"}
