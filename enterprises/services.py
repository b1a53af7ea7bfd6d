"""Every write of the enterprises app: keyword-only, typed, atomic, validated first."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.html import format_html

from kejiju.accounts.models import Region
from kejiju.core.dates import date_order_problem, require_date_order
from kejiju.core.identifiers import IdentifierError, validate_gaoqi_certificate, validate_uscc
from kejiju.core.invariants import Unique, declare_invariants, require_unique
from kejiju.core.models import AuditEvent, Organization
from kejiju.core.scoping import unit_id_of_user, user_may_see_region
from kejiju.core.services import audit_event_record, normalise_organization_name, organization_save
from kejiju.core.workflow.services import apply_transition, record_created

from . import rules, workflow
from .industries import SECTION_NAMES, is_restricted, section_of_code
from .models import (
    REWARD_CAP,
    DoublingTarget,
    Enterprise,
    EnterpriseYear,
    GaoqiCertificate,
    InnovationAssessment,
    PoolEntry,
    Reward,
    RewardTier,
    SmesEvaluation,
)
from .selectors import gaoqi_valid_by_region

SHANXI = "14"

ENTERPRISE_FIELDS = (
    "name",
    "region",
    "industry_section",
    "industry_code",
    "established_on",
    "address",
    "contact_person",
    "contact_phone",
    "clean_record",
    "national_award_top3",
    "provincial_rd_centre",
    "led_standard",
)
FIGURE_FIELDS = (
    "employees",
    "tech_staff",
    "revenue",
    "total_income",
    "high_tech_revenue",
    "total_assets",
    "rd_expense",
    "rd_expense_in_china",
    "total_cost",
    "ip_class1",
    "ip_class2",
)


def _today() -> date:
    return timezone.localdate()


def _check_region(user, region_id: int | None) -> None:
    if user is not None and not user_may_see_region(user, region_id):
        raise PermissionDenied("不能操作其他县区的企业。")


def _check_enterprise(user, enterprise: Enterprise) -> None:
    """Staff act within their county; a unit's administrator only on its own enterprise (what it files
    for itself: the 信息表, the 科小 evaluation, the 培育库 application)."""
    unit_id = unit_id_of_user(user) if user is not None else None
    if unit_id is None:
        _check_region(user, enterprise.region_id)
    elif enterprise.organization_id != unit_id:
        raise PermissionDenied("只能办理本单位企业的事项。")


# ------------------------------------------------------------------------------------------- enterprises


def uscc_clean(
    *, uscc: Any, override: bool = False, override_reason: str = "", actor=None, exclude_pk: int | None = None
) -> tuple[str, bool]:
    """Validate a USCC for an enterprise: the normal form and whether the check-character override is used.

    A code failing only its check character may be kept by a user holding `enterprises.override_uscc`, with
    a reason. A code used by another enterprise is refused with a link to it.
    """
    try:
        code = validate_uscc(uscc)
        overridden = False
    except IdentifierError as error:
        try:
            code = validate_uscc(uscc, allow_check_mismatch=True)
        except IdentifierError:
            raise ValidationError({"uscc": str(error)}) from None
        if not override:
            raise ValidationError(
                {"uscc": f"{error}如确为早期试点代码，局业务人员可勾选“校验码例外”并填写理由后保存。"}
            ) from None
        if actor is None or not actor.has_perm("enterprises.override_uscc"):
            raise ValidationError({"uscc": "只有局业务人员可以接受未通过校验的早期试点代码。"}) from None
        if not override_reason.strip():
            raise ValidationError({"uscc_override_reason": "使用校验码例外时必须填写理由。"}) from None
        overridden = True
    duplicate = Enterprise.objects.filter(uscc=code).exclude(pk=exclude_pk).first()
    if duplicate is not None and actor is not None and not user_may_see_region(actor, duplicate.region_id):
        raise ValidationError(
            {"uscc": "该统一社会信用代码已由其他县区登记，不能重复登记；如需迁移请联系市局。"}
        )
    if duplicate is not None:
        raise ValidationError(
            {
                "uscc": format_html(
                    '该统一社会信用代码已登记为<a href="{}">{}</a>，不能重复登记。',
                    duplicate.get_absolute_url(),
                    duplicate.name,
                )
            }
        )
    return code, overridden


def _industry_clean(section: str, code: str) -> None:
    if section not in SECTION_NAMES:
        raise ValidationError({"industry_section": "请选择 GB/T 4754-2017 行业门类。"})
    if code:
        if not (code.isdigit() and len(code) == 4):
            raise ValidationError({"industry_code": "行业代码应为 GB/T 4754-2017 的4位小类代码。"})
        if section_of_code(code) != section:
            raise ValidationError(
                {"industry_code": f"行业代码 {code} 不属于门类 {section}（{SECTION_NAMES[section]}）。"}
            )


def _sync_organization(enterprise: Enterprise) -> None:
    organization = enterprise.organization
    organization.name = enterprise.name
    organization.uscc = enterprise.uscc
    organization.region = enterprise.region
    organization.kind = Organization.Kind.ENTERPRISE
    organization.is_active = enterprise.is_active
    # The enterprise's unit obeys the 单位库's rules (no second unit of the same name or code); the code
    # was checked by uscc_clean, with its audited checksum exception.
    organization_save(organization=organization, uscc_checked=True)


def _organization_for(*, uscc: str, name: str, region: Region) -> Organization:
    """The unit with this USCC when another app created it already, else a new one."""
    organization = Organization.objects.filter(uscc=uscc).first()
    if organization is not None:
        if hasattr(organization, "enterprise"):
            raise ValidationError({"uscc": "该统一社会信用代码已关联其他企业。"})
        return organization
    # A unit recorded by name only (an expert's employer, a platform's host unit) gets its code now.
    namesake = (
        Organization.objects.filter(
            name=name, uscc="", kind=Organization.Kind.ENTERPRISE, enterprise__isnull=True
        )
        .order_by("pk")
        .first()
    )
    if namesake is not None:
        namesake.uscc = uscc
        return namesake
    return Organization(name=name, uscc=uscc, region=region, kind=Organization.Kind.ENTERPRISE)


@transaction.atomic
def enterprise_create(
    *,
    actor,
    name: str,
    uscc: Any,
    region: Region,
    industry_section: str,
    industry_code: str = "",
    established_on: date | None = None,
    address: str = "",
    contact_person: str = "",
    contact_phone: str = "",
    clean_record: bool = True,
    national_award_top3: bool = False,
    provincial_rd_centre: bool = False,
    led_standard: bool = False,
    uscc_override: bool = False,
    uscc_override_reason: str = "",
    request=None,
) -> Enterprise:
    _check_region(actor, region.pk if region else None)
    name = normalise_organization_name(name)
    if not name:
        raise ValidationError({"name": "企业名称不能为空。"})
    code, overridden = uscc_clean(
        uscc=uscc, override=uscc_override, override_reason=uscc_override_reason, actor=actor
    )
    _industry_clean(industry_section, industry_code)
    organization = _organization_for(uscc=code, name=name, region=region)
    enterprise = Enterprise(
        name=name,
        uscc=code,
        uscc_override=overridden,
        uscc_override_reason=uscc_override_reason.strip() if overridden else "",
        region=region,
        industry_section=industry_section,
        industry_code=industry_code,
        established_on=established_on,
        address=address,
        contact_person=contact_person,
        contact_phone=contact_phone,
        clean_record=clean_record,
        national_award_top3=national_award_top3,
        provincial_rd_centre=provincial_rd_centre,
        led_standard=led_standard,
        organization=organization,
    )
    organization.name, organization.region = name, region
    organization_save(organization=organization, uscc_checked=True)
    enterprise.organization = organization
    enterprise.full_clean()
    enterprise.save()
    if overridden:
        audit_event_record(
            event_type=AuditEvent.Type.TRANSITION,
            user=actor,
            request=request,
            object_repr=f"{enterprise} {code}"[:255],
            detail=f"统一社会信用代码校验码例外：{enterprise.uscc_override_reason}",
        )
    return enterprise


@transaction.atomic
def enterprise_update(
    *,
    enterprise: Enterprise,
    actor,
    uscc: Any,
    uscc_override: bool = False,
    uscc_override_reason: str = "",
    request=None,
    **fields: Any,
) -> Enterprise:
    enterprise = Enterprise.objects.select_for_update().get(pk=enterprise.pk)
    _check_region(actor, enterprise.region_id)
    unknown = set(fields) - set(ENTERPRISE_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    if "region" in fields:
        _check_region(actor, fields["region"].pk if fields["region"] else None)
    was_overridden = enterprise.uscc_override and enterprise.uscc == str(uscc).strip().upper()
    code, overridden = uscc_clean(
        uscc=uscc,
        override=uscc_override or was_overridden,
        override_reason=uscc_override_reason or enterprise.uscc_override_reason,
        actor=actor if not was_overridden else _Anyone(),
        exclude_pk=enterprise.pk,
    )
    _industry_clean(
        fields.get("industry_section", enterprise.industry_section),
        fields.get("industry_code", enterprise.industry_code),
    )
    for key, value in fields.items():
        setattr(enterprise, key, value.strip() if isinstance(value, str) else value)
    enterprise.name = normalise_organization_name(enterprise.name)
    newly_overridden = overridden and not was_overridden
    enterprise.uscc = code
    enterprise.uscc_override = overridden
    enterprise.uscc_override_reason = (
        (uscc_override_reason or enterprise.uscc_override_reason) if overridden else ""
    )
    enterprise.full_clean()
    enterprise.save()
    _sync_organization(enterprise)
    if newly_overridden:
        audit_event_record(
            event_type=AuditEvent.Type.TRANSITION,
            user=actor,
            request=request,
            object_repr=f"{enterprise} {code}"[:255],
            detail=f"统一社会信用代码校验码例外：{enterprise.uscc_override_reason}",
        )
    return enterprise


class _Anyone:
    """Keeps an override already granted: editing other fields does not need the override permission."""

    def has_perm(self, perm: str) -> bool:
        return True


@transaction.atomic
def enterprise_set_active(
    *, enterprise: Enterprise, active: bool, actor, reason: str = "", request=None
) -> Enterprise:
    enterprise = Enterprise.objects.select_for_update().get(pk=enterprise.pk)
    _check_region(actor, enterprise.region_id)
    if not active and not reason.strip():
        raise ValidationError({"reason": "停用企业须填写原因。"})
    enterprise.is_active = active
    enterprise.full_clean()
    enterprise.save()
    _sync_organization(enterprise)
    audit_event_record(
        event_type=AuditEvent.Type.TRANSITION,
        user=actor,
        request=request,
        object_repr=str(enterprise)[:255],
        detail=("启用企业" if active else f"停用企业：{reason.strip()}"),
    )
    return enterprise


# ----------------------------------------------------------------------------------------- yearly figures


def figures_clean(values: dict[str, Any]) -> None:
    """Cross-field checks of one year's figures (each raises with the field named)."""
    employees, tech_staff = values.get("employees"), values.get("tech_staff")
    if employees is not None and tech_staff is not None and tech_staff > employees:
        raise ValidationError({"tech_staff": "科技人员数不能大于职工总数。"})
    for name in FIGURE_FIELDS:
        value = values.get(name)
        if value is not None and value < 0:
            raise ValidationError({name: "数值不能为负数。"})
    rd, in_china = values.get("rd_expense"), values.get("rd_expense_in_china")
    if rd is not None and in_china is not None and in_china > rd:
        raise ValidationError({"rd_expense_in_china": "境内研发费用不能大于研发费用总额。"})
    high_tech = values.get("high_tech_revenue")
    income = values.get("total_income") if values.get("total_income") is not None else values.get("revenue")
    if high_tech is not None and income is not None and high_tech > income:
        raise ValidationError({"high_tech_revenue": "高新技术产品（服务）收入不能大于总收入。"})


@transaction.atomic
def figures_save(*, enterprise: Enterprise, year: int, actor, **values: Any) -> EnterpriseYear:
    """Create or replace one year's figures of an enterprise. The enterprise itself may not change a year
    that an evaluation under way was scored from (returned to it, it may)."""
    _check_enterprise(actor, enterprise)
    if unit_id_of_user(actor) is not None:
        used = SmesEvaluation.objects.filter(enterprise=enterprise, figures_year=year).exclude(
            state=SmesEvaluation.State.RETURNED
        )
        if used.exists():
            raise ValidationError(
                {"year": f"{year}年度数据已用于科技型中小企业评价，如需更正请联系县区科技局退回评价。"}
            )
    unknown = set(values) - set(FIGURE_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    figures_clean(values)
    row = EnterpriseYear.objects.filter(enterprise=enterprise, year=year).first() or EnterpriseYear(
        enterprise=enterprise, year=year
    )
    for key, value in values.items():
        setattr(row, key, value)
    row.full_clean()
    row.save()
    return row


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
    from .selectors import integrity_finding, valid_certificates

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
    require_date_order(workflow.SMES_CREATE_DATES["submit"], date=submitted_on)
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
    marker = workflow.smes_marker(
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
    return workflow.smes_registration_number(
        year=evaluation.year, area_code=area, marker=marker, serial=serial
    )


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


# ---------------------------------------------------------------------------------------- 高企 pool


POOL_CERTIFIED_UNIQUE = Unique(
    key="enterprises.pool_not_certified",
    model="enterprises.PoolEntry",
    fields=("enterprise",),
    label="高企培育库：同一企业",
    when="该企业已认定为高新技术企业且证书在有效期内，无需再推荐入库",
)
declare_invariants(POOL_CERTIFIED_UNIQUE)


@transaction.atomic
def pool_recommend(
    *, enterprise: Enterprise, actor, recommendation: str = "", on: date | None = None, request=None
) -> PoolEntry:
    """县区推荐: the county office puts an enterprise forward for the bureau's 入库."""
    _check_region(actor, enterprise.region_id)
    if actor is not None and not actor.has_perm("enterprises.recommend_poolentry"):
        raise PermissionDenied("无权推荐企业入库。")
    return _pool_entry_open(
        enterprise=enterprise,
        actor=actor,
        state=PoolEntry.State.RECOMMENDED,
        text=recommendation,
        on=on,
        request=request,
    )


@transaction.atomic
def pool_request(*, enterprise: Enterprise, actor, reason: str, request=None) -> PoolEntry:
    """企业申请: the enterprise's administrator applies online; its county office then recommends it (or
    not) and the bureau's 入库 follows as for any recommended enterprise."""
    _check_enterprise(actor, enterprise)
    if not actor.has_perm("enterprises.request_poolentry"):
        raise PermissionDenied("无权申请进入高企培育库。")
    if not reason.strip():
        raise ValidationError({"reason": "请填写申请理由。"})
    return _pool_entry_open(
        enterprise=enterprise,
        actor=actor,
        state=PoolEntry.State.REQUESTED,
        text=reason,
        on=None,
        request=request,
        step=("request", "企业申请"),
    )


def _pool_entry_open(
    *,
    enterprise: Enterprise,
    actor,
    state: str,
    text: str,
    on: date | None,
    request,
    step: tuple[str, str] | None = None,
) -> PoolEntry:
    """One way into the 培育库: an active enterprise without an open entry or a valid 高企 certificate."""
    if not enterprise.is_active:
        raise ValidationError({"enterprise": "该企业已停用。"})
    if PoolEntry.objects.filter(enterprise=enterprise, state__in=PoolEntry.OPEN_STATES).exists():
        raise ValidationError({"enterprise": "该企业已在高企培育库中（或申请、推荐待审）。"})
    require_date_order(workflow.POOL_CREATE_DATES["recommend"], date=on)
    day = on or _today()
    require_unique(
        POOL_CERTIFIED_UNIQUE,
        existing=GaoqiCertificate.objects.filter(
            Q(revoked_on__isnull=True) | Q(revoked_on__gt=day),
            enterprise=enterprise,
            issued_on__lte=day,
            expires_on__gte=day,
        ).order_by("-expires_on"),
    )
    entry = PoolEntry(enterprise=enterprise, state=state, recommended_on=day, recommendation=text.strip())
    entry.full_clean()
    try:
        with transaction.atomic():
            entry.save()
    except IntegrityError:
        raise ValidationError({"enterprise": "该企业已在高企培育库中（或申请、推荐待审）。"}) from None
    record_created(
        record=entry, actor=actor, effective_on=entry.recommended_on, comment=text.strip(), step=step
    )
    audit_event_record(
        event_type=AuditEvent.Type.TRANSITION,
        user=actor,
        request=request,
        object_repr=str(entry)[:255],
        detail=f"{(step or ('', '县区推荐'))[1]}：{entry.get_state_display()}",
    )
    return entry


def pool_innovation_assess(
    *,
    entry: PoolEntry,
    actor,
    assessed_on: date | None = None,
    scores: dict[str, int | None],
    note: str = "",
    request=None,
) -> InnovationAssessment:
    """Record the bureau's 企业创新能力评价 of an enterprise in the 培育库: the four parts' scores (the
    total is their sum), the day it was made (not before the recommendation, not in the future)."""
    _check_region(actor, entry.enterprise.region_id)
    if actor is not None and not actor.has_perm("enterprises.admit_poolentry"):
        raise PermissionDenied("无权录入企业创新能力评价。")
    if entry.state not in PoolEntry.OPEN_STATES:
        raise ValidationError(
            {"assessed_on": f"该企业在培育库中为“{entry.get_state_display()}”，不能再录入创新能力评价。"}
        )
    problems = rules.innovation_problems(scores)
    if problems:
        raise ValidationError(problems)
    assessed_on = assessed_on or _today()
    require_date_order(workflow.ASSESSMENT_DATES["assess"], date=assessed_on, record=entry)
    assessment = InnovationAssessment(
        entry=entry,
        assessed_on=assessed_on,
        note=note.strip(),
        recorded_by=actor,
        **{part.key: scores[part.key] for part in rules.INNOVATION_PARTS},
    )
    assessment.full_clean()
    assessment.save()
    audit_event_record(
        event_type=AuditEvent.Type.TRANSITION,
        user=actor,
        request=request,
        object_repr=str(entry)[:255],
        detail=f"企业创新能力评价：{assessment.total}分（{assessed_on:%Y-%m-%d}）",
    )
    return assessment


def pool_transition(
    *,
    entry: PoolEntry,
    action: str,
    actor,
    comment: str = "",
    year: int | None = None,
    on: date | None = None,
    request=None,
) -> PoolEntry:
    """Move a pool entry along its flow (workflow.POOL_WORKFLOW); `year` is the 入库/申报 year."""
    if action == "admit" and year is None:
        raise ValidationError({"year": "请填写入库年度。"})
    data = {"year": year} if year is not None else {}
    apply_transition(
        record=entry,
        action=action,
        actor=actor,
        effective_on=on or _today(),
        comment=comment.strip(),
        data=data,
    )
    return entry


# ------------------------------------------------------------------------------------- 高企 certificates


def _certificate_clean(number: Any, issued_on: date | None) -> str:
    try:
        code = validate_gaoqi_certificate(number, province_code=SHANXI, today=_today())
    except IdentifierError as error:
        raise ValidationError({"number": str(error)}) from None
    if issued_on is None:
        raise ValidationError({"issued_on": "请填写发证日期。"})
    if int(code[2:6]) != issued_on.year:
        raise ValidationError({"issued_on": f"发证日期的年份应与证书编号中的年份 {code[2:6]} 一致。"})
    return code


@transaction.atomic
def certificate_create(
    *, enterprise: Enterprise, number: Any, issued_on: date, actor, note: str = "", request=None
) -> GaoqiCertificate:
    _check_region(actor, enterprise.region_id)
    require_date_order(workflow.CERTIFICATE_DATES["issue"], date=issued_on)
    code = _certificate_clean(number, issued_on)
    if GaoqiCertificate.objects.filter(number=code).exists():
        raise ValidationError({"number": "该证书编号已登记。"})
    certificate = GaoqiCertificate(
        enterprise=enterprise,
        number=code,
        issued_on=issued_on,
        expires_on=workflow.certificate_expiry(issued_on),
        note=note,
    )
    certificate.full_clean()
    certificate.save()
    entry = PoolEntry.objects.filter(enterprise=enterprise, state__in=["admitted", "applied"]).first()
    # A certificate issued before the entry was admitted is history (an earlier certification), not the
    # outcome of this cultivation: the entry stays open.
    if (
        entry is not None
        and actor is not None
        and actor.has_perm("enterprises.admit_poolentry")
        and not date_order_problem(workflow.POOL_DATES["certify"], date=issued_on, record=entry)
    ):
        pool_transition(
            entry=entry,
            action="certify",
            actor=actor,
            comment=f"取得高企证书 {code}",
            on=issued_on,
            request=request,
        )
    return certificate


def _require_revocation_date(revoked_on: date | None, issued_on: date) -> None:
    """取消资格日期: not before the issue date, not in the future (a revocation is an act done)."""
    require_date_order(
        workflow.CERTIFICATE_DATES["revoke"],
        date=revoked_on,
        extra={"issued_on": ("发证日期", issued_on)},
    )


@transaction.atomic
def certificate_update(
    *,
    certificate: GaoqiCertificate,
    number: Any,
    issued_on: date,
    actor,
    revoked_on: date | None = None,
    note: str = "",
) -> GaoqiCertificate:
    """Correct a certificate; `revoked_on` is its 取消资格日期 (None: not revoked; clearing it undoes a
    revocation recorded by mistake). Every change is in the enterprise's history (the audit log)."""
    certificate = GaoqiCertificate.objects.select_for_update().get(pk=certificate.pk)
    _check_region(actor, certificate.enterprise.region_id)
    require_date_order(workflow.CERTIFICATE_DATES["issue"], date=issued_on)
    _require_revocation_date(revoked_on, issued_on)
    code = _certificate_clean(number, issued_on)
    if GaoqiCertificate.objects.filter(number=code).exclude(pk=certificate.pk).exists():
        raise ValidationError({"number": "该证书编号已登记。"})
    certificate.number, certificate.issued_on = code, issued_on
    certificate.expires_on = workflow.certificate_expiry(issued_on)
    certificate.revoked_on, certificate.note = revoked_on, note
    certificate.full_clean()
    certificate.save()
    return certificate


@transaction.atomic
def certificate_revoke(
    *, certificate: GaoqiCertificate, revoked_on: date, user, reason: str = ""
) -> GaoqiCertificate:
    """取消高企资格 on `revoked_on`: from that day the certificate no longer counts as valid (figures of
    earlier days keep it). The reason is kept in the certificate's note; the change is in the enterprise's
    history (the audit log)."""
    certificate = GaoqiCertificate.objects.select_for_update().get(pk=certificate.pk)
    _check_region(user, certificate.enterprise.region_id)
    if certificate.revoked_on is not None:
        raise ValidationError({"revoked_on": f"该证书已于{certificate.revoked_on:%Y年%m月%d日}取消资格。"})
    if revoked_on is None:
        raise ValidationError({"revoked_on": "请填写取消资格日期。"})
    _require_revocation_date(revoked_on, certificate.issued_on)
    certificate.revoked_on = revoked_on
    reason = reason.strip()
    if reason:
        certificate.note = (f"{certificate.note}；" if certificate.note else "") + f"取消资格：{reason}"
        certificate.note = certificate.note[:200]
    certificate.full_clean()
    certificate.save()
    return certificate


@transaction.atomic
def certificate_delete(*, certificate: GaoqiCertificate, actor) -> None:
    _check_region(actor, certificate.enterprise.region_id)
    if Reward.objects.filter(certificate=certificate).exists():
        raise ValidationError("该证书已用于计算奖励，不能删除；如资格被取消请编辑证书并填写取消资格日期。")
    certificate.delete()


# ------------------------------------------------------------------------------------ 倍增计划 and rewards


@transaction.atomic
def doubling_target_save(
    *, region: Region, year: int, target: int, actor, instance: DoublingTarget | None = None
) -> DoublingTarget:
    row = instance or DoublingTarget(region=region, year=year)
    row.region, row.year, row.target = region, year, target
    if DoublingTarget.objects.filter(region=region, year=year).exclude(pk=row.pk).exists():
        raise ValidationError({"year": f"{region}{year}年的目标已存在。"})
    base = gaoqi_valid_by_region(user=None, on=date(year - 1, 12, 31)).get(region.pk, 0)
    problem = rules.doubling_target_problem(target=target, base=base)
    if problem:
        raise ValidationError({"target": f"{region}{year}年：{problem}"})
    row.full_clean()
    row.save()
    return row


@transaction.atomic
def reward_tier_save(
    *,
    year: int,
    min_rd: Decimal,
    max_rd: Decimal | None,
    amount: Decimal,
    actor,
    instance: RewardTier | None = None,
) -> RewardTier:
    if amount > REWARD_CAP:
        raise ValidationError({"amount": f"奖励金额不能超过{REWARD_CAP:,.0f}元。"})
    if amount < 0 or min_rd < 0:
        raise ValidationError({"amount": "金额不能为负数。"})
    if max_rd is not None and max_rd <= min_rd:
        raise ValidationError({"max_rd": "上限必须大于下限。"})
    tier = instance or RewardTier()
    others = RewardTier.objects.filter(year=year).exclude(pk=tier.pk)
    for other in others:
        other_high = other.max_rd
        overlaps = (max_rd is None or other.min_rd < max_rd) and (other_high is None or min_rd < other_high)
        if overlaps:
            raise ValidationError({"min_rd": f"与已有档次“{other}”的区间重叠。"})
    tier.year, tier.min_rd, tier.max_rd, tier.amount = year, min_rd, max_rd, amount
    tier.full_clean()
    tier.save()
    return tier


def reward_amount(rd_expense: Decimal, tiers) -> Decimal:
    """The amount of the tier whose range holds `rd_expense` (0 when none), capped at 300,000 yuan."""
    for tier in tiers:
        if rd_expense >= tier.min_rd and (tier.max_rd is None or rd_expense < tier.max_rd):
            return min(tier.amount, REWARD_CAP)
    return Decimal(0)


@transaction.atomic
def rewards_compute(*, year: int, actor) -> int:
    """Compute the year's reward of each enterprise holding a 高企 certificate valid during the year, from
    that year's R&D expense. Approved or paid rewards are left as they are. Returns the rows written."""
    tiers = list(RewardTier.objects.filter(year=year).order_by("min_rd"))
    if not tiers:
        raise ValidationError({"year": f"请先设置{year}年的奖励档次。"})
    start, end = date(year, 1, 1), date(year, 12, 31)
    certificates = (
        GaoqiCertificate.objects.filter(
            Q(revoked_on__isnull=True) | Q(revoked_on__gt=start), issued_on__lte=end, expires_on__gte=start
        )
        .select_related("enterprise")
        .order_by("enterprise_id", "-issued_on")
    )
    figures = {
        row.enterprise_id: row
        for row in EnterpriseYear.objects.filter(year=year, enterprise__in=certificates.values("enterprise"))
    }
    existing = {reward.enterprise_id: reward for reward in Reward.objects.filter(year=year)}
    written = 0
    seen: set[int] = set()
    for certificate in certificates:
        enterprise_id = certificate.enterprise_id
        if enterprise_id in seen:
            continue
        seen.add(enterprise_id)
        row = figures.get(enterprise_id)
        if row is None or row.rd_expense is None:
            continue
        amount = reward_amount(row.rd_expense, tiers)
        reward = existing.get(enterprise_id)
        if reward is not None and reward.state != Reward.State.COMPUTED:
            continue
        if amount == 0:
            if reward is not None:
                reward.delete()
            continue
        created = reward is None
        reward = reward or Reward(enterprise_id=enterprise_id, year=year)
        reward.certificate, reward.rd_expense, reward.amount = certificate, row.rd_expense, amount
        reward.full_clean()
        reward.save()
        if created:
            record_created(record=reward, actor=actor, data={"amount": amount})
        written += 1
    return written


def reward_transition(
    *, reward: Reward, action: str, actor, on: date | None = None, voucher_no: str = ""
) -> Reward:
    """审核 or 发放 one reward (workflow.REWARD_WORKFLOW) on `on` (default today; checked like every step's
    date: not before the previous step, not in the future). 发放 records its 文号 or voucher number
    (`voucher_no`, required)."""
    data = {"voucher_no": voucher_no} if action == "pay" else {}
    apply_transition(record=reward, action=action, actor=actor, effective_on=on or _today(), data=data)
    return reward
