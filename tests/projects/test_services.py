import datetime as dt
import re
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import F

from kejiju.core.models import AuditEvent
from projects import services
from projects.models import Attachment, ChangeRequest, LumpSumPilot, Project
from projects.rules import Action, State
from tests.projects.factories import CallFactory, OrganizationFactory, ProjectFactory

pytestmark = pytest.mark.django_db


# ------------------------------------------------------------------------------------------ applications


def test_create_numbers_and_timeline(apply, call):
    first = apply()
    second = apply(pi_mobile="13800000001")
    assert first.state == State.SUBMITTED
    assert first.number == f"{call.year}{call.programme.code}001"
    assert second.number.endswith("002")
    assert first.events.get().label == "录入申报"


def test_county_enters_for_its_own_county_only(apply, world, county_b):
    project = apply(user=world.users["county"])
    assert project.region == world.county_a
    other = OrganizationFactory(region=county_b)
    with pytest.raises(ValidationError) as error:
        apply(user=world.users["county"], region=county_b, applicant=other, pi_mobile="13800000002")
    assert "region" in error.value.message_dict


def test_applicant_must_sit_in_the_county(apply, county_b):
    with pytest.raises(ValidationError) as error:
        apply(region=county_b)
    assert "applicant" in error.value.message_dict


def test_county_cannot_use_a_closed_call(apply, world):
    closed = CallFactory(opens_on=dt.date(2020, 1, 1), closes_on=dt.date(2020, 2, 1), year=2020)
    with pytest.raises(ValidationError) as error:
        apply(user=world.users["county"], call=closed)
    assert "call" in error.value.message_dict


def test_leader_cannot_enter(apply, world):
    with pytest.raises(PermissionDenied):
        apply(user=world.users["leader"])


def test_bad_mobile_refused(apply):
    with pytest.raises(ValidationError) as error:
        apply(pi_mobile="12345")
    assert "pi_mobile" in error.value.message_dict


def test_one_pending_application_per_pi_per_call(apply, world):
    apply()
    with pytest.raises(ValidationError) as error:
        apply(user=world.users["county"])
    assert "限报一项" in str(error.value)
    with pytest.raises(ValidationError) as error:
        apply()  # staff without a reason
    assert "rule_override_reason" in error.value.message_dict
    overridden = apply(override_reason="原申报将撤回，经分管领导同意")
    assert overridden.rule_override_reason.startswith("原申报")
    assert "限项规则例外" in overridden.events.get().comment
    assert Project.objects.count() == 2


def test_other_call_or_decided_application_does_not_count(apply, advance, world):
    first = apply()
    apply(call=CallFactory(), pi_mobile="13912345678")  # another call: fine
    services.project_transition(project=first, action=Action.WITHDRAW, user=world.users["county"])
    apply()  # the withdrawn one no longer counts


def test_overdue_unfinished_project_blocks_the_pi(apply, world, county_a):
    ProjectFactory(
        region=county_a,
        pi_mobile="13912345678",
        state=State.EXECUTING,
        start_date=dt.date(2020, 1, 1),
        end_date=dt.date(2022, 12, 31),
    )
    with pytest.raises(ValidationError, match="超期未结题"):
        apply(user=world.users["county"])
    assert apply(override_reason="项目已提交验收材料").pk


def test_finished_old_project_does_not_block(apply, county_a):
    ProjectFactory(
        region=county_a,
        pi_mobile="13912345678",
        state=State.ARCHIVED,
        start_date=dt.date(2020, 1, 1),
        end_date=dt.date(2022, 12, 31),
    )
    assert apply().pk


def test_lump_sum_flag_follows_the_pilot(apply, applicant_a, call):
    pilot = LumpSumPilot.objects.create(organization=applicant_a, batch=2, since_year=call.year + 1)
    assert apply().lump_sum is False  # the pilot starts with next year's calls
    pilot.since_year = call.year
    pilot.save()
    assert apply(pi_mobile="13800000005").lump_sum is True


def test_county_edits_only_before_acceptance(apply, world, advance):
    project = apply(user=world.users["county"])
    project = services.project_update(project=project, user=world.users["county"], title="新的名称")
    assert project.title == "新的名称"
    project = advance(project, State.ACCEPTED)
    with pytest.raises(PermissionDenied):
        services.project_update(project=project, user=world.users["county"], title="再改")


def test_running_project_money_changes_only_by_change_request(apply, advance, world):
    project = advance(apply(), State.EXECUTING)
    with pytest.raises(ValidationError):
        services.project_update(project=project, user=world.users["bureau"], self_raised=Decimal("1"))
    assert services.project_update(project=project, user=world.users["bureau"], summary="补充简介").summary


# ------------------------------------------------------------------------------------------ transitions


def test_full_life_cycle_leaves_a_timeline(apply, advance, world):
    bureau = world.users["bureau"]
    project = advance(apply(), State.EXECUTING, granted=Decimal("250000"))
    assert project.city_grant == Decimal("250000")
    for action, comment in [
        (Action.SUSPEND, "负责人出国"),
        (Action.RESUME, "负责人回国"),
        (Action.START_EVALUATION, ""),
        (Action.START_ACCEPTANCE, ""),
        (Action.RECTIFY, "经费使用台账不全"),
        (Action.PASS_AFTER_RECTIFICATION, ""),
        (Action.ARCHIVE, ""),
    ]:
        project = services.project_transition(project=project, action=action, user=bureau, comment=comment)
    assert project.state == State.ARCHIVED
    assert project.acceptance_result == "passed_after_rectification"
    transitions = project.events.exclude(from_state="").exclude(from_state=F("to_state")).count()
    assert transitions == 11  # accept, review, approve, contract + the seven above
    assert AuditEvent.objects.filter(event_type=AuditEvent.Type.TRANSITION).count() == 11


def test_contract_needs_the_signed_task_book(apply, advance, world):
    bureau = world.users["bureau"]
    project = advance(apply(), State.APPROVED)
    with pytest.raises(ValidationError, match="任务书"):
        services.project_transition(project=project, action=Action.SIGN_CONTRACT, user=bureau)
    services.attachment_create(
        project=project, user=bureau, kind="contract", upload=_upload("任务书.pdf", b"%PDF-1")
    )
    assert (
        services.project_transition(project=project, action=Action.SIGN_CONTRACT, user=bureau).state
        == State.EXECUTING
    )


def test_approve_needs_a_closed_expert_panel(apply, advance, world):
    from experts.models import ReviewPanel, ReviewSubject
    from tests.projects.conftest import close_panel

    project = advance(apply(), State.REVIEW)
    with pytest.raises(ValidationError, match="评审组"):
        services.project_transition(project=project, action=Action.APPROVE, user=world.users["bureau"])
    panel = close_panel(project, Decimal("81.20"))
    ReviewPanel.objects.filter(pk=panel.pk).update(state=ReviewPanel.State.SCORING)
    ReviewSubject.objects.filter(panel=panel).update(result=None)
    with pytest.raises(ValidationError, match="评审组"):
        services.project_transition(project=project, action=Action.APPROVE, user=world.users["bureau"])
    assert Project.objects.get(pk=project.pk).state == State.REVIEW
    ReviewPanel.objects.filter(pk=panel.pk).update(state=ReviewPanel.State.CLOSED)
    ReviewSubject.objects.filter(panel=panel).update(result=Decimal("81.20"))
    project = services.project_transition(project=project, action=Action.APPROVE, user=world.users["bureau"])
    assert project.state == State.APPROVED
    assert Decimal(str(project.events.filter(action="approve").get().data["score"])) == Decimal("81.20")


def test_expert_panel_end_to_end(apply, advance, world):
    """Start a panel through the experts app's services, score it, close it, then 立项."""
    from experts import services as expert_services
    from experts.models import ReviewMember
    from tests.experts.factories import ExpertFactory, ExpertFieldFactory

    bureau = world.users["bureau"]
    project = advance(apply(), State.REVIEW)
    field = ExpertFieldFactory(name="现代农业")
    for _ in range(4):
        ExpertFactory(fields=[field])
    panel = expert_services.review_panel_create(
        subject=project,
        title=project.review_title(),
        applicant=project.review_applicant(),
        fields=[field],
        size=3,
        reserves=0,
        criteria=project.review_criteria(),
        user=bureau,
        seed="fixed-seed",
    )
    members = [m for m in ReviewMember.objects.filter(panel=panel) if m.is_seated]
    assert len(members) == 3
    for member in members:
        expert_services.review_member_confirm(member=member, user=bureau)
    marks = {"innovation": 20, "feasibility": 20, "team": 16, "benefit": 16, "budget": 8}
    for member in members:
        expert_services.review_scores_enter(member=member, scores=marks, user=bureau)
    expert_services.review_panel_close(panel=panel, user=bureau)
    project = services.project_transition(project=project, action=Action.APPROVE, user=bureau)
    assert project.state == State.APPROVED
    assert Decimal(str(project.events.filter(action="approve").get().data["score"])) == Decimal("80")


# ------------------------------------------------------------------------------------------------ funding


def test_disbursements_up_to_the_grant(apply, advance, world):
    bureau = world.users["bureau"]
    project = advance(apply(), State.EXECUTING, granted=Decimal("300000"))
    services.disbursement_create(
        project=project,
        user=bureau,
        paid_on=dt.date(2025, 3, 1),
        amount=Decimal("200000"),
        voucher="拨2025-01",
    )
    services.disbursement_create(
        project=project,
        user=bureau,
        paid_on=dt.date(2025, 9, 1),
        amount=Decimal("100000"),
        voucher="拨2025-02",
    )
    with pytest.raises(ValidationError) as error:
        services.disbursement_create(
            project=project,
            user=bureau,
            paid_on=dt.date(2025, 10, 1),
            amount=Decimal("0.01"),
            voucher="拨2025-03",
        )
    assert "amount" in error.value.message_dict
    assert services.paid_total(project) == Decimal("300000")


def test_no_disbursement_before_approval(apply, advance, world):
    project = advance(apply(), State.REVIEW)
    with pytest.raises(ValidationError):
        services.disbursement_create(
            project=project,
            user=world.users["bureau"],
            paid_on=dt.date(2025, 3, 1),
            amount=Decimal("1"),
            voucher="x",
        )


def test_county_cannot_disburse(apply, advance, world):
    project = advance(apply(), State.EXECUTING)
    with pytest.raises(PermissionDenied):
        services.disbursement_create(
            project=project,
            user=world.users["county"],
            paid_on=dt.date(2025, 3, 1),
            amount=Decimal("1"),
            voucher="x",
        )


def test_budget_lines_within_the_money_and_never_for_lump_sum(apply, advance, world, applicant_a):
    bureau = world.users["bureau"]
    project = advance(apply(), State.EXECUTING, granted=Decimal("300000"))
    services.budget_line_create(
        project=project, user=bureau, category="equipment", source="city", amount=Decimal("200000")
    )
    with pytest.raises(ValidationError):
        services.budget_line_create(
            project=project, user=bureau, category="labour", source="city", amount=Decimal("100001")
        )
    LumpSumPilot.objects.create(organization=applicant_a, batch=2, since_year=2023)
    pilot_project = apply(pi_mobile="13800000009")
    assert pilot_project.lump_sum
    with pytest.raises(ValidationError, match="包干制"):
        services.budget_line_create(
            project=pilot_project, user=bureau, category="equipment", source="city", amount=Decimal("1")
        )


# -------------------------------------------------------------------------------------- running projects


def test_annual_report_within_term_once(apply, advance, world):
    bureau = world.users["bureau"]
    project = advance(apply(), State.EXECUTING)
    services.annual_report_create(
        project=project, user=bureau, year=2025, filed_on=dt.date(2026, 3, 1), progress="按计划推进"
    )
    with pytest.raises(ValidationError):
        services.annual_report_create(
            project=project, user=bureau, year=2025, filed_on=dt.date(2026, 3, 1), progress="重复"
        )
    with pytest.raises(ValidationError):
        services.annual_report_create(
            project=project, user=bureau, year=2030, filed_on=dt.date(2031, 3, 1), progress="超期"
        )


def test_change_requests_approved_and_refused(apply, advance, world):
    bureau = world.users["bureau"]
    project = advance(apply(), State.EXECUTING, granted=Decimal("300000"))
    dates = services.change_request_create(
        project=project, user=bureau, kind="dates", reason="设备延期到货", new_end_date=dt.date(2027, 6, 30)
    )
    services.change_request_decide(change_request=dates, user=bureau, approve=True, comment="同意延期一次")
    assert Project.objects.get(pk=project.pk).end_date == dt.date(2027, 6, 30)

    leader = services.change_request_create(
        project=project,
        user=bureau,
        kind="leader",
        reason="工作调动",
        new_pi_name="李新",
        new_pi_mobile="13700001111",
    )
    # Refusing without a reason, and deciding a decided request: the workflow sweep (test_workflow.py).
    services.change_request_decide(change_request=leader, user=bureau, approve=False, comment="理由不充分")
    assert Project.objects.get(pk=project.pk).pi_name == "张研究"
    assert ChangeRequest.objects.get(pk=leader.pk).decision == "refused"

    services.disbursement_create(
        project=project, user=bureau, paid_on=dt.date(2025, 3, 1), amount=Decimal("200000"), voucher="v1"
    )
    with pytest.raises(ValidationError):
        services.change_request_create(
            project=project, user=bureau, kind="budget", reason="压减", new_city_grant=Decimal("100000")
        )
    budget = services.change_request_create(
        project=project, user=bureau, kind="budget", reason="追加", new_city_grant=Decimal("350000")
    )
    services.change_request_decide(change_request=budget, user=bureau, approve=True)
    assert Project.objects.get(pk=project.pk).city_grant == Decimal("350000")


def test_no_budget_change_for_lump_sum(apply, advance, world, applicant_a):
    LumpSumPilot.objects.create(organization=applicant_a, batch=2, since_year=2023)
    project = advance(apply(), State.EXECUTING)
    with pytest.raises(ValidationError, match="包干制"):
        services.change_request_create(
            project=project,
            user=world.users["bureau"],
            kind="budget",
            reason="追加",
            new_city_grant=Decimal("1"),
        )


# ------------------------------------------------------------------------------------------ attachments


def _upload(name, content):
    return SimpleUploadedFile(name, content)


def test_attachment_stored_under_generated_name(apply, world):
    project = apply()
    attachment = services.attachment_create(
        project=project,
        user=world.users["bureau"],
        kind="application",
        upload=_upload("../../etc/申报书.pdf", b"%PDF-1.4 x"),
    )
    assert attachment.original_name == "申报书.pdf"
    assert re.fullmatch(r"projects/attachments/\d{4}/\d{2}/[0-9a-f]{32}\.pdf", attachment.file.name)
    assert "申报书" not in attachment.file.name
    assert attachment.content_type == "application/pdf"
    assert len(attachment.sha256) == 64


@pytest.mark.parametrize(
    ("name", "content"),
    [("a.exe", b"MZ\x90\x00"), ("a.pdf", b"MZ\x90\x00"), ("a.svg", b"<svg/>"), ("a.pdf", b"")],
)
def test_wrong_attachment_refused(apply, world, name, content):
    project = apply()
    with pytest.raises(ValidationError) as error:
        services.attachment_create(
            project=project, user=world.users["bureau"], kind="other", upload=_upload(name, content)
        )
    assert "file" in error.value.message_dict
    assert Attachment.objects.count() == 0


def test_attachment_size_limit(apply, world, settings):
    settings.PROJECTS_ATTACHMENT_MAX_BYTES = 1024
    project = apply()
    with pytest.raises(ValidationError, match="超过上限"):
        services.attachment_create(
            project=project,
            user=world.users["bureau"],
            kind="other",
            upload=_upload("big.pdf", b"%PDF-" + b"0" * 2000),
        )


def test_county_uploads_only_the_application_before_acceptance(apply, advance, world):
    county = world.users["county"]
    project = apply(user=county)
    services.attachment_create(
        project=project, user=county, kind="application", upload=_upload("a.pdf", b"%PDF-1")
    )
    with pytest.raises(PermissionDenied):
        services.attachment_create(
            project=project, user=county, kind="contract", upload=_upload("b.pdf", b"%PDF-1")
        )
    project = advance(project, State.ACCEPTED)
    with pytest.raises(PermissionDenied):
        services.attachment_create(
            project=project, user=county, kind="application", upload=_upload("c.pdf", b"%PDF-1")
        )


def test_cooperation_project_dates_required(world, county_a):
    from projects.models import CooperationProject
    from tests.projects.factories import UniversityFactory

    project = CooperationProject(
        title="山西农业大学杂粮成果转化基地",
        region=county_a,
        university=UniversityFactory(),
        kind="transfer_base",
        state="landed",
        task_year=2023,
    )
    with pytest.raises(ValidationError) as error:
        services.cooperation_project_save(project=project, user=world.users["bureau"])
    assert "landed_on" in error.value.message_dict
    project.landed_on = dt.date(2023, 6, 1)
    assert services.cooperation_project_save(project=project, user=world.users["bureau"]).pk
    with pytest.raises(PermissionDenied):
        services.cooperation_project_save(project=project, user=world.users["county"])


# ------------------------------------------------------------------------------------------ call year


def test_project_year_is_its_calls_year_and_follows_a_corrected_call(world):
    call = CallFactory(year=2023)
    project = ProjectFactory(call=call, region=world.county_a)
    assert project.year == 2023
    call.year = 2024
    services.call_save(call=call, user=world.users["bureau"])
    project.refresh_from_db()
    assert project.year == 2024
    assert list(Project.objects.filter(year=2024)) == [project]


def test_moving_a_project_to_another_call_moves_its_year(world):
    project = ProjectFactory(call=CallFactory(year=2022), region=world.county_a)
    project.call = CallFactory(year=2025)
    project.save()
    project.refresh_from_db()
    assert project.year == 2025
