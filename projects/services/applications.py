"""Applications (申报): the 限项 facts of an applicant, entering a project (by staff or from an online
application), its number, its leader's 身份证号 and edits before 受理."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from kejiju.accounts.models import Region
from kejiju.core import pii
from kejiju.core.identifiers import IdentifierError, validate_id_number, validate_mobile
from kejiju.core.models import Organization
from kejiju.core.scoping import user_may_see_region
from kejiju.core.workflow.services import record_created

from .. import rules
from ..models import (
    BudgetLine,
    Call,
    Project,
)
from ..rules import FUNDED_STATES, PENDING_STATES, RUNNING_STATES, State
from .common import _lock
from .plans import is_lump_sum_unit


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
