"""Monthly filings: the county's draft with its progress, figures and attachments, its submission and review,
reopening a closed month for one county, and the reminders before and after the deadline. Every step lands on
the filing's timeline."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from kejiju.accounts.models import Region, User
from kejiju.core import parameters, uploads
from kejiju.core.models import AuditEvent
from kejiju.core.services import audit_event_record
from kejiju.core.workflow.services import apply_transition, record_created, record_step

from .. import rules
from ..figures import monthly_figures, system_value
from ..models import (
    CountyTask,
    FigureEntry,
    FilingAttachment,
    FilingException,
    FilingReminder,
    MonthlyFiling,
    TaskProgress,
)
from ..workflow import filing_now
from .common import current_time
from .notices import county_recipients, notice_send


@dataclass(frozen=True)
class ProgressInput:
    task_id: int
    done_quantity: int
    percent: Decimal | None  # None: computed from done_quantity and the task's target
    status: str
    note: str = ""


@dataclass(frozen=True)
class FigureInput:
    key: str
    value: int
    reason: str = ""


def _county_region(actor: User, region: Region | None = None) -> Region:
    """The county an actor files for: their own, and no other."""
    if not actor.has_perm("reporting.add_monthlyfiling") or actor.region_id is None:
        raise ValidationError({"region": "只有县区科技局账户可以填报本县区的月度动态。"})
    if region is not None and region.pk != actor.region_id:
        raise ValidationError({"region": f"不能为其他县区（{region}）填报或报送。"})
    return actor.region


def _step(filing: MonthlyFiling, action: str, actor: User | None, note: str = "", now=None) -> None:
    record_step(
        record=filing,
        action=action,
        actor=actor,
        comment=note,
        effective_on=timezone.localdate(current_time(now)),
    )


def has_active_exception(*, region: Region, year: int, month: int, now: dt.datetime | None = None) -> bool:
    return FilingException.objects.filter(
        region=region, year=year, month=month, expires_at__gt=current_time(now)
    ).exists()


# ---------------------------------------------------------------------------------------------- filings


def _parse_percent(value) -> Decimal:
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ValidationError({"percent": f"完成进度“{value}”不是有效数字。"}) from None


# The first bytes each allowed extension must start with (a renamed executable or HTML page is refused).
_OOXML = (b"PK\x03\x04",)
_OLE = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",)
ATTACHMENT_SIGNATURES: dict[str, tuple[bytes, ...]] = {
    "pdf": (b"%PDF-",),
    "ofd": uploads.ALLOWED_SIGNATURES["ofd"],
    "doc": _OLE,
    "xls": _OLE,
    "docx": _OOXML,
    "xlsx": _OOXML,
    "zip": _OOXML,
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
    "png": (b"\x89PNG\r\n\x1a\n",),
}


def attachment_max_bytes() -> int:
    return parameters.value("filing_attachment_max_bytes")


def _check_attachment(upload) -> None:
    limit = attachment_max_bytes()
    if upload.size > limit:
        shown = parameters.get("filing_attachment_max_bytes").text(limit)
        raise ValidationError({"attachment": f"附件“{upload.name}”超过 {shown}。"})
    extension = upload.name.rsplit(".", 1)[-1].lower() if "." in upload.name else ""
    if extension not in ATTACHMENT_SIGNATURES:
        allowed = "、".join(ATTACHMENT_SIGNATURES)
        raise ValidationError({"attachment": f"附件“{upload.name}”的类型不支持：只接受 {allowed}。"})
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if not any(head.startswith(signature) for signature in ATTACHMENT_SIGNATURES[extension]):
        raise ValidationError({"attachment": f"附件“{upload.name}”的内容与扩展名“.{extension}”不符。"})
    if extension in uploads.CONTENT_CHECKS and (problem := uploads.CONTENT_CHECKS[extension](upload)):
        raise ValidationError({"attachment": f"附件“{upload.name}”{problem}"})


@uploads.atomic()
def filing_save(
    *,
    actor: User,
    year: int,
    month: int,
    key_progress: str = "",
    problems: str = "",
    next_plan: str = "",
    progress: Sequence[ProgressInput] = (),
    figures: Sequence[FigureInput] = (),
    attachments: Iterable = (),
    region: Region | None = None,
    now: dt.datetime | None = None,
) -> MonthlyFiling:
    """Create or update the county's draft (or returned filing) for the month."""
    now = current_time(now)
    region = _county_region(actor, region)
    if not 1 <= month <= 12:
        raise ValidationError({"month": "月份应在 1 到 12 之间。"})
    filing = MonthlyFiling.objects.select_for_update().filter(region=region, year=year, month=month).first()
    if filing is not None and not filing.is_editable_state:
        raise ValidationError({"state": f"{filing}当前状态为“{filing.get_state_display()}”，不能再修改。"})
    if filing is None or filing.state == MonthlyFiling.State.DRAFT:
        rules.check_month_open(
            year=year,
            month=month,
            now=now,
            has_exception=has_active_exception(region=region, year=year, month=month, now=now),
        )
    created = filing is None
    if created:
        filing = MonthlyFiling(region=region, year=year, month=month, created_by=actor)
    filing.key_progress, filing.problems, filing.next_plan = key_progress, problems, next_plan
    filing.full_clean(validate_constraints=False)
    filing.save()
    _save_progress(filing, progress)
    _save_figures(filing, figures)
    for upload in attachments:
        _check_attachment(upload)
        original = uploads.display_name(uploads.upload_original_name(upload))
        attachment = FilingAttachment(
            filing=filing, original_name=original, size=upload.size, uploaded_by=actor
        )
        uploads.store(attachment.file, upload)
        attachment.full_clean()
        attachment.save()
        _step(filing, "attach", actor, original, now)
    if created:
        record_created(record=filing, actor=actor, effective_on=timezone.localdate(now))
    else:
        _step(filing, "save", actor, now=now)
    return filing


def _save_progress(filing: MonthlyFiling, progress: Sequence[ProgressInput]) -> None:
    tasks = {
        task.pk: task
        for task in CountyTask.objects.filter(
            region=filing.region, year=filing.year, status=CountyTask.Status.APPROVED
        )
    }
    existing = {row.task_id: row for row in filing.progress.all()}
    given = {}
    for item in progress:
        task = tasks.get(item.task_id)
        if task is None:
            raise ValidationError({"progress": "进展中的任务不属于本县区本年度的已确认任务清单。"})
        given[item.task_id] = item
    for task_id, task in tasks.items():
        item = given.get(task_id)
        row = existing.get(task_id) or TaskProgress(filing=filing, task=task)
        if item is not None:
            row.done_quantity = item.done_quantity
            row.status = item.status
            row.note = item.note
            typed = None if item.percent in (None, "") else _parse_percent(item.percent)
            if typed is not None and not (0 <= typed <= 100):
                raise ValidationError({"percent": f"任务“{task.title}”：完成进度应在 0 到 100 之间。"})
            if row.done_quantity is not None and row.done_quantity < 0:
                raise ValidationError({"done_quantity": f"任务“{task.title}”：累计完成数量不能为负数。"})
            row.percent, problems = rules.progress_problems(
                title=task.title,
                done=row.done_quantity,
                target=task.target_quantity,
                percent=typed,
                status=row.status,
            )
            if problems:
                raise ValidationError(problems)
        try:
            row.full_clean(exclude=["filing", "task"])
        except ValidationError as error:
            raise ValidationError(
                {
                    field: [f"任务“{task.title}”：{m}" for m in messages]
                    for field, messages in error.message_dict.items()
                }
            ) from None
        row.save()


def _save_figures(filing: MonthlyFiling, figures: Sequence[FigureInput]) -> None:
    known = {figure.key: figure for figure in monthly_figures()}
    given = {}
    for item in figures:
        if item.key not in known:
            raise ValidationError({"figures": f"未知的月度数据指标：{item.key}"})
        given[item.key] = item
    existing = {row.key: row for row in filing.figures.all()}
    for key, figure in known.items():
        system = system_value(figure, filing.region, filing.year, filing.month)
        row = existing.get(key) or FigureEntry(filing=filing, key=key)
        row.label = figure.label
        row.system_value = system
        item = given.get(key)
        if item is not None:
            row.value, row.reason = item.value, item.reason.strip()
        elif row.pk is None:
            row.value = system if system is not None else 0
        if not rules.figure_needs_reason(row.value, row.system_value):
            row.reason = row.reason if row.system_value is None else ""
        row.full_clean(exclude=["filing"])
        row.save()


def _take(*, filing: MonthlyFiling, action: str, actor: User, comment: str = "", now=None) -> MonthlyFiling:
    token = filing_now.set(current_time(now))
    try:
        apply_transition(
            record=filing,
            action=action,
            actor=actor,
            comment=comment,
            effective_on=timezone.localdate(current_time(now)),
        )
    finally:
        filing_now.reset(token)
    return filing


def filing_submit(*, actor: User, filing: MonthlyFiling, now: dt.datetime | None = None) -> MonthlyFiling:
    """报送 (or 重新报送 after a return). A first filing after the deadline needs an exception and is
    marked late; a returned filing may always be resent (the workflow's rules and effects)."""
    action = "resubmit" if filing.state == MonthlyFiling.State.RETURNED else "submit"
    return _take(filing=filing, action=action, actor=actor, now=now)


def filing_confirm(*, actor: User, filing: MonthlyFiling, now: dt.datetime | None = None) -> MonthlyFiling:
    return _take(filing=filing, action="confirm", actor=actor, now=now)


def filing_return(
    *, actor: User, filing: MonthlyFiling, reason: str, now: dt.datetime | None = None
) -> MonthlyFiling:
    return _take(filing=filing, action="return", actor=actor, comment=(reason or "").strip(), now=now)


@transaction.atomic
def attachment_delete(*, actor: User, attachment: FilingAttachment, now: dt.datetime | None = None) -> None:
    filing = attachment.filing
    _county_region(actor, filing.region)
    if not filing.is_editable_state:
        raise ValidationError({"state": f"{filing}当前状态为“{filing.get_state_display()}”，不能删除附件。"})
    name = attachment.original_name
    uploads.delete_on_commit(attachment.file)
    attachment.delete()
    _step(filing, "detach", actor, name, now)


@transaction.atomic
def filing_reopen(
    *,
    actor: User,
    region: Region,
    year: int,
    month: int,
    reason: str,
    expires_at: dt.datetime,
    now: dt.datetime | None = None,
) -> FilingException:
    """The bureau lets one county file (or finish its draft for) a closed month until `expires_at`."""
    now = current_time(now)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "请填写解锁原因。"})
    if expires_at <= now:
        raise ValidationError({"expires_at": "有效期应晚于当前时间。"})
    if rules.is_future_month(year, month, now):
        raise ValidationError({"month": f"{year}年{month}月尚未开始，无需解锁。"})
    if not region.is_county_level:
        raise ValidationError({"region": "只能为县（市、区）或功能区解锁。"})
    exception = FilingException(
        region=region, year=year, month=month, reason=reason, expires_at=expires_at, granted_by=actor
    )
    exception.full_clean()
    exception.save()
    local = timezone.localtime(expires_at)
    note = f"{reason}（有效期至 {local:%Y-%m-%d %H:%M}）"
    filing = MonthlyFiling.objects.filter(region=region, year=year, month=month).first()
    if filing is not None:
        _step(filing, "reopen", actor, note, now)
    audit_event_record(
        event_type=AuditEvent.Type.TRANSITION,
        user=actor,
        object_repr=f"{region} {year}年{month}月",
        detail=f"解锁补报：{note}"[:1000],
    )
    notice_send(
        recipients=county_recipients(region),
        title=f"{year}年{month}月工作动态已解锁补报",
        body=note,
        url=reverse("reporting:filing_form", kwargs={"year": year, "month": month}),
        now=now,
    )
    return exception


# ---------------------------------------------------------------------------------------------- reminders


@transaction.atomic
def send_filing_reminders(*, now: dt.datetime | None = None) -> int:
    """Remind counties that have not filed, some days before and after the deadline (see
    rules.reminder_months). Idempotent per county, month and day. Returns the number of counties reminded."""
    now = current_time(now)
    today = now.astimezone(rules.SHANGHAI).date()
    reminded = 0
    for year, month, when in rules.reminder_months(today):
        filings = {f.region_id: f for f in MonthlyFiling.objects.filter(year=year, month=month)}
        states = {region_id: filing.state for region_id, filing in filings.items()}
        last_day = rules.last_filing_day(year, month)
        for region in Region.objects.county_level():
            if not rules.needs_reminder(states.get(region.pk)):
                continue
            reminder, created = FilingReminder.objects.get_or_create(
                region=region, year=year, month=month, sent_on=today
            )
            if not created:
                continue
            if when == "before":
                title = f"请于 {last_day:%Y-%m-%d} 前报送{year}年{month}月工作动态"
            else:
                title = f"{year}年{month}月工作动态已逾期未报送（截止 {last_day:%Y-%m-%d}）"
            reminder.recipients = notice_send(
                recipients=county_recipients(region),
                title=title,
                body="请登录平台“本月动态”填报并报送。逾期后需市局解锁方可补报。",
                url=reverse("reporting:filing_form", kwargs={"year": year, "month": month}),
                now=now,
            )
            reminder.save(update_fields=["recipients"])
            if region.pk in filings:  # a draft or a returned filing: the reminder joins its timeline
                _step(filings[region.pk], "remind", None, title, now)
            reminded += 1
    return reminded
