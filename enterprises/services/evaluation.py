"""科技型中小企业评价: an enterprise's figures scored by the rules, 企业填报, the 入库登记编号 and the steps
of the evaluation's flow."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction

from kejiju.accounts.models import Region
from kejiju.core.dates import require_date_order
from kejiju.core.models import AuditEvent
from kejiju.core.scoping import unit_id_of_user
from kejiju.core.services import audit_event_record
from kejiju.core.workflow.services import apply_transition, record_created

from .. import dates, rules
from ..industries import is_restricted
from ..models import Enterprise, EnterpriseYear, SmesEvaluation
from ..selectors import integrity_finding, valid_certificates
from .enterprises import _check_enterprise, _today


def to_rule_figures(row: EnterpriseYear | None) -> rules.YearlyFigures:
    if row is None:
        return rules.YearlyFigures()
    return rules.YearlyFigures(
        employees=row.employees,
        tech_staff=row.tech_staff,
        revenue=row.revenue,
        total_assets=row.total_assets,
        rd_expense=row.rd_expense,
        total_cost=row.total_cost,
        ip_class1=row.ip_class1,
        ip_class2=row.ip_class2,
        high_tech_revenue=row.high_tech_revenue,
        total_income=row.total_income,
    )


def enterprise_flags(enterprise: Enterprise, *, on: date) -> rules.EnterpriseFlags:
    """The flags of `enterprise` on `on`; the 科研诚信 惩戒 is the one in force today (the day the step is
    taken or the page read), as the steps' own integrity rules check it."""
    has_certificate = valid_certificates(on).filter(enterprise=enterprise).exists()
    return rules.EnterpriseFlags(
        clean_record=enterprise.clean_record,
        integrity=integrity_finding(enterprise),
        industry_restricted=is_restricted(enterprise.industry_section, enterprise.industry_code),
        has_valid_gaoqi_certificate=has_certificate,
        national_award_top3=enterprise.national_award_top3,
        provincial_rd_centre=enterprise.provincial_rd_centre,
        led_standard=enterprise.led_standard,
    )


def smes_evaluate(
    enterprise: Enterprise, *, year: int, on: date
) -> tuple[rules.SmesEvaluation, EnterpriseYear | None]:
    """The rules' evaluation for `year`, from the previous accounting year's figures."""
    row = EnterpriseYear.objects.filter(enterprise=enterprise, year=year - 1).first()
    return rules.evaluate_smes(to_rule_figures(row), enterprise_flags(enterprise, on=on)), row


# ---------------------------------------------------------------------------------------- 科小 evaluation


def _store_score(evaluation: SmesEvaluation, result: rules.SmesEvaluation) -> None:
    evaluation.tech_staff_points = result.tech_staff.points
    evaluation.rd_points = result.rd.points
    evaluation.rd_option = result.rd_option
    evaluation.ip_points = result.ip.points
    evaluation.total_score = result.total
    evaluation.direct_route = result.direct_route.value if result.direct_route else ""
    evaluation.passed = result.passed


@transaction.atomic
def smes_evaluation_create(
    *, enterprise: Enterprise, year: int, actor, submitted_on: date | None = None, request=None
) -> SmesEvaluation:
    """企业填报: record the evaluation for `year`, scored from the previous year's figures (entered by the
    county office, or filed online by the enterprise's own administrator, dated the day it is sent)."""
    _check_enterprise(actor, enterprise)
    if unit_id_of_user(actor) is not None:
        submitted_on = _today()
    submitted_on = submitted_on or _today()
    require_date_order(dates.SMES_CREATE_DATES["submit"], date=submitted_on)
    if not enterprise.is_active:
        raise ValidationError({"enterprise": "该企业已停用，不能参加评价。"})
    if SmesEvaluation.objects.filter(enterprise=enterprise, year=year).exists():
        raise ValidationError({"year": f"该企业{year}年已有评价记录（撤销的登记编号当年不能再次评价）。"})
    result, row = smes_evaluate(enterprise, year=year, on=submitted_on)
    if row is None:
        raise ValidationError({"year": f"请先填报该企业{year - 1}年度数据（评价使用上一会计年度数据）。"})
    evaluation = SmesEvaluation(
        enterprise=enterprise, year=year, submitted_on=submitted_on, figures_year=year - 1
    )
    _store_score(evaluation, result)
    evaluation.full_clean()
    evaluation.save()
    record_created(
        record=evaluation,
        actor=actor,
        effective_on=submitted_on,
        comment=f"综合得分{evaluation.total_score}分",
        data={"total_score": evaluation.total_score},
    )
    audit_event_record(
        event_type=AuditEvent.Type.TRANSITION,
        user=actor,
        request=request,
        object_repr=str(evaluation)[:255],
        detail=f"企业填报：{evaluation.get_state_display()}",
    )
    return evaluation


def _area_code(region: Region) -> str:
    node = region
    while node is not None:
        if node.gb2260_code:
            return node.gb2260_code
        node = node.parent
    return "000000"


def _next_registration_number(evaluation: SmesEvaluation) -> str:
    enterprise = evaluation.enterprise
    area = _area_code(enterprise.region)
    marker = dates.smes_marker(
        year=evaluation.year, submitted_on=evaluation.submitted_on, established_on=enterprise.established_on
    )
    prefix = f"{evaluation.year:04d}{area}"
    last = (
        SmesEvaluation.objects.select_for_update()
        .filter(registration_number__startswith=prefix)
        .order_by("-registration_number")
        .values_list("registration_number", flat=True)
    )
    serials = [int(number[11:]) for number in last if number[11:].isdigit()]
    serial = max(serials, default=0) + 1
    return dates.smes_registration_number(year=evaluation.year, area_code=area, marker=marker, serial=serial)


def smes_transition(
    *,
    evaluation: SmesEvaluation,
    action: str,
    actor,
    comment: str = "",
    on: date | None = None,
    request=None,
) -> SmesEvaluation:
    """Move an evaluation along its flow (workflow.SMES_WORKFLOW); `on` is the step's date (today if
    not given: the 公示 start for start_publicity)."""
    apply_transition(
        record=evaluation, action=action, actor=actor, effective_on=on or _today(), comment=comment.strip()
    )
    return evaluation


def smes_bulk_transition(
    *, evaluations, action: str, actor, comment: str = "", on: date | None = None, request=None
) -> int:
    """The same action on several evaluations, all or nothing."""
    with transaction.atomic():
        count = 0
        for evaluation in evaluations:
            smes_transition(
                evaluation=evaluation, action=action, actor=actor, comment=comment, on=on, request=request
            )
            count += 1
    return count
