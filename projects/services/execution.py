"""What a running project files: annual reports, 中期检查 and 变更 requests with their decision."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from kejiju.core.dates import require_date_order
from kejiju.core.identifiers import IdentifierError, validate_mobile
from kejiju.core.workflow.services import apply_transition, record_created

from .. import rules
from ..models import (
    AnnualReport,
    ChangeRequest,
    MidtermCheck,
    Project,
)
from ..rules import RUNNING_STATES, State
from .attachments import require_project_filer
from .common import _lock, _require, _save, _step
from .funding import _dates, paid_total

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
