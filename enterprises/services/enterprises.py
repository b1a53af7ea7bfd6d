"""The enterprise library: enterprises (create, update, 停用/启用, the unit behind each) and their yearly
figures (信息表), with the region and unit checks the other service modules share."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.html import format_html

from kejiju.accounts.models import Region
from kejiju.core.identifiers import IdentifierError, validate_uscc
from kejiju.core.models import AuditEvent, Organization
from kejiju.core.scoping import unit_id_of_user, user_may_see_region
from kejiju.core.services import audit_event_record, normalise_organization_name, organization_save

from ..industries import SECTION_NAMES, section_of_code
from ..models import Enterprise, EnterpriseYear, SmesEvaluation

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
