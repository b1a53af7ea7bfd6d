import datetime as dt
from decimal import Decimal

import pytest

from projects import selectors
from projects.models import CooperationProject, Disbursement, LumpSumPilot, Project
from projects.rules import State
from tests.projects.factories import (
    CallFactory,
    CooperationProjectFactory,
    OrganizationFactory,
    ProjectFactory,
)

pytestmark = pytest.mark.django_db


def test_seed_demo_gives_the_2023_review_figures(world):
    from kejiju.accounts.demo import seed_demo_accounts
    from projects.demo import seed_demo_projects

    seed_demo_accounts()
    seed_demo_projects()
    leader = world.users["leader"]
    figures = selectors.cooperation_figures(user=leader, year=2023)
    assert figures["transfer_bases_landed"] == 22
    assert figures["industrial_parks_finished"] == 4
    pilot = LumpSumPilot.objects.select_related("organization").get()
    assert pilot.organization.name == "忻州师范学院" and pilot.batch == 2
    assert Project.objects.filter(applicant=pilot.organization, lump_sum=True, call__year__gte=2023).exists()
    states = set(Project.objects.values_list("state", flat=True))
    assert {State.ARCHIVED, State.EXECUTING, State.SUBMITTED, State.TERMINATED, State.NOT_APPROVED} <= states
    assert Project.objects.order_by().values("region").distinct().count() >= 10
    assert set(Project.objects.values_list("call__year", flat=True)) >= {2022, 2023, 2024}
    # Every disbursement stays within its grant.
    for project in Project.objects.exclude(city_grant=None):
        assert sum(d.amount for d in project.disbursements.all()) <= project.city_grant
    # The demo's steps are dated as they happened (not the day it was seeded): each call's 30 applications
    # are 申报 in its year, the 20 (2023) and 25 (2022) that went on are 立项 in it.
    for year, approved in ((2022, 25), (2023, 20)):
        figures = selectors.project_year_figures(user=leader, year=year)
        assert (figures["projects_applied"], figures["projects"]) == (30, approved), year
        assert figures["committed"] > 0 and 0 < figures["paid_cumulative"] <= figures["committed"]
    counts = (Project.objects.count(), CooperationProject.objects.count(), Disbursement.objects.count())
    seed_demo_projects()  # idempotent
    assert (
        Project.objects.count(),
        CooperationProject.objects.count(),
        Disbursement.objects.count(),
    ) == counts


def test_figures_by_state_year_county_and_programme(world):
    call = CallFactory(year=2023)
    org_a = OrganizationFactory(region=world.county_a)
    org_b = OrganizationFactory(region=world.county_b)
    funded = ProjectFactory(
        call=call,
        region=world.county_a,
        applicant=org_a,
        state=State.EXECUTING,
        city_grant=Decimal("300000"),
        self_raised=Decimal("100000"),
    )
    ProjectFactory(
        call=call,
        region=world.county_b,
        applicant=org_b,
        state=State.ARCHIVED,
        city_grant=Decimal("200000"),
        self_raised=Decimal("50000"),
    )
    ProjectFactory(
        call=call,
        region=world.county_b,
        applicant=org_b,
        state=State.REJECTED,
        city_grant=None,
        self_raised=Decimal("999"),
    )
    ProjectFactory(call=CallFactory(year=2024), region=world.county_a, applicant=org_a, state=State.SUBMITTED)
    Disbursement.objects.create(
        project=funded, paid_on=dt.date(2023, 9, 1), amount=Decimal("120000"), voucher="v"
    )
    leader = world.users["leader"]

    by_state = {row["state"]: row for row in selectors.project_figures_by_state(user=leader, year=2023)}
    assert len(by_state) == len(State)
    assert by_state[State.EXECUTING]["committed"] == Decimal("300000")
    assert by_state[State.EXECUTING]["paid"] == Decimal("120000")
    assert by_state[State.REJECTED]["count"] == 1 and by_state[State.REJECTED]["committed"] == 0
    assert by_state[State.SUBMITTED]["count"] == 0

    by_county = {row["county"]: row for row in selectors.project_figures_by_county(user=leader, year=2023)}
    assert by_county["定襄县"]["count"] == 2 and by_county["定襄县"]["funded"] == 1
    assert by_county["定襄县"]["committed"] == Decimal("200000")
    assert by_county["定襄县"]["self_raised_total"] == Decimal("50000")  # the rejected one is not counted

    by_year = {row["year"]: row for row in selectors.project_figures_by_year(user=leader)}
    assert by_year[2023]["committed"] == Decimal("500000") and by_year[2023]["paid"] == Decimal("120000")
    assert by_year[2024]["count"] == 1 and by_year[2024]["committed"] == 0

    rows = selectors.project_figures_by_year_and_county(user=leader)
    assert {(r["year"], r["county"]) for r in rows} == {(2023, "忻府区"), (2023, "定襄县"), (2024, "忻府区")}

    by_programme = selectors.project_figures_by_programme(user=leader, year=2023)
    assert sum(row["committed"] for row in by_programme) == Decimal("500000")

    # A county office counts its own county only.
    mine = selectors.project_figures_by_year(user=world.users["county"])
    assert {row["year"]: row["committed"] for row in mine} == {2023: Decimal("300000"), 2024: 0}


def test_cooperation_figures_by_county(world):
    CooperationProjectFactory(region=world.county_a, state="landed", landed_on=dt.date(2023, 6, 1))
    CooperationProjectFactory(
        region=world.county_b, state="landed", landed_on=dt.date(2022, 6, 1), task_year=2022
    )
    CooperationProjectFactory(
        region=world.county_b,
        kind="industrial_park",
        state="finished",
        landed_on=dt.date(2022, 6, 1),
        finished_on=dt.date(2023, 3, 1),
        task_year=2022,
    )
    rows = selectors.cooperation_figures_by_county(user=world.users["bureau"], year=2023)
    # Keyed by region id (two counties may not be told apart by name in every province).
    assert set(rows) == {world.county_a.pk, world.county_b.pk}
    assert rows[world.county_a.pk]["transfer_bases_landed"] == 1
    assert rows[world.county_a.pk]["region__name"] == "忻府区"
    assert rows[world.county_b.pk]["industrial_parks_finished"] == 1 and rows[world.county_b.pk]["tasks"] == 0
    county = selectors.cooperation_figures(user=world.users["county"], year=2023)
    assert county["transfer_bases_landed"] == 1 and county["industrial_parks_finished"] == 0


def test_only_landed_or_finished_records_count_as_landed_and_the_list_shows_them(world, client):
    """A record counts as 落地 in a year only in 已落地 or 已完成 (issue 19): a 已终止, 签约 or 建设中 record
    with a 落地日期 in the year is not counted; a 产业园 counts as 完成 only in 已完成. The dashboard's list
    links show exactly the counted records."""
    from django.urls import reverse

    on = dt.date(2023, 6, 1)
    counted = [
        CooperationProjectFactory(region=world.county_a, state="landed", signed_on=on, landed_on=on),
        CooperationProjectFactory(
            region=world.county_a, state="finished", signed_on=on, landed_on=on, finished_on=on
        ),
    ]
    for state in ("stopped", "signed", "building"):
        CooperationProjectFactory(region=world.county_a, state=state, signed_on=on, landed_on=on)
    park = CooperationProjectFactory(
        region=world.county_b, kind="industrial_park", state="finished", signed_on=on, finished_on=on
    )
    CooperationProjectFactory(
        region=world.county_b, kind="industrial_park", state="stopped", signed_on=on, finished_on=on
    )
    bureau = world.users["bureau"]
    figures = selectors.cooperation_figures(user=bureau, year=2023)
    assert figures["transfer_bases_landed"] == 2 and figures["landed"] == 2
    assert figures["industrial_parks_finished"] == 1 and figures["finished"] == 2
    rows = selectors.cooperation_figures_by_county(user=bureau, year=2023)
    assert rows[world.county_a.pk]["transfer_bases_landed"] == 2
    assert rows[world.county_b.pk]["industrial_parks_finished"] == 1

    client.force_login(bureau)
    url = reverse("projects:cooperationproject_list")
    listed = client.get(url, {"kind": "transfer_base", "landed_year": 2023}).context["table"].paginator
    assert listed.count == 2
    assert {row.record.pk for row in listed.object_list} == {p.pk for p in counted}
    parks = client.get(url, {"kind": "industrial_park", "finished_year": 2023}).context["table"].paginator
    assert [row.record.pk for row in parks.object_list] == [park.pk]
    assert "已终止" in selectors.FIGURE_NOTES["transfer_bases"]
