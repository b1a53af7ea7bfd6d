"""Every write of the projects app (keyword-only, atomic, `full_clean()` first; bad input raises
ValidationError with a Chinese message naming the field)."""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from kejiju.accounts.models import Region
from kejiju.core import parameters, pii, uploads
from kejiju.core.dates import require_date_order, require_record_dates
from kejiju.core.identifiers import IdentifierError, validate_id_number, validate_mobile
from kejiju.core.invariants import Unique, declare_invariants, require_share, require_unique
from kejiju.core.models import Organization
from kejiju.core.scoping import unit_id_of_user, user_may_see_region
from kejiju.core.workflow.services import apply_transition, record_created, record_step
from kejiju.integrity.checks import person_bar, unit_bar

from . import rules
from .models import (
    Achievement,
    AchievementTransfer,
    AnnualReport,
    Attachment,
    BudgetLine,
    Call,
    ChangeRequest,
    CooperationProject,
    Disbursement,
    LumpSumPilot,
    MidtermCheck,
    OwnershipGrant,
    OwnershipPilot,
    Programme,
    Project,
)
from .rules import FUNDED_STATES, PENDING_STATES, RUNNING_STATES, State

# ------------------------------------------------------------------------------------------------ helpers


def _require(user, perm: str) -> None:
    if not user.has_perm(perm):
        raise PermissionDenied("只有局业务人员可以执行此操作。")


def _require_save(user, instance) -> None:
    """Adding a record asks add_<model>, editing it change_<model>."""
    meta = instance._meta
    _require(user, f"{meta.app_label}.{'change' if instance.pk else 'add'}_{meta.model_name}")


def _step(
    *, project: Project, action: str, label: str, user, comment: str = "", effective_on=None, data=None
):
    """A step on the project's timeline that keeps its state (projects.workflow.PROJECT_STEPS)."""
    return record_step(
        record=project,
        action=action,
        actor=user,
        label=label,
        comment=comment,
        effective_on=effective_on,
        data=data,
    )


def _lock(project: Project) -> Project:
    return Project.objects.select_for_update().get(pk=project.pk)


def _save(instance):
    instance.full_clean()
    instance.save()
    return instance


# ----------------------------------------------------------------------------------- reference records


@transaction.atomic
def programme_save(*, programme: Programme, user) -> Programme:
    _require_save(user, programme)
    programme.code = programme.code.strip().upper()
    return _save(programme)


@transaction.atomic
def call_save(*, call: Call, user) -> Call:
    _require_save(user, call)
    _save(call)
    call.projects.exclude(year=call.year).update(year=call.year)
    return call


@transaction.atomic
def lump_sum_pilot_save(*, pilot: LumpSumPilot, user) -> LumpSumPilot:
    _require_save(user, pilot)
    return _save(pilot)


def is_lump_sum_unit(organization: Organization, *, year: int) -> bool:
    """Whether projects of `year`'s calls of this unit run under 包干制 (an active pilot since then)."""
    return LumpSumPilot.objects.filter(
        organization=organization, is_active=True, since_year__lte=year
    ).exists()


# -------------------------------------------------------------------------------------- applications


def same_pi_condition(*, pi_digest: str = "", pi_mobile: str = "") -> Q:
    """The projects of one person: by the keyed digest of the 身份证号; a project entered before ID numbers
    were asked for (none stored) by its mobile number instead."""
    if not pi_digest:
        return Q(pi_mobile=pi_mobile) if pi_mobile else Q(pk__in=[])
    condition = Q(pi_id_number_digest=pi_digest)
    if pi_mobile:
        condition |= Q(pi_id_number_digest="", pi_mobile=pi_mobile)
    return condition


def applicant_facts(
    *,
    call: Call,
    pi_digest: str = "",
    pi_mobile: str = "",
    unit_id: int | None = None,
    exclude_pk: int | None = None,
    today: dt.date | None = None,
) -> rules.ApplicantFacts:
    """The counts the call's 限项 read: the PI's projects (same_pi_condition) and the unit's, in one query."""
    today = today or timezone.localdate()
    projects = Project.objects.exclude(pk=exclude_pk) if exclude_pk is not None else Project.objects.all()
    pending = Q(call=call, state__in=PENDING_STATES)
    running = Q(state__in=RUNNING_STATES)
    same_pi = same_pi_condition(pi_digest=pi_digest, pi_mobile=pi_mobile)
    by_mobile = same_pi & (Q(pi_id_number_digest="") if pi_digest else Q())
    counts = projects.aggregate(
        pending_in_same_call=Count("pk", filter=same_pi & pending),
        overdue_unfinished=Count("pk", filter=same_pi & running & Q(end_date__lt=today)),
        open_projects=Count("pk", filter=same_pi & running),
        matched_by_mobile=Count("pk", filter=by_mobile & (pending | running)),
        unit_pending_in_same_call=Count("pk", filter=pending & Q(applicant_id=unit_id)),
    )
    if unit_id is None:
        counts["unit_pending_in_same_call"] = 0
    return rules.ApplicantFacts(**counts)


@sensitive_variables("value", "number")
def set_pi_id_number(project: Project, value: str) -> None:
    """Seal a newly given 负责人身份证号 (blank: keep what the project has)."""
    if not value.strip():
        return
    try:
        number = validate_id_number(value)
    except IdentifierError as error:
        raise ValidationError({"pi_id_number": f"负责人身份证号：{error}"}) from None
    project.set_pi_id_number(number)


def _check_application(project: Project, *, user, override_reason: str) -> None:
    errors: dict[str, list[str]] = {}
    try:
        project.pi_mobile = validate_mobile(project.pi_mobile)
    except IdentifierError as error:
        errors["pi_mobile"] = [str(error)]
    if not user_may_see_region(user, project.region_id):
        errors["region"] = ["不能为其他县区录入项目。"]
    if (
        project.applicant_id
        and project.applicant.region_id
        and project.applicant.region_id != project.region_id
    ):
        errors.setdefault("applicant", []).append("承担单位不在所选县区。")
    if errors:
        raise ValidationError(errors)
    facts = applicant_facts(
        call=project.call,
        pi_digest=project.pi_id_number_digest,
        pi_mobile=project.pi_mobile,
        unit_id=project.applicant_id,
        exclude_pk=project.pk,
    )
    breaches = rules.applicant_rule_breaches(facts, project.call.limits)
    if breaches:
        if not user.has_perm("projects.override_applicant_rules"):
            raise ValidationError({"pi_mobile": breaches})
        if not override_reason.strip():
            raise ValidationError(
                {"rule_override_reason": [*breaches, "如确需放行，请填写限项规则例外说明。"]}
            )
        project.rule_override_reason = override_reason.strip()


def _next_number(call: Call) -> str:
    Call.objects.select_for_update().filter(pk=call.pk).first()  # serialise numbering within the call
    prefix = f"{call.year}{call.programme.code}"
    last = (
        Project.objects.filter(number__startswith=prefix)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    serial = int(last[len(prefix) :]) + 1 if last and last[len(prefix) :].isdigit() else 1
    return f"{prefix}{serial:03d}"


@transaction.atomic
def project_create(
    *,
    user,
    call: Call,
    title: str,
    applicant: Organization,
    region,
    pi_name: str,
    pi_mobile: str,
    start_date: dt.date,
    end_date: dt.date,
    requested_grant: Decimal,
    self_raised: Decimal = Decimal("0"),
    summary: str = "",
    pi_id_number: str = "",
    override_reason: str = "",
    effective_on: dt.date | None = None,
) -> Project:
    """Enter an application (state 申报): for a county in the user's scope; outside the call's entry
    period only with projects.enter_late_application. `effective_on`: the day it was submitted, when it is
    entered after the fact (default today)."""
    if not user.has_perm("projects.add_project"):
        raise PermissionDenied("无权录入项目申报。")
    today = timezone.localdate()
    late = not call.opens_on <= today <= call.closes_on
    if late and not user.has_perm("projects.enter_late_application"):
        raise ValidationError({"call": f"“{call}”不在申报期内（{call.opens_on} 至 {call.closes_on}）。"})
    project = Project(
        call=call,
        title=title.strip(),
        applicant=applicant,
        region=region,
        pi_name=pi_name.strip(),
        pi_mobile=pi_mobile,
        start_date=start_date,
        end_date=end_date,
        requested_grant=requested_grant,
        self_raised=self_raised,
        summary=summary,
        created_by=user,
        number="pending",
    )
    set_pi_id_number(project, pi_id_number)
    project.full_clean(exclude=["number"])
    _check_application(project, user=user, override_reason=override_reason)
    project.lump_sum = is_lump_sum_unit(applicant, year=call.year)
    project.number = _next_number(call)
    project.full_clean()
    project.save()
    comment = f"限项规则例外：{project.rule_override_reason}" if project.rule_override_reason else ""
    record_created(record=project, actor=user, comment=comment, effective_on=effective_on)
    return project


def project_from_application(
    *,
    actor,
    call: Call,
    title: str,
    applicant: Organization,
    region,
    pi_name: str,
    pi_mobile: str,
    start_date: dt.date,
    end_date: dt.date,
    requested_grant: Decimal,
    self_raised: Decimal,
    summary: str,
    budget: list[dict],
    pi_id_number_from: pii.SealedSource | None = None,
) -> Project:
    """An online application recommended by its county (or by the bureau, for a unit without a county)
    enters the bureau's list as a project in 申报, numbered in its call, with its itemised budget (none under
    包干制). Runs inside the recommending step's transaction; its checks were the application's."""
    if region is None:
        region = Region.objects.filter(kind=Region.Kind.CITY, is_active=True).order_by("code").first()
        if region is None:
            raise ValidationError("未设置本市（地级市）区划，市直单位的申报无法转入项目库。")
    project = Project(
        call=call,
        title=title,
        applicant=applicant,
        region=region,
        pi_name=pi_name,
        pi_mobile=pi_mobile,
        start_date=start_date,
        end_date=end_date,
        requested_grant=requested_grant,
        self_raised=self_raised,
        summary=summary,
        created_by=actor if getattr(actor, "pk", None) else None,
        number=_next_number(call),
    )
    if pi_id_number_from is not None:  # re-sealed for the project's row
        pii.copy_id_number(pi_id_number_from, project, prefix="pi_")
    project.lump_sum = is_lump_sum_unit(applicant, year=call.year)
    try:
        project.full_clean()
    except ValidationError as error:
        raise ValidationError(f"转入项目库失败：{'；'.join(error.messages)}") from error
    project.save()
    if not project.lump_sum:
        BudgetLine.objects.bulk_create([BudgetLine(project=project, **line) for line in budget])
    record_created(record=project, actor=actor, comment="网上申报，经推荐转入")
    return project


EDITABLE_FIELDS = (
    "call",
    "title",
    "applicant",
    "region",
    "pi_name",
    "pi_mobile",
    "start_date",
    "end_date",
    "requested_grant",
    "self_raised",
    "summary",
)


def may_edit(*, project: Project, user) -> bool:
    """An application awaiting 受理 by whoever may change projects of its county; after 受理, until it is
    closed, by those who run the projects (projects.manage_project)."""
    if not user.has_perm("projects.change_project") or not user_may_see_region(user, project.region_id):
        return False
    if user.has_perm("projects.manage_project"):
        return project.state not in rules.TERMINAL_STATES
    return project.state == State.SUBMITTED


@transaction.atomic
def project_update(
    *, project: Project, user, override_reason: str = "", pi_id_number: str = "", **changes
) -> Project:
    """Correct an application's data: a county office while it awaits 受理; staff until it is closed.
    Dates, money and leader of a running project change through a 变更 request instead."""
    locked = _lock(project)
    if not may_edit(project=locked, user=user):
        raise PermissionDenied("当前状态下不能修改该项目。")
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"unknown fields: {sorted(unknown)}")
    if locked.state in FUNDED_STATES:
        frozen = {"call", "start_date", "end_date", "requested_grant", "self_raised", "pi_name", "pi_mobile"}
        changed = {name for name in frozen & set(changes) if getattr(locked, name) != changes[name]}
        if changed:
            raise ValidationError({"start_date": "已立项项目的期限、经费与负责人须通过项目变更办理。"})
        # Completing a missing 身份证号 is allowed, changing the one recorded is not.
        if (
            pi_id_number.strip()
            and locked.pi_id_number_digest
            and pii.digest(pi_id_number) != locked.pi_id_number_digest
        ):
            raise ValidationError({"pi_id_number": "已立项项目的负责人须通过项目变更办理。"})
    for name, value in changes.items():
        setattr(locked, name, value)
    set_pi_id_number(locked, pi_id_number)
    locked.full_clean()
    if locked.state in PENDING_STATES:
        _check_application(locked, user=user, override_reason=override_reason or locked.rule_override_reason)
    locked.save()
    return locked


# ------------------------------------------------------------------------------------------ transitions


def review_score(project: Project) -> Decimal | None:
    from .selectors import project_review_result

    return project_review_result(project=project).score


def project_transition(
    *,
    project: Project,
    action: str,
    user,
    comment: str = "",
    granted: Decimal | None = None,
    effective_on: dt.date | None = None,
) -> Project:
    """Move the project along its life cycle (projects.workflow) through the one engine; a refusal
    (core TransitionRefused) changes nothing. `effective_on`: the day the step took effect, when it is
    entered after the fact (default today)."""
    data = {"granted": granted} if action == rules.Action.APPROVE else {}
    apply_transition(
        record=project,
        action=action,
        actor=user,
        comment=comment.strip(),
        data=data,
        effective_on=effective_on,
    )
    return project


# ------------------------------------------------------------------------------------------------ funding


def _dates(project: Project, *, report_year: int | None = None) -> dict:
    """The project's dates its running-management steps follow (rules.RUNNING_DATES), labelled."""
    dates = {"start_date": ("项目起始日期", project.start_date)}
    if report_year is not None:
        dates["report_year_start"] = (f"报告年度（{report_year}年）开始日期", dt.date(report_year, 1, 1))
    return dates


def paid_total(project: Project) -> Decimal:
    return project.disbursements.aggregate(total=Sum("amount"))["total"] or Decimal("0")


@transaction.atomic
def disbursement_create(
    *, project: Project, user, paid_on: dt.date, amount: Decimal, voucher: str, note: str = ""
) -> Disbursement:
    _require(user, "projects.add_disbursement")
    locked = _lock(project)
    if locked.state not in rules.DISBURSABLE_STATES:
        raise ValidationError({"amount": f"项目状态为“{locked.get_state_display()}”，不能拨付经费。"})
    # 科研诚信 惩戒 of 拨付 (kejiju.integrity), of the unit or of the leader.
    barred = unit_bar(locked.applicant, "payment", on=paid_on) or person_bar(
        [(locked.pi_name, locked.pi_id_number_digest)], "payment", on=paid_on
    )
    if barred:
        raise ValidationError({"amount": barred})
    require_date_order(rules.RUNNING_DATES["disburse"], date=paid_on, record=locked, extra=_dates(locked))
    disbursement = Disbursement(
        project=locked, paid_on=paid_on, amount=amount, voucher=voucher.strip(), note=note, recorded_by=user
    )
    disbursement.full_clean()
    problem = rules.disbursement_allowed(granted=locked.city_grant, paid=paid_total(locked), amount=amount)
    if problem:
        raise ValidationError({"amount": problem})
    disbursement.save()
    _step(
        project=locked,
        action="disburse",
        label=f"拨付经费 {amount} 元",
        user=user,
        comment=f"凭证号 {disbursement.voucher}",
        effective_on=paid_on,
    )
    return disbursement


@transaction.atomic
def budget_line_create(
    *, project: Project, user, category: str, source: str, amount: Decimal, note: str = ""
) -> BudgetLine:
    _require(user, "projects.add_budgetline")
    locked = _lock(project)
    if locked.lump_sum:
        raise ValidationError({"category": "包干制项目不编制经费明细预算。"})
    if locked.state in rules.TERMINAL_STATES:
        raise ValidationError({"category": "项目已结束，不能修改预算。"})
    line = BudgetLine(project=locked, category=category, source=source, amount=amount, note=note)
    line.full_clean()
    budgeted = locked.budget_lines.filter(source=source).aggregate(total=Sum("amount"))["total"] or Decimal(
        "0"
    )
    ceiling = (
        (locked.city_grant if locked.city_grant is not None else locked.requested_grant)
        if source == BudgetLine.Source.CITY
        else locked.self_raised
    )
    if budgeted + amount > ceiling:
        total = budgeted + amount
        message = f"{line.get_source_display()}预算合计 {total} 元超过该来源的资金总额 {ceiling} 元。"
        raise ValidationError({"amount": message})
    line.save()
    return line


# -------------------------------------------------------------------------------------- running projects


_REPORTABLE_STATES = RUNNING_STATES | {State.CONCLUDED}


@transaction.atomic
def annual_report_create(
    *, project: Project, user, year: int, filed_on: dt.date, progress: str, spent: Decimal = Decimal("0")
) -> AnnualReport:
    _require(user, "projects.add_annualreport")
    locked = _lock(project)
    require_project_filer(project=locked, user=user)
    if locked.state not in _REPORTABLE_STATES:
        raise ValidationError({"year": "只有已立项、未归档的项目可以登记年度报告。"})
    if not locked.start_date.year <= year <= locked.end_date.year:
        raise ValidationError(
            {"year": f"报告年度须在项目期限 {locked.start_date.year}–{locked.end_date.year} 年内。"}
        )
    if locked.annual_reports.filter(year=year).exists():
        raise ValidationError({"year": f"{year} 年度报告已登记。"})
    require_date_order(
        rules.RUNNING_DATES["annual_report"],
        date=filed_on,
        record=locked,
        extra=_dates(locked, report_year=year),
    )
    report = AnnualReport(project=locked, year=year, filed_on=filed_on, progress=progress, spent=spent)
    _save(report)
    _step(
        project=locked,
        action="annual_report",
        label=f"登记 {year} 年度执行报告",
        user=user,
        effective_on=filed_on,
    )
    return report


@transaction.atomic
def midterm_check_create(
    *, project: Project, user, checked_on: dt.date, conclusion: str, findings: str
) -> MidtermCheck:
    _require(user, "projects.add_midtermcheck")
    locked = _lock(project)
    if locked.state not in {State.EXECUTING, State.SUSPENDED}:
        raise ValidationError({"checked_on": "只有执行中的项目可以登记中期检查。"})
    require_date_order(
        rules.RUNNING_DATES["midterm_check"], date=checked_on, record=locked, extra=_dates(locked)
    )
    check = MidtermCheck(project=locked, checked_on=checked_on, conclusion=conclusion, findings=findings)
    _save(check)
    _step(
        project=locked,
        action="midterm_check",
        label=f"中期检查：{check.get_conclusion_display()}",
        user=user,
        comment=findings,
        effective_on=checked_on,
    )
    return check


@transaction.atomic
def change_request_create(
    *,
    project: Project,
    user,
    kind: str,
    reason: str,
    new_start_date: dt.date | None = None,
    new_end_date: dt.date | None = None,
    new_city_grant: Decimal | None = None,
    new_self_raised: Decimal | None = None,
    new_pi_name: str = "",
    new_pi_mobile: str = "",
    effective_on: dt.date | None = None,
) -> ChangeRequest:
    _require(user, "projects.add_changerequest")
    locked = _lock(project)
    require_project_filer(project=locked, user=user)
    if locked.state not in {State.APPROVED, State.EXECUTING, State.SUSPENDED}:
        raise ValidationError({"kind": "只有已立项、执行中或暂停的项目可以申请变更。"})
    request = ChangeRequest(
        project=locked,
        kind=kind,
        reason=reason,
        new_start_date=new_start_date,
        new_end_date=new_end_date,
        new_city_grant=new_city_grant,
        new_self_raised=new_self_raised,
        new_pi_name=new_pi_name.strip(),
        new_pi_mobile=new_pi_mobile.strip(),
    )
    request.full_clean()
    errors: dict[str, str] = {}
    if kind == ChangeRequest.Kind.DATES:
        start = new_start_date or locked.start_date
        if not new_start_date and not new_end_date:
            errors["new_end_date"] = "期限变更须填写新的起始或结束日期。"
        elif new_end_date and new_end_date < start:
            errors["new_end_date"] = "新结束日期不能早于起始日期。"
    elif kind == ChangeRequest.Kind.BUDGET:
        if locked.lump_sum:
            errors["kind"] = "包干制项目不办理经费预算调整。"
        elif new_city_grant is None and new_self_raised is None:
            errors["new_city_grant"] = "经费变更须填写新的市级资金或自筹资金。"
        elif new_city_grant is not None and new_city_grant < paid_total(locked):
            errors["new_city_grant"] = f"新市级资金不能少于已拨付的 {paid_total(locked)} 元。"
    elif kind == ChangeRequest.Kind.LEADER:
        if not request.new_pi_name:
            errors["new_pi_name"] = "负责人变更须填写新负责人。"
        try:
            request.new_pi_mobile = validate_mobile(request.new_pi_mobile)
        except IdentifierError as error:
            errors["new_pi_mobile"] = str(error)
    if locked.change_requests.filter(kind=kind, decision=ChangeRequest.Decision.PENDING).exists():
        errors["kind"] = "该类型已有待审批的变更申请。"
    if errors:
        raise ValidationError(errors)
    request.save()
    record_created(record=request, actor=user, comment=reason, effective_on=effective_on)
    _step(
        project=locked,
        action="change_request",
        label=f"提出{request.get_kind_display()}变更",
        user=user,
        comment=reason,
        effective_on=effective_on,
    )
    return request


def change_request_decide(
    *,
    change_request: ChangeRequest,
    user,
    approve: bool,
    comment: str = "",
    effective_on: dt.date | None = None,
) -> ChangeRequest:
    """Approve (the project takes the new dates, money or leader) or refuse a 变更 request through the
    one engine (projects.workflow, the change-request flow). `effective_on`: the day of the decision, when
    it is entered after the fact (default today)."""
    apply_transition(
        record=change_request,
        action="approve" if approve else "refuse",
        actor=user,
        comment=comment.strip(),
        effective_on=effective_on,
    )
    return change_request


# -------------------------------------------------------------------------------------------- attachments


def attachment_max_bytes() -> int:
    return parameters.value("project_attachment_max_bytes")


# What a unit files for its running project (the 申报书, 任务书 and 绩效评估报告 are the offices').
UNIT_FILED_KINDS = frozenset(
    {Attachment.Kind.ANNUAL, Attachment.Kind.MIDTERM, Attachment.Kind.CHANGE, Attachment.Kind.ACCEPTANCE}
)


def is_project_filer(*, project: Project, user) -> bool:
    """A unit account files for a project of its own unit: the administrator for every one, a 项目负责人
    for the project that came from their own online application."""
    unit_id = unit_id_of_user(user)
    if unit_id is None or unit_id != project.applicant_id:
        return False
    if user.has_perm("accounts.see_whole_unit"):
        return True
    from kejiju.applications.models import Application

    return Application.objects.filter(project_id=project.pk, leader_id=user.pk).exists()


def require_project_filer(*, project: Project, user) -> None:
    """Unit accounts file only for their own projects while these run; staff are not concerned."""
    if unit_id_of_user(user) is None:
        return
    if not is_project_filer(project=project, user=user):
        raise PermissionDenied("只有本单位管理员或该项目的负责人可以报送。")
    if project.state not in rules.UNIT_FILING_STATES:
        raise PermissionDenied(f"项目当前状态为“{project.get_state_display()}”，不能报送执行材料。")


def may_upload(*, project: Project, user, kind: str) -> bool:
    """Those who run the projects upload any kind while the project is not archived; a unit files its
    running project's 年报, 中期, 变更 and 验收 material; whoever else may add attachments only the 申报书 of
    an application of their county before 受理."""
    if not user.has_perm("projects.add_attachment"):
        return False
    if unit_id_of_user(user) is not None:
        return (
            kind in UNIT_FILED_KINDS
            and project.state in rules.UNIT_FILING_STATES
            and is_project_filer(project=project, user=user)
        )
    if not user_may_see_region(user, project.region_id):
        return False
    if user.has_perm("projects.manage_project"):
        return project.state != State.ARCHIVED
    return project.state == State.SUBMITTED and kind == Attachment.Kind.APPLICATION


@uploads.atomic()
def attachment_create(*, project: Project, user, kind: str, upload) -> Attachment:
    """Store an uploaded file under a generated name (never the client's) after checking its extension,
    its first bytes and its size."""
    if kind not in Attachment.Kind.values:
        raise ValidationError({"kind": "请选择附件类型。"})
    if not may_upload(project=project, user=user, kind=kind):
        raise PermissionDenied("当前状态下无权上传该类附件。")
    original = uploads.display_name(uploads.upload_original_name(upload))
    size = upload.size or 0
    upload.seek(0)
    head = upload.read(16)
    problem = rules.attachment_problem(
        filename=original, head=head, size=size, max_bytes=attachment_max_bytes(), upload=upload
    )
    if problem:
        raise ValidationError({"file": problem})
    upload.seek(0)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    extension = rules.attachment_extension(original)
    attachment = Attachment(
        project=project,
        kind=kind,
        original_name=original,
        size=size,
        content_type=rules.CONTENT_TYPES[extension],
        sha256=digest.hexdigest(),
        uploaded_by=user,
    )
    uploads.store(
        attachment.file, upload if hasattr(upload, "chunks") else ContentFile(upload.read(), original)
    )
    attachment.full_clean()
    attachment.save()
    _step(
        project=project,
        action="attachment",
        label=f"上传{attachment.get_kind_display()}",
        user=user,
        comment=original,
    )
    return attachment


@transaction.atomic
def attachment_delete(*, attachment: Attachment, user) -> None:
    _require(user, "projects.delete_attachment")
    project = attachment.project
    if project.state == State.ARCHIVED:
        raise ValidationError({"file": "已归档项目的附件不能删除。"})
    label = str(attachment)
    uploads.delete_on_commit(attachment.file)
    attachment.delete()
    _step(project=project, action="attachment_delete", label=f"删除附件：{label}", user=user)


# ------------------------------------------------------------------------------------------ 省校合作


COOPERATION_UNIQUE = Unique(
    key="projects.cooperation_title",
    model="projects.CooperationProject",
    fields=("task_year", "kind", "title"),
    label="省校合作项目：同一任务年度、同一类型、同一项目名称",
)
declare_invariants(COOPERATION_UNIQUE)


@transaction.atomic
def cooperation_project_save(*, project: CooperationProject, user) -> CooperationProject:
    """Save a 省校合作 project; its step dates keep their order (rules.COOPERATION_DATES)."""
    _require_save(user, project)
    project.title = " ".join(project.title.split())
    require_unique(
        COOPERATION_UNIQUE,
        existing=CooperationProject.objects.filter(
            task_year=project.task_year, kind=project.kind, title=project.title
        ).exclude(pk=project.pk),
        field="title",
    )
    require_record_dates(
        rules.COOPERATION_DATES, record=project, reached=rules.COOPERATION_REACHED, state=project.state
    )
    return _save(project)


# ------------------------------------------------------------------------ 职务科技成果赋权 pilot

APPROVAL_FILE_TYPES = ("pdf", "doc", "docx", "wps", "png", "jpg", "jpeg")


@transaction.atomic
def ownership_pilot_save(*, pilot: OwnershipPilot, user) -> OwnershipPilot:
    _require_save(user, pilot)
    return _save(pilot)


@transaction.atomic
def achievement_save(*, achievement: Achievement, user) -> Achievement:
    _require_save(user, achievement)
    achievement.number = achievement.number.strip()
    return _save(achievement)


@uploads.atomic()
def ownership_grant_save(*, grant: OwnershipGrant, user, upload=None) -> OwnershipGrant:
    """Record or edit a grant to the research team: the share (所有权, 0–100%, and with the achievement's
    other 所有权 grants at most 100%: rules.OWNERSHIP_SHARE) or the years (长期使用权); the date follows
    the unit's joining the pilot and is not after today; an edited date may not fall after a recorded
    transfer. The approval document is checked like every upload and stored under a generated name."""
    _require_save(user, grant)
    problems = rules.grant_problems(mode=grant.mode, share_percent=grant.share_percent, years=grant.years)
    if problems:
        raise ValidationError(problems)
    # The achievement's row is locked so that two grants saved at once cannot both take the remaining share.
    achievement = Achievement.objects.select_for_update().select_related("pilot").get(pk=grant.achievement_id)
    if grant.mode == rules.GrantMode.OWNERSHIP:
        require_share(
            rules.OWNERSHIP_SHARE,
            value=grant.share_percent,
            others=OwnershipGrant.objects.filter(achievement=achievement, mode=rules.GrantMode.OWNERSHIP)
            .exclude(pk=grant.pk)
            .select_related("achievement")
            .order_by("granted_on", "pk"),
        )
    pilot = achievement.pilot
    require_date_order(
        rules.OWNERSHIP_DATES["grant"],
        date=grant.granted_on,
        extra={"pilot_joined_on": ("成果所属单位纳入试点日期", pilot.joined_on)},
    )
    if grant.pk:
        first = grant.transfers.order_by("transferred_on").first()
        problem = first and rules.transfer_date_problem(
            transferred_on=first.transferred_on, granted_on=grant.granted_on
        )
        if problem:
            raise ValidationError({"granted_on": f"已登记的转化“{first}”：{problem}"})
    if upload is not None:
        original = uploads.display_name(uploads.upload_original_name(upload))
        problem = uploads.upload_problem(
            filename=original,
            head=uploads.upload_head(upload),
            size=upload.size or 0,
            max_bytes=attachment_max_bytes(),
            allowed=APPROVAL_FILE_TYPES,
            upload=upload,
        )
        if problem:
            raise ValidationError({"approval_file": problem})
        uploads.delete_on_commit(grant.approval_file)
        uploads.store(grant.approval_file, upload)
        grant.approval_file_name = original
    return _save(grant)


@transaction.atomic
def achievement_transfer_save(*, transfer: AchievementTransfer, user) -> AchievementTransfer:
    """Record a transfer or licence of a granted achievement; it cannot predate the grant, nor be dated
    after today; a grant's ownership passes to an enterprise (转让 or 作价入股) once."""
    _require_save(user, transfer)
    # The grant's row is locked so that two transfers saved at once cannot both pass its ownership.
    grant = OwnershipGrant.objects.select_for_update().get(pk=transfer.grant_id)
    if transfer.mode in rules.OWNERSHIP_PASSING_MODES:
        require_unique(
            rules.OWNERSHIP_PASSED_ONCE,
            existing=AchievementTransfer.objects.filter(grant=grant, mode__in=rules.OWNERSHIP_PASSING_MODES)
            .exclude(pk=transfer.pk)
            .select_related("grant__achievement", "enterprise")
            .order_by("transferred_on", "pk"),
            field="mode",
        )
    require_date_order(rules.OWNERSHIP_DATES["transfer"], date=transfer.transferred_on, record=grant)
    return _save(transfer)
