"""Writes of online 申报: the bureau keeps a call's 申报指南 and quotas; a 项目负责人 drafts, completes and
submits an application of their unit; the steps after 提交 are the workflow's (workflow.py), whose effects
live here."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import replace
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from kejiju.accounts.models import Region, User
from kejiju.core import parameters, pii, uploads
from kejiju.core.identifiers import IdentifierError, validate_id_number
from kejiju.core.workflow.services import record_created, record_step
from projects.models import BudgetLine, Call

from . import rules
from .models import (
    LUMP_SUM,
    Application,
    ApplicationAttachment,
    ApplicationBudgetLine,
    ApplicationState,
    CallGuide,
    CallQuota,
    GuideAttachment,
    TeamMember,
)

ATTACHMENT_TYPES = ("pdf", "doc", "docx", "wps", "xls", "xlsx", "jpg", "jpeg", "png")


def attachment_max_bytes() -> int:
    return parameters.value("application_attachment_max_bytes")


def _require(user: User, perm: str, message: str) -> None:
    if not user.has_perm(perm):
        raise PermissionDenied(message)


# ------------------------------------------------------------------------------------ the call's guide


@transaction.atomic
def call_guide_save(
    *, user: User, call: Call, text: str, online: bool, quotas: Mapping[Region, int | None]
) -> CallGuide:
    """The bureau publishes (or changes) a call's 申报指南 and the quota of each county (None: no limit).
    A quota below what a county has recommended already is refused, naming the county."""
    _require(user, "applications.change_callguide", "无权维护申报指南。")
    guide = CallGuide.objects.select_for_update().filter(call=call).first() or CallGuide(call=call)
    guide.text = text.strip()
    guide.online = online
    guide.full_clean()
    guide.save()
    errors = []
    for region, quota in quotas.items():
        recommended = recommended_count(call=call, region=region)
        if quota is not None and quota < recommended:
            errors.append(f"{region}已推荐 {recommended} 项，推荐限额不能少于此数。")
            continue
        if quota is None:
            CallQuota.objects.filter(guide=guide, region=region).delete()
        else:
            CallQuota.objects.update_or_create(guide=guide, region=region, defaults={"quota": quota})
    if errors:
        raise ValidationError({"__all__": errors})
    return guide


def recommended_count(*, call: Call, region: Region | None, exclude_pk: int | None = None) -> int:
    rows = Application.objects.filter(call=call, region=region, state=ApplicationState.RECOMMENDED)
    if exclude_pk is not None:
        rows = rows.exclude(pk=exclude_pk)
    return rows.count()


def quota_of(*, call: Call, region: Region | None) -> int | None:
    if region is None:
        return None
    return CallQuota.objects.filter(guide__call=call, region=region).values_list("quota", flat=True).first()


def _stored_file(record, upload, *, allowed: Iterable[str], max_bytes: int, user: User):
    """Check an upload (extension, first bytes, size) and store it on `record.file` under a generated
    name; the client's name is kept for display only."""
    original = uploads.display_name(uploads.upload_original_name(upload))
    extension = uploads.upload_extension(original)
    problem = uploads.upload_problem(
        filename=original,
        head=uploads.upload_head(upload),
        size=upload.size or 0,
        max_bytes=max_bytes,
        allowed=allowed,
        upload=upload,
    )
    if problem:
        raise ValidationError({"file": problem})
    record.original_name = original
    record.size = upload.size
    record.content_type = uploads.CONTENT_TYPES.get(extension, "application/octet-stream")
    record.uploaded_by = user
    uploads.store(record.file, upload)
    record.full_clean()
    record.save()
    return record


@uploads.atomic()
def guide_attachment_create(*, user: User, guide: CallGuide, upload) -> GuideAttachment:
    _require(user, "applications.change_callguide", "无权维护申报指南。")
    return _stored_file(
        GuideAttachment(guide=guide),
        upload,
        allowed=ATTACHMENT_TYPES,
        max_bytes=attachment_max_bytes(),
        user=user,
    )


@transaction.atomic
def guide_attachment_delete(*, user: User, attachment: GuideAttachment) -> None:
    _require(user, "applications.change_callguide", "无权维护申报指南。")
    uploads.delete_on_commit(attachment.file)
    attachment.delete()


# ------------------------------------------------------------------------------- the applicant's draft


def open_problem(*, call: Call, today: dt.date | None = None) -> str | None:
    """Why no application can be started or submitted in the call today, or None."""
    guide = CallGuide.objects.filter(call=call).first()
    return rules.call_window_problem(
        opens_on=call.opens_on,
        closes_on=call.closes_on,
        online=bool(guide and guide.online),
        today=today or timezone.localdate(),
    )


def _require_leader(application: Application, user: User) -> None:
    if application.leader_id != user.pk or not user.has_perm("applications.submit_application"):
        raise PermissionDenied("只有该申报书的项目负责人可以修改。")
    if not application.editable:
        raise ValidationError(f"申报书当前状态为“{application.get_state_display()}”，不能修改。")


@transaction.atomic
def application_create(
    *,
    user: User,
    call: Call,
    title: str,
    summary: str,
    goals: str,
    start_date: dt.date,
    end_date: dt.date,
    leader_id_number: str = "",
) -> Application:
    """A 项目负责人 starts a draft in an open call, for their own unit. The leader's 身份证号, once given,
    is carried over from their latest application when left blank."""
    _require(user, "applications.add_application", "只有申报单位的项目负责人可以填报申报书。")
    if user.unit_id is None:
        raise PermissionDenied("账户未绑定申报单位。")
    problem = open_problem(call=call)
    if problem:
        raise ValidationError({"call": problem})
    unit = user.organization
    application = Application(
        call=call,
        unit=unit,
        region=unit.region,
        leader=user,
        leader_name=user.display_name or user.username,
        leader_mobile=user.phone or "",
        title=title.strip(),
        summary=summary.strip(),
        goals=goals.strip(),
        start_date=start_date,
        end_date=end_date,
    )
    _set_leader_id_number(application, leader_id_number)
    application.full_clean()
    application.save()
    record_created(record=application, actor=user)
    return application


APPLICANT_FIELDS = ("title", "summary", "goals", "start_date", "end_date")


@transaction.atomic
def application_update(
    *, user: User, application: Application, leader_id_number: str = "", **changes: Any
) -> Application:
    _require_leader(application, user)
    for name, value in changes.items():
        if name not in APPLICANT_FIELDS:
            raise ValueError(f"not an applicant's field: {name}")
        setattr(application, name, value.strip() if isinstance(value, str) else value)
    application.leader_name = user.display_name or user.username
    application.leader_mobile = user.phone or ""
    _set_leader_id_number(application, leader_id_number)
    application.full_clean()
    application.save()
    return application


SEALED_LEADER_FIELDS = ("leader_id_number_cipher", "leader_id_number_digest", "leader_id_number_masked")


@sensitive_variables("id_number", "number")
def _set_leader_id_number(application: Application, id_number: str) -> None:
    """Seal a newly given 身份证号; with none given keep the application's own, or else take the one the
    leader gave on their latest application (re-sealed for this row: a cipher is bound to its row)."""
    if id_number.strip():
        try:
            number = validate_id_number(id_number)
        except IdentifierError as error:
            raise ValidationError({"leader_id_number": f"项目负责人身份证号：{error}"}) from None
        application.set_leader_id_number(number)
        return
    if application.leader_id_number_digest:
        return
    previous = (
        Application.objects.filter(leader=application.leader_id)
        .exclude(leader_id_number_digest="")
        .exclude(pk=application.pk)
        .order_by("-updated_at", "-pk")
        .only("pii_row", *SEALED_LEADER_FIELDS)
        .first()
    )
    if previous is not None:
        pii.copy_id_number(pii.SealedSource(previous, "leader_"), application, prefix="leader_")


@transaction.atomic
def application_delete(*, user: User, application: Application) -> None:
    _require_leader(application, user)
    if application.state != ApplicationState.DRAFT or application.submitted_at is not None:
        raise ValidationError("只能删除从未提交过的草稿。")
    for attachment in application.attachments.all():
        uploads.delete_on_commit(attachment.file)
    application.delete()


@transaction.atomic
def budget_save(
    *, user: User, application: Application, lines: Iterable[Mapping[str, Any]]
) -> list[ApplicationBudgetLine]:
    """Replace the budget: one line per (source, category); lines of amount 0 are dropped. A unit in the
    经费包干制 pilot gives one amount per source (category 包干经费), any other unit amounts by category."""
    _require_leader(application, user)
    lump_sum = is_lump_sum_application(application)
    kept = []
    seen = set()
    for number, line in enumerate(lines, start=1):
        amount = line.get("amount")
        if amount in (None, "") or Decimal(amount) == 0:
            continue
        key = (line["source"], line["category"])
        if key in seen:
            raise ValidationError(f"第 {number} 行：同一资金来源的同一科目只能填一行。")
        if lump_sum != (line["category"] == LUMP_SUM):
            raise ValidationError(
                f"第 {number} 行：包干制试点单位按资金来源填写包干经费，不分科目。"
                if lump_sum
                else f"第 {number} 行：非包干制试点单位须按科目填写预算。"
            )
        seen.add(key)
        budget_line = ApplicationBudgetLine(
            application=application,
            source=line["source"],
            category=line["category"],
            amount=amount,
            note=(line.get("note") or "").strip(),
        )
        try:
            budget_line.full_clean(exclude=["application"])
        except ValidationError as error:
            raise ValidationError(f"第 {number} 行：{'；'.join(error.messages)}") from error
        kept.append(budget_line)
    application.budget_lines.all().delete()
    return ApplicationBudgetLine.objects.bulk_create(kept)


def is_lump_sum_application(application: Application) -> bool:
    """The applying unit is in the 经费包干制 pilot in the call's year (the project it becomes is too)."""
    from projects.services import is_lump_sum_unit

    return is_lump_sum_unit(application.unit, year=application.call.year)


def budget_totals(application: Application) -> dict[str, Decimal]:
    """{"city": 市级财政资金, "self": 自筹资金} of the application's budget."""
    totals = {source: Decimal("0") for source in BudgetLine.Source.values}
    for row in application.budget_lines.values("source").annotate(total=Sum("amount")):
        totals[row["source"]] = row["total"]
    return totals


@transaction.atomic
def team_member_add(
    *,
    user: User,
    application: Application,
    name: str,
    id_number: str,
    employer: str,
    title: str = "",
    duty: str,
) -> TeamMember:
    _require_leader(application, user)
    try:
        number = validate_id_number(id_number)
    except IdentifierError as error:
        raise ValidationError({"id_number": str(error)}) from None
    member = TeamMember(
        application=application,
        name=name.strip(),
        employer=employer.strip(),
        title=title.strip(),
        duty=duty.strip(),
    )
    member.set_id_number(number)
    if application.team.filter(id_number_digest=member.id_number_digest).exists():
        raise ValidationError({"id_number": "该身份证号的成员已在团队中。"})
    member.full_clean()
    member.save()
    return member


@transaction.atomic
def team_member_delete(*, user: User, member: TeamMember) -> None:
    _require_leader(member.application, user)
    member.delete()


@uploads.atomic()
def attachment_create(*, user: User, application: Application, kind: str, upload) -> ApplicationAttachment:
    _require_leader(application, user)
    if kind not in ApplicationAttachment.Kind.values:
        raise ValidationError({"kind": "请选择附件类型。"})
    return _stored_file(
        ApplicationAttachment(application=application, kind=kind),
        upload,
        allowed=ATTACHMENT_TYPES,
        max_bytes=attachment_max_bytes(),
        user=user,
    )


@transaction.atomic
def attachment_delete(*, user: User, attachment: ApplicationAttachment) -> None:
    _require_leader(attachment.application, user)
    uploads.delete_on_commit(attachment.file)
    attachment.delete()


@transaction.atomic
def pledge_accept(*, user: User, application: Application) -> Application:
    """The 项目负责人 accepts the 科研诚信承诺书 online (kept with its time and on the timeline)."""
    _require_leader(application, user)
    application.pledge_accepted_at = timezone.now()
    application.save(update_fields=["pledge_accepted_at", "updated_at"])
    record_step(record=application, action="pledge", actor=user, comment="已阅读并确认科研诚信承诺书")
    return application


# ------------------------------------------------------------------------------- workflow rules, effects


def submit_problems(application: Application, *, today: dt.date | None = None) -> list[str]:
    """Everything that keeps the application from being submitted now (the call's dates, completeness,
    one application per 项目负责人 in a call, no overdue project of the 项目负责人)."""
    from projects import rules as project_rules
    from projects.services import applicant_facts

    problems = []
    window = open_problem(call=application.call, today=today)
    if window:
        problems.append(window)
    totals = budget_totals(application)
    problems += rules.completeness_problems(
        rules.Completeness(
            pledge_accepted=application.pledge_accepted_at is not None,
            team_size=application.team.count(),
            budget_total=sum(totals.values(), Decimal("0")),
            main_document=application.attachments.filter(
                kind=ApplicationAttachment.Kind.APPLICATION
            ).exists(),
            leader_mobile=application.leader_mobile,
            leader_id_number=bool(application.leader_id_number_digest),
        )
    )
    same_leader = Q(leader=application.leader_id)
    if application.leader_id_number_digest:  # the same person under another account (another unit's)
        same_leader |= Q(leader_id_number_digest=application.leader_id_number_digest)
    others = (
        Application.objects.filter(same_leader, call=application.call)
        .exclude(pk=application.pk)
        .exclude(state__in=[ApplicationState.DRAFT, ApplicationState.RETURNED])
    )
    limits = application.call.limits
    if others.count() >= limits.per_leader:
        problems.append(
            f"同一项目负责人在本批次限报 {limits.per_leader} 项（已有“{others.first().title}”）。"
            if limits.per_leader > 1
            else f"同一项目负责人在本批次只能申报一项（已有“{others.first().title}”）。"
        )
    if limits.per_unit is not None:
        unit_others = (
            Application.objects.filter(call=application.call, unit=application.unit_id)
            .exclude(pk=application.pk)
            .exclude(state__in=[ApplicationState.DRAFT, ApplicationState.RETURNED])
        )
        if unit_others.count() >= limits.per_unit:
            problems.append(
                f"本单位在本批次已提交 {unit_others.count()} 项申报（每个单位限报 {limits.per_unit} 项）。"
            )
    if application.leader_mobile or application.leader_id_number_digest:
        facts = applicant_facts(
            call=application.call,
            pi_digest=application.leader_id_number_digest,
            pi_mobile=application.leader_mobile,
            today=today,
        )
        # The online applications in the call were counted above; the projects' counts are the PI's.
        problems += project_rules.applicant_rule_breaches(facts, replace(limits, per_unit=None))
    return problems


def submit_effect(application: Application) -> dict[str, Any]:
    """提交: the time, and the likely duplicates found now kept for the bureau's 受理 (kejiju.integrity)."""
    from kejiju.integrity.services import duplicate_check_record

    application.submitted_at = timezone.now()
    application.return_reason = ""
    matches = duplicate_check_record(application=application)
    return {"duplicates": len(matches)} if matches else {}


def return_effect(application: Application, *, reason: str) -> dict[str, Any]:
    application.return_reason = reason.strip()
    application.rank = None
    return {}


def recommend_problem(application: Application, *, rank: int | None) -> str | None:
    quota = quota_of(call=application.call, region=application.region)
    recommended = recommended_count(
        call=application.call, region=application.region, exclude_pk=application.pk
    )
    problem = rules.quota_problem(quota=quota, recommended=recommended, rank=rank)
    if problem:
        return problem
    taken = (
        Application.objects.filter(call=application.call, region=application.region, rank=rank)
        .exclude(pk=application.pk)
        .first()
    )
    if taken is not None:
        return f"推荐排序 {rank} 已给了“{taken.title}”。"
    return None


def recommend_effect(application: Application, *, actor: User, rank: int) -> dict[str, Any]:
    """县区推荐 (or the bureau's, for a unit without a county): the application reaches the bureau as a
    plan project in 申报, numbered in its call; the bureau's 受理 takes it from there."""
    from projects.services import project_from_application

    application.rank = rank
    totals = budget_totals(application)
    project = project_from_application(
        actor=actor,
        call=application.call,
        title=application.title,
        applicant=application.unit,
        region=application.region,
        pi_name=application.leader_name,
        pi_mobile=application.leader_mobile,
        pi_id_number_from=pii.SealedSource(application, "leader_"),
        start_date=application.start_date,
        end_date=application.end_date,
        requested_grant=totals[BudgetLine.Source.CITY],
        self_raised=totals[BudgetLine.Source.SELF],
        summary=application.summary,
        budget=[
            {"category": line.category, "source": line.source, "amount": line.amount, "note": line.note}
            for line in application.budget_lines.all()
        ],
    )
    application.project = project
    return {"rank": rank, "project": project.number}
