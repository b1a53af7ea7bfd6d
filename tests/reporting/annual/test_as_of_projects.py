"""The project figures of year Y as they stood on 31 December Y (issue 18), built through the services with
the dates the steps took effect: applications applied, withdrawn, rejected, not approved and approved in
Y, a project of Y's call entered in Y+1, a project of Y−1's call approved in Y, budget changes approved in
Y and in Y+1, payments in Y and Y+1 (and one in Y to a project of Y−1). Every figure, city-wide and per
county, then the same figures after more steps dated after D: unchanged."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from kejiju.reporting.annual import annual_statistics, figure_value, summary_sentences
from projects import selectors, services
from projects.rules import Action, State
from tests.projects.conftest import close_panel
from tests.projects.factories import CallFactory, OrganizationFactory, ProgrammeFactory

pytestmark = pytest.mark.django_db

Y = 2025
D = dt.date(Y, 12, 31)
KEYS = ("projects_applied", "projects", "committed", "paid", "paid_cumulative")


def d(month: int, day: int, year: int = Y) -> dt.date:
    return dt.date(year, month, day)


class Builder:
    def __init__(self, world):
        self.world = world
        self.staff = world.users["bureau"]
        programme = ProgrammeFactory()
        self.calls = {
            year: CallFactory(
                programme=programme, year=year, opens_on=d(3, 1, year), closes_on=d(4, 15, year)
            )
            for year in (Y - 1, Y)
        }
        self.units = {
            world.county_a.pk: OrganizationFactory(region=world.county_a),
            world.county_b.pk: OrganizationFactory(region=world.county_b),
        }
        self.serial = 0

    def apply(self, *, region, on: dt.date, year: int = Y, grant: str = "200000"):
        self.serial += 1
        return services.project_create(
            user=self.staff,
            call=self.calls[year],
            title=f"项目{self.serial}",
            applicant=self.units[region.pk],
            region=region,
            pi_name="张研究",
            pi_mobile=f"139{self.serial:08d}",
            start_date=d(7, 1, year),
            end_date=d(6, 30, year + 3),
            requested_grant=Decimal(grant),
            effective_on=on,
        )

    def step(self, project, action, on: dt.date, **kwargs):
        comment = (
            "说明" if action in (Action.WITHDRAW, Action.REJECT, Action.NOT_APPROVE, Action.TERMINATE) else ""
        )
        return services.project_transition(
            project=project, action=action, user=self.staff, comment=comment, effective_on=on, **kwargs
        )

    def to_review(self, project, on: dt.date):
        project = self.step(project, Action.ACCEPT, on)
        project = self.step(project, Action.START_REVIEW, on)
        close_panel(project, Decimal("85.00"))
        return project

    def approve(self, project, on: dt.date, granted: str | None = None):
        project = self.to_review(project, on - dt.timedelta(days=10))
        return self.step(project, Action.APPROVE, on, granted=Decimal(granted) if granted else None)

    def pay(self, project, on: dt.date, amount: str):
        project.refresh_from_db()
        return services.disbursement_create(
            project=project, user=self.staff, paid_on=on, amount=Decimal(amount), voucher=f"V{on}"
        )

    def budget_change(self, project, on: dt.date, amount: str):
        request = services.change_request_create(
            project=project,
            user=self.staff,
            kind="budget",
            reason="调整市级资金",
            new_city_grant=Decimal(amount),
            effective_on=on - dt.timedelta(days=14),
        )
        return services.change_request_decide(
            change_request=request, user=self.staff, approve=True, effective_on=on
        )


@pytest.fixture
def built(world):
    a, b = world.county_a, world.county_b
    build = Builder(world)
    # County A: approved in Y (300 000), paid 100 000 in Y; budget raised to 400 000 and paid 150 000 in Y+1.
    p1 = build.approve(build.apply(region=a, on=d(4, 1)), d(6, 15), granted="300000")
    build.pay(p1, d(8, 1), "100000")
    build.budget_change(p1, d(3, 1, Y + 1), "400000")
    build.pay(p1, d(4, 1, Y + 1), "150000")
    # County B: withdrawn, rejected.
    build.step(build.apply(region=b, on=d(4, 2)), Action.WITHDRAW, d(4, 20))
    build.step(build.apply(region=b, on=d(4, 3)), Action.REJECT, d(4, 25))
    # County A: reviewed, not approved.
    p4 = build.to_review(build.apply(region=a, on=d(4, 4)), d(5, 10))
    build.step(p4, Action.NOT_APPROVE, d(6, 20))
    # County B: approved at the requested 200 000, paid 50 000, budget cut to 150 000 in Y.
    p5 = build.approve(build.apply(region=b, on=d(4, 5)), d(6, 16))
    build.pay(p5, d(9, 1), "50000")
    build.budget_change(p5, d(10, 1), "150000")
    # A project of Y−1's call (county A) approved in Y−1 and paid in Y: in `paid`, in no other figure of Y.
    p6 = build.approve(
        build.apply(region=a, on=d(4, 1, Y - 1), year=Y - 1), d(6, 15, Y - 1), granted="100000"
    )
    build.pay(p6, d(3, 1), "30000")
    # County B: approved in Y at 80 000, paid 20 000 in Y.
    p7 = build.approve(build.apply(region=b, on=d(4, 6)), d(7, 1), granted="80000")
    build.pay(p7, d(11, 1), "20000")
    # A late entry to Y's call, submitted in Y+1: not applied in Y.
    p8 = build.apply(region=a, on=d(1, 10, Y + 1))
    # A project of Y−1's call approved in Y (county A, 60 000): 立项 in Y, applied in Y−1.
    p9 = build.apply(region=a, on=d(4, 2, Y - 1), year=Y - 1, grant="60000")
    p9 = build.to_review(p9, d(5, 1, Y - 1))
    build.step(p9, Action.APPROVE, d(2, 1))
    return {"world": world, "build": build, "p1": p1, "p4": p4, "p5": p5, "p7": p7, "p8": p8, "p9": p9}


EXPECTED = {
    "projects_applied": 6,
    "projects": 4,
    "committed": "590000.00",
    "paid": "200000.00",
    "paid_cumulative": "170000.00",
}


def _expected_by_county(world) -> dict[int, dict]:
    a, b = world.county_a.pk, world.county_b.pk
    return {
        a: {
            "projects_applied": 2,
            "projects": 2,
            "committed": "360000.00",
            "paid": "130000.00",
            "paid_cumulative": "100000.00",
        },
        b: {
            "projects_applied": 4,
            "projects": 2,
            "committed": "230000.00",
            "paid": "70000.00",
            "paid_cumulative": "70000.00",
        },
    }


def _assert_year_figures(world):
    stats = annual_statistics(year=Y, appendix=False)
    # The figures the old code already had first (so that it fails on a value, not a missing key).
    for key in ("projects", "committed", "paid", "projects_applied", "paid_cumulative"):
        assert figure_value(stats, key) == EXPECTED[key], key
    expected = _expected_by_county(world)
    rows = {row["region_id"]: row for row in stats["counties"]}
    for region_id, figures in expected.items():
        assert {key: rows[region_id][key] for key in KEYS} == figures, rows[region_id]["region"]
    for key in KEYS:  # the headline is the sum of its county rows
        total = sum(Decimal(str(row[key])) for row in stats["counties"])
        assert total == Decimal(str(EXPECTED[key])), key
    # The selectors, by region id, city-wide and for one county.
    by_region = selectors.project_year_figures_by_region(year=Y)
    assert {key: by_region[key][world.county_a.pk] for key in ("projects_applied", "projects")} == {
        "projects_applied": 2,
        "projects": 2,
    }
    county_b = annual_statistics(year=Y, region=world.county_b, appendix=False)
    for key in KEYS:
        assert figure_value(county_b, key) == expected[world.county_b.pk][key], key
    # Projects by their state on D (not today's): the counts add up to the applied projects.
    by_state = {row["state"]: row for row in stats["projects_by_state"]}
    assert {state: row["count"] for state, row in by_state.items() if row["count"]} == {
        State.APPROVED: 3,
        State.WITHDRAWN: 1,
        State.REJECTED: 1,
        State.NOT_APPROVED: 1,
    }
    assert by_state[State.APPROVED]["committed"] == "530000.00"  # 300 000 + 150 000 + 80 000 (P9 is Y−1's)
    assert by_state[State.APPROVED]["paid"] == "170000.00"
    return stats


def test_every_project_figure_of_the_year_as_of_31_december(built):
    stats = _assert_year_figures(built["world"])
    sentences = " ".join(summary_sentences(stats))
    assert "申报市级科技计划项目6项，立项4项，承诺市级资金59.00万元" in sentences
    assert "当年拨付市级资金20.00万元" in sentences and "累计拨付17.00万元" in sentences
    # Today's city grant of the first project is the Y+1 one: the commitment of Y does not read it.
    built["p1"].refresh_from_db()
    assert built["p1"].city_grant == Decimal("400000.00")


def test_steps_dated_after_31_december_change_no_figure_of_the_year(built):
    _assert_year_figures(built["world"])
    build = built["build"]
    after = d(5, 1, Y + 1)
    # Y+1: another budget change, payments, a 终止, the late entry approved and paid, a new late entry.
    build.budget_change(built["p5"], after, "120000")
    build.pay(built["p5"], after + dt.timedelta(days=1), "40000")
    build.pay(built["p7"], after, "60000")
    build.step(built["p7"], Action.TERMINATE, after + dt.timedelta(days=5))
    p8 = build.approve(built["p8"], after, granted="90000")
    build.pay(p8, d(7, 15, Y + 1), "10000")
    build.apply(region=built["world"].county_b, on=after)
    build.pay(built["p9"], d(8, 1, Y + 1), "5000")
    _assert_year_figures(built["world"])
    # And Y+1 sees them: p8 approved, the Y−1 project's Y+1 payments in `paid` of Y+1.
    later = selectors.project_year_figures(year=Y + 1)
    assert later["projects"] == 1 and later["committed"] == Decimal("90000.00")
    assert later["paid"] == Decimal("150000") + Decimal("40000") + Decimal("60000") + Decimal(
        "10000"
    ) + Decimal("5000")


def test_the_figures_link_to_the_projects_they_count(built, client):
    from urllib.parse import parse_qs, urlsplit

    from kejiju.reporting.views.annual import figure_links
    from projects.filters import ProjectFilterSet
    from projects.models import Project

    links = figure_links(Y, None)

    def listed(key):
        query = {k: v[0] for k, v in parse_qs(urlsplit(links[key]).query).items()}
        return set(ProjectFilterSet(query, queryset=Project.objects.all()).qs.values_list("pk", flat=True))

    assert len(listed("projects_applied")) == 6
    approved = {built[name].pk for name in ("p1", "p5", "p7", "p9")}
    assert listed("projects") == approved == listed("committed") == listed("paid_cumulative")
    assert len(listed("paid")) == 4  # p1, p5, p6, p7 were paid in Y
    client.force_login(built["world"].users["leader"])
    response = client.get(reverse("reporting:annual_dashboard"), {"year": Y})
    checked = 0
    for row in response.context["stats"]["projects_by_state"]:
        if row["count"]:
            listing = client.get(row["url"])
            assert listing.context["table"].paginator.count == row["count"], row["state"]
            checked += 1
    assert checked == 4


def test_a_step_entered_late_keeps_the_state_of_its_day(built, settings, tmp_path):
    """A 年度执行报告 of Y entered after the contract was signed in Y+1: the step records today's state
    (执行), which is not the project's state on its own date in Y: the state at D stays 立项."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    build, p5 = built["build"], built["p5"]
    services.attachment_create(
        project=p5, user=build.staff, kind="contract", upload=SimpleUploadedFile("任务书.pdf", b"%PDF-1.7")
    )
    build.step(p5, Action.SIGN_CONTRACT, d(5, 20, Y + 1))
    services.annual_report_create(
        project=p5, user=build.staff, year=Y, filed_on=d(12, 20), progress="按任务书推进。"
    )
    _assert_year_figures(built["world"])
