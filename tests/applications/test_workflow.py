"""The online application's flow through the workflow sweep — every edge, every staff role, the other
county, unit A's administrator and 项目负责人 and the other unit — and the rules of its steps."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from kejiju.applications.models import Application, ApplicationState, CallQuota
from kejiju.applications.services import quota_of
from kejiju.core.workflow.services import apply_transition
from kejiju.reporting.models import Notice
from projects.models import Project
from tests.applications.factories import make_application, open_guide
from tests.workflowcase import ACTORS, UNIT_ACTORS, FlowCase, WorkflowSweep


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _application(world, state: str) -> Application:
    return make_application(leader=world.users["applicant"], state=state)


def _data(world, transition, record) -> dict:
    return {"rank": 1} if transition.action == "recommend" else {}


class TestApplicationFlow(WorkflowSweep):
    case = FlowCase(
        workflow="applications.application",
        url_name="applications:application_transition",
        make=_application,
        data=_data,
        actors=ACTORS + UNIT_ACTORS,
    )


def _take(record, action, actor, **kwargs):
    apply_transition(record=record, action=action, actor=actor, **kwargs)
    record.refresh_from_db()
    return record


# ------------------------------------------------------------------------------------ the whole path


def test_the_path_from_draft_to_the_bureau(world, django_capture_on_commit_callbacks):
    """提交 → 单位审核 → 县区推荐: a project in 申报 numbered in its call with the application's budget;
    each step told to the 项目负责人 and to whoever acts next."""
    for user in world.users.values():
        user.email = f"{user.username}@example.cn"
        user.save(update_fields=["email"])
    applicant, unit_admin, county = (world.users[r] for r in ("applicant", "unit_admin", "county"))
    application = _application(world, ApplicationState.DRAFT)
    with django_capture_on_commit_callbacks(execute=True):
        _take(application, "submit", applicant)
    assert Notice.objects.filter(recipient=unit_admin, url=application.get_absolute_url()).exists()
    assert not Notice.objects.filter(recipient=applicant).exists()  # the actor is never told
    with django_capture_on_commit_callbacks(execute=True):
        _take(application, "unit_approve", unit_admin)
    assert Notice.objects.filter(recipient=county).exists()
    assert Notice.objects.filter(recipient=applicant).exists()
    assert not Notice.objects.filter(recipient=world.users["other_county"]).exists()
    assert not Notice.objects.filter(recipient=world.users["bureau"]).exists()  # the county recommends
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        _take(application, "recommend", county, data={"rank": 1})
    assert application.state == ApplicationState.RECOMMENDED and application.rank == 1
    project = application.project
    assert project.state == "submitted" and project.applicant == world.unit_a
    assert project.requested_grant == 100000 and project.self_raised == 50000
    assert sorted(project.budget_lines.values_list("source", "amount")) == [("city", 100000), ("self", 50000)]
    assert applicant.email in {address for message in mail.outbox for address in message.to}


def test_a_return_shows_its_reason_and_the_applicant_submits_again(client, world):
    applicant = world.users["applicant"]
    application = _application(world, ApplicationState.SUBMITTED)
    _take(application, "unit_return", world.users["unit_admin"], comment="预算说明不全")
    assert application.state == ApplicationState.RETURNED
    client.force_login(applicant)
    page = client.get(application.get_absolute_url()).content.decode()
    assert "预算说明不全" in page
    edit = client.get(f"{application.get_absolute_url()}edit/").content.decode()
    assert "预算说明不全" in edit
    _take(application, "submit", applicant)
    assert application.state == ApplicationState.SUBMITTED and application.return_reason == ""


# ------------------------------------------------------------------------------------- the rules


def _refusal(record, action, actor, **kwargs) -> str:
    from kejiju.core.workflow import TransitionRefused

    with pytest.raises(TransitionRefused) as refused:
        apply_transition(record=record, action=action, actor=actor, **kwargs)
    return refused.value.reason


def test_nothing_is_submitted_after_the_close_date_and_the_late_unit_sees_why(client, world):
    applicant = world.users["applicant"]
    application = _application(world, ApplicationState.DRAFT)
    call = application.call
    call.closes_on = timezone.localdate() - dt.timedelta(days=1)
    call.opens_on = call.closes_on - dt.timedelta(days=30)
    call.save()
    reason = _refusal(application, "submit", applicant)
    assert f"申报已于 {call.closes_on:%Y-%m-%d} 截止" in reason
    client.force_login(applicant)
    assert "截止" in client.get(application.get_absolute_url()).content.decode()
    guide_page = client.get(call.guide.get_absolute_url()).content.decode()
    assert "截止" in guide_page and "填写申报书</a>" not in guide_page
    response = client.post(
        f"/applications/guides/{call.guide.pk}/apply/",
        {"title": "迟到", "summary": "x", "goals": "y", "start_date": "2027-01-01", "end_date": "2028-01-01"},
    )
    assert response.status_code == 200 and "截止" in response.content.decode()
    assert not Application.objects.filter(title="迟到").exists()


def test_an_incomplete_application_is_refused_with_each_missing_part(world):
    application = make_application(leader=world.users["applicant"], complete=False)
    reason = _refusal(application, "submit", world.users["applicant"])
    for part in ("团队成员", "预算", "申报书正文", "科研诚信承诺书"):
        assert part in reason


def test_one_application_per_leader_in_a_call(world):
    first = _application(world, ApplicationState.SUBMITTED)
    second = make_application(leader=world.users["applicant"], call=first.call, title="第二项")
    assert "只能申报一项" in _refusal(second, "submit", world.users["applicant"])


def test_only_the_leader_submits_and_only_the_units_county_recommends(world, make_user):
    application = _application(world, ApplicationState.DRAFT)
    colleague = make_user("applicant", organization=world.unit_a)
    # The other 项目负责人 of the unit does not even see it (owner_field).
    assert "不存在" in _refusal(application, "submit", colleague)
    approved = _application(world, ApplicationState.UNIT_APPROVED)
    assert "由" in _refusal(approved, "recommend", world.users["bureau"], data={"rank": 1})


def test_the_county_ranks_within_its_quota(world):
    first = _application(world, ApplicationState.UNIT_APPROVED)
    CallQuota.objects.create(guide=first.call.guide, region=world.county_a, quota=1)
    assert quota_of(call=first.call, region=world.county_a) == 1
    assert "不能超过" in _refusal(first, "recommend", world.users["county"], data={"rank": 2})
    _take(first, "recommend", world.users["county"], data={"rank": 1})
    other_leader = type(world.users["applicant"]).objects.create_user(
        username="second_leader", role="applicant", organization=world.unit_a, phone="13903509999"
    )
    second = make_application(leader=other_leader, call=first.call, state=ApplicationState.UNIT_APPROVED)
    assert "已用完" in _refusal(second, "recommend", world.users["county"], data={"rank": 2})
    assert Project.objects.filter(pk=first.project_id).exists()


def test_a_unit_without_a_county_is_recommended_by_the_bureau(world, make_user):
    from kejiju.accounts.models import Region
    from kejiju.core.models import Organization
    from kejiju.core.services import organization_save

    unit = organization_save(organization=Organization(name="市直申报单位", region=None))
    leader = make_user("applicant", organization=unit)
    application = make_application(
        leader=leader, state=ApplicationState.UNIT_APPROVED, call=open_guide().call
    )
    assert application.region is None
    _take(application, "recommend", world.users["bureau"], data={"rank": 1})
    assert application.project.region == Region.objects.get(kind="city")
