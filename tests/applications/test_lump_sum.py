"""A unit in the 经费包干制 pilot applies without an itemised budget: one amount per source
(国办发〔2021〕32号), and the project it becomes runs under 包干制 without budget lines."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from kejiju.applications import services
from kejiju.applications.models import LUMP_SUM, ApplicationState
from kejiju.core.workflow.services import apply_transition
from projects.models import LumpSumPilot
from tests.applications.factories import make_application

pytestmark = pytest.mark.django_db


def _pilot(world, application):
    LumpSumPilot.objects.create(organization=world.unit_a, batch=2, since_year=application.call.year)


def _budget_post(rows):
    data = {"budget-TOTAL_FORMS": str(len(rows)), "budget-INITIAL_FORMS": str(len(rows))}
    for index, (source, category, amount) in enumerate(rows):
        data |= {
            f"budget-{index}-source": source,
            f"budget-{index}-category": category,
            f"budget-{index}-amount": amount,
            f"budget-{index}-note": "",
        }
    return data


def test_a_pilot_unit_states_its_money_by_source_only(client, world):
    applicant = world.users["applicant"]
    application = make_application(leader=applicant, complete=False)
    _pilot(world, application)
    client.force_login(applicant)
    url = reverse("applications:application_budget", args=[application.pk])
    page = client.get(url)
    rows = [(form.initial["source"], form.initial["category"]) for form in page.context["form"]]
    assert rows == [("city", LUMP_SUM), ("self", LUMP_SUM)]
    assert "包干制" in page.content.decode()
    response = client.post(url, _budget_post([("city", LUMP_SUM, "300000"), ("self", LUMP_SUM, "300000")]))
    assert response.status_code == 302
    assert services.budget_totals(application) == {"city": Decimal("300000"), "self": Decimal("300000")}
    # An itemised line is refused with the row named, and nothing of the saved budget changes.
    response = client.post(url, _budget_post([("city", "equipment", "100000")]))
    assert "第 1 行：包干制试点单位按资金来源填写包干经费" in response.content.decode()
    assert application.budget_lines.count() == 2


def test_any_other_unit_itemises(world):
    applicant = world.users["applicant"]
    application = make_application(leader=applicant, complete=False)
    with pytest.raises(ValidationError, match="须按科目填写预算"):
        services.budget_save(
            user=applicant,
            application=application,
            lines=[{"source": "city", "category": LUMP_SUM, "amount": "1000"}],
        )


def test_the_project_of_a_pilot_unit_runs_under_lump_sum_without_budget_lines(world):
    applicant = world.users["applicant"]
    application = make_application(leader=applicant, complete=False)
    _pilot(world, application)
    services.budget_save(
        user=applicant,
        application=application,
        lines=[
            {"source": "city", "category": LUMP_SUM, "amount": "200000"},
            {"source": "self", "category": LUMP_SUM, "amount": "250000"},
        ],
    )
    application.state = ApplicationState.UNIT_APPROVED
    application.save(update_fields=["state"])
    apply_transition(record=application, action="recommend", actor=world.users["county"], data={"rank": 1})
    application.refresh_from_db()
    project = application.project
    assert project.lump_sum is True
    assert project.requested_grant == 200000 and project.self_raised == 250000
    assert not project.budget_lines.exists()
