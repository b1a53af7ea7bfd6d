"""The project's life cycle and the 变更 decision, walked edge × role through the one transition view
(tests/workflowcase.py), plus what the sweep cannot see: the effects of a step on the record."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from kejiju.core.workflow.selectors import events_for
from projects.models import Attachment, ChangeRequest
from projects.rules import AcceptanceResult, State
from tests.projects.conftest import close_panel
from tests.workflowcase import ACTORS, UNIT_ACTORS, FlowCase, WorkflowSweep


def make_project(world, state):
    """A project of unit A (county A) in `state`, with what its next steps need (a closed panel, a
    任务书)."""
    from tests.projects.factories import ProjectFactory

    grant = Decimal("200000.00") if state not in {State.SUBMITTED, State.ACCEPTED, State.REVIEW} else None
    project = ProjectFactory(region=world.county_a, applicant=world.unit_a, state=state, city_grant=grant)
    if state == State.REVIEW:
        close_panel(project, Decimal("86.50"))
    if state == State.APPROVED:
        _attach(project, Attachment.Kind.CONTRACT, "任务书.pdf")
    return project


def _attach(project, kind: str, name: str) -> Attachment:
    """An attachment row without its file (a rule reads only that it is there)."""
    return Attachment.objects.create(
        project=project,
        kind=kind,
        file=f"projects/attachments/{kind}.pdf",
        original_name=name,
        size=8,
        content_type="application/pdf",
        sha256="0" * 64,
    )


def project_data(world, transition, record):
    return {"granted": "180000.00"} if transition.action == "approve" else {}


def file_for_acceptance(world, transition, record):
    """The unit's 验收申请 needs its 验收报告 and every due 年度报告."""
    if transition.action != "apply_acceptance":
        return
    _attach(record, Attachment.Kind.ACCEPTANCE, "验收报告.pdf")
    for year in range(record.start_date.year, record.end_date.year + 1):
        record.annual_reports.create(year=year, filed_on=dt.date(year + 1, 3, 1), progress="按计划执行。")


class TestProjectFlow(WorkflowSweep):
    case = FlowCase(
        workflow="projects.project",
        url_name="projects:project_transition",
        make=make_project,
        data=project_data,
        prepare=file_for_acceptance,
        actors=ACTORS + UNIT_ACTORS,
    )


def make_change(world, state):
    from tests.projects.factories import ProjectFactory

    project = ProjectFactory(region=world.county_a, state=State.EXECUTING, city_grant=Decimal("200000.00"))
    return ChangeRequest.objects.create(
        project=project,
        kind=ChangeRequest.Kind.DATES,
        reason="设备到货延迟",
        new_end_date=dt.date(2027, 6, 30),
        decision=state,
    )


class TestChangeRequestFlow(WorkflowSweep):
    case = FlowCase(
        workflow="projects.changerequest",
        url_name="projects:changerequest_decide",
        make=make_change,
    )


# ------------------------------------------------------------------------------- effects and rules


pytestmark = pytest.mark.django_db


def _post(client, project, action, **data):
    return client.post(
        reverse("projects:project_transition", kwargs={"pk": project.pk}), {"action": action, **data}
    )


def test_approve_needs_a_score_and_sets_the_grant(client, world):
    from tests.projects.factories import ProjectFactory

    client.force_login(world.users["bureau"])
    project = ProjectFactory(region=world.county_a, state=State.REVIEW)
    response = _post(client, project, "approve", granted="150000")
    assert "评审组尚未完成评分" in response.content.decode()
    project.refresh_from_db()
    assert project.state == State.REVIEW
    close_panel(project, Decimal("90.00"))
    assert _post(client, project, "approve", granted="150000").status_code == 302
    project.refresh_from_db()
    assert (project.state, project.city_grant) == (State.APPROVED, Decimal("150000.00"))
    event = events_for(project).order_by("-pk").first()
    assert event.data["score"] == "90.00" or Decimal(str(event.data["score"])) == Decimal("90.00")


def test_approve_without_amount_grants_the_request(client, world):
    from tests.projects.factories import ProjectFactory

    client.force_login(world.users["bureau"])
    project = ProjectFactory(region=world.county_a, state=State.REVIEW)
    close_panel(project, Decimal("80.00"))
    assert _post(client, project, "approve").status_code == 302
    project.refresh_from_db()
    assert project.city_grant == project.requested_grant


def test_sign_contract_needs_the_contract(client, world):
    from tests.projects.factories import ProjectFactory

    client.force_login(world.users["bureau"])
    project = ProjectFactory(region=world.county_a, state=State.APPROVED)
    response = _post(client, project, "sign_contract")
    assert "请先上传签订的任务书" in response.content.decode()
    project.refresh_from_db()
    assert project.state == State.APPROVED


@pytest.mark.parametrize(
    ("state", "action", "result"),
    [
        (State.ACCEPTANCE, "pass", AcceptanceResult.PASSED),
        (State.ACCEPTANCE, "fail", AcceptanceResult.FAILED),
        (State.RECTIFICATION, "pass_after_rectification", AcceptanceResult.PASSED_AFTER_RECTIFICATION),
        (State.RECTIFICATION, "fail", AcceptanceResult.FAILED),
    ],
)
def test_acceptance_result(client, world, state, action, result):
    client.force_login(world.users["bureau"])
    project = make_project(world, state)
    assert _post(client, project, action, comment="专家组意见").status_code == 302
    project.refresh_from_db()
    assert (project.state, project.acceptance_result) == (State.CONCLUDED, result)


def test_approved_change_takes_effect_on_the_project(client, world):
    client.force_login(world.users["bureau"])
    change = make_change(world, ChangeRequest.Decision.PENDING)
    response = client.post(
        reverse("projects:changerequest_decide", kwargs={"pk": change.pk}), {"action": "approve"}
    )
    assert response.status_code == 302
    change.refresh_from_db()
    change.project.refresh_from_db()
    assert change.decision == ChangeRequest.Decision.APPROVED
    assert change.decided_by == world.users["bureau"]
    assert change.project.end_date == dt.date(2027, 6, 30)
    assert events_for(change.project).filter(action="change_decision").count() == 1


def test_budget_change_below_paid_is_refused(client, world):
    from projects import services

    client.force_login(world.users["bureau"])
    change = make_change(world, ChangeRequest.Decision.PENDING)
    project = change.project
    services.disbursement_create(
        project=project,
        user=world.users["bureau"],
        paid_on=dt.date(2024, 3, 1),
        amount=Decimal("100000"),
        voucher="PZ-1",
    )
    change.kind = ChangeRequest.Kind.BUDGET
    change.new_city_grant = Decimal("50000")
    change.save()
    response = client.post(
        reverse("projects:changerequest_decide", kwargs={"pk": change.pk}), {"action": "approve"}
    )
    assert "少于已拨付金额" in response.content.decode()
    change.refresh_from_db()
    assert change.decision == ChangeRequest.Decision.PENDING


def test_changing_a_group_changes_what_projects_allows(client, world):
    """Authorization is the permission: take withdraw_project from the county group and the county
    office may no longer withdraw; give it manage_project and it may accept."""
    from django.contrib.auth.models import Permission

    county = world.users["county"]
    group = county.groups.get()
    withdraw = Permission.objects.get(content_type__app_label="projects", codename="withdraw_project")
    manage = Permission.objects.get(content_type__app_label="projects", codename="manage_project")
    group.permissions.remove(withdraw)
    group.permissions.add(manage)
    from django.contrib.auth import get_user_model

    county = get_user_model().objects.get(pk=county.pk)  # fresh permission cache
    client.force_login(county)
    project = make_project(world, State.SUBMITTED)
    assert _post(client, project, "withdraw").status_code == 200
    assert _post(client, project, "accept").status_code == 302
    project.refresh_from_db()
    assert project.state == State.ACCEPTED
