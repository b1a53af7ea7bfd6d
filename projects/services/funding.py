"""A project's money: budget lines and disbursements (拨付) of city money."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum

from kejiju.core.dates import require_date_order
from kejiju.integrity.checks import person_bar, unit_bar

from .. import rules
from ..models import (
    BudgetLine,
    Disbursement,
    Project,
)
from .common import _lock, _require, _step


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
