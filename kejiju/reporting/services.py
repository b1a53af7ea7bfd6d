"""Writes of county reporting: task lists, monthly filings and their review, reopening, reminders and the
monthly report's jobs. Keyword-only, atomic, validated; every step of a filing lands on its timeline."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from kejiju.accounts.models import Region, User
from kejiju.accounts.roles import Role
from kejiju.core import parameters, uploads
from kejiju.core.mail import mail_send
from kejiju.core.models import AuditEvent, ReportJob
from kejiju.core.scoping import (
    owner_id_of,
    region_id_of,
    scope_region_ids,
    unit_id_of,
    user_may_see_region,
)
from kejiju.core.services import audit_event_record, report_job_request
from kejiju.core.workflow.services import apply_transition, record_created, record_step

from . import rules
from .figures import monthly_figures, system_value
from .models import (
    CountyTask,
    FigureEntry,
    FilingAttachment,
    FilingException,
    FilingReminder,
    MonthlyFiling,
    MonthlyReport,
    Notice,
    ResearcherTarget,
    TaskProgress,
)
from .workflow import filing_now

logger = logging.getLogger(__name__)

MONTHLY_REPORT_KIND = "monthly_report"
# Changing or deleting a task the bureau has confirmed (a county office may change its proposals only).
APPROVED_TASKS_PERM = "reporting.change_approved_countytask"


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


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or timezone.now()


def _county_region(actor: User, region: Region | None = None) -> Region:
    """The county an actor files for: their own, and no other."""
    if not actor.has_perm("reporting.add_monthlyfiling") or actor.region_id is None:
        raise ValidationError({"region": "只有县区科技局账户可以填报本县区的月度动态。"})
    if region is not None and region.pk != actor.region_id:
        raise ValidationError({"region": f"不能为其他县区（{region}）填报或报送。"})
    return actor.region


def _in_scope(actor: User, region: Region | None) -> None:
    """A task belongs to a county in the actor's scope (a county office: its own)."""
    if region is not None and not user_may_see_region(actor, region.pk):
        raise ValidationError({"region": f"不能为其他县区（{region}）填报或修改任务。"})


def _step(filing: MonthlyFiling, action: str, actor: User | None, note: str = "", now=None) -> None:
    record_step(
        record=filing,
        action=action,
        actor=actor,
        comment=note,
        effective_on=timezone.localdate(_now(now)),
    )


def has_active_exception(*, region: Region, year: int, month: int, now: dt.datetime | None = None) -> bool:
    return FilingException.objects.filter(
        region=region, year=year, month=month, expires_at__gt=_now(now)
    ).exists()


# ---------------------------------------------------------------------------------------------- tasks


@transaction.atomic
def task_create(
    *,
    actor: User,
    region: Region,
    year: int,
    category: str,
    title: str,
    target_quantity: int,
    deadline: dt.date,
    partner: str = "",
    unit: str = "项",
) -> CountyTask:
    _in_scope(actor, region)
    task = CountyTask(
        region=region,
        year=year,
        category=category,
        title=title,
        partner=partner,
        target_quantity=target_quantity,
        unit=unit,
        deadline=deadline,
    )
    if actor.has_perm("reporting.approve_countytask"):
        task.status, task.approved_by, task.approved_at = CountyTask.Status.APPROVED, actor, timezone.now()
    task.full_clean()
    task.save()
    record_created(record=task, actor=actor)
    return task


@transaction.atomic
def task_update(*, actor: User, task: CountyTask, **fields) -> CountyTask:
    allowed = {"region", "year", "category", "title", "partner", "target_quantity", "unit", "deadline"}
    unknown = set(fields) - allowed
    if unknown:
        raise ValidationError(f"不能修改这些字段：{'、'.join(sorted(unknown))}")
    task = CountyTask.objects.select_for_update().get(pk=task.pk)
    _in_scope(actor, task.region)
    if task.status == CountyTask.Status.APPROVED and not actor.has_perm(
        "reporting.change_approved_countytask"
    ):
        raise ValidationError({"status": "任务已经市局确认，县区不能再修改；如需调整请联系市局。"})
    if "region" in fields:
        _in_scope(actor, fields["region"])
    if task.progress.exists() and ("year" in fields and fields["year"] != task.year):
        raise ValidationError({"year": "任务已有月度进展，不能修改年度。"})
    for name, value in fields.items():
        setattr(task, name, value)
    task.full_clean()
    task.save()
    return task


def task_approve(*, actor: User, task: CountyTask) -> CountyTask:
    apply_transition(record=task, action="approve", actor=actor)
    return task


@transaction.atomic
def task_delete(*, actor: User, task: CountyTask) -> None:
    if task.progress.exists():
        raise ValidationError("该任务已有月度进展记录，不能删除。")
    _in_scope(actor, task.region)
    if task.status == CountyTask.Status.APPROVED and not actor.has_perm(
        "reporting.change_approved_countytask"
    ):
        raise ValidationError({"status": "任务已经市局确认，县区不能删除。"})
    task.delete()


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
    now = _now(now)
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
    token = filing_now.set(_now(now))
    try:
        apply_transition(
            record=filing,
            action=action,
            actor=actor,
            comment=comment,
            effective_on=timezone.localdate(_now(now)),
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
    now = _now(now)
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


# ---------------------------------------------------------------------------------------------- notices


def county_recipients(region: Region) -> list[User]:
    return list(User.objects.filter(role=Role.COUNTY, region=region, is_active=True))


SENTENCE_ENDS = "。！？!?.…"


def sentence(text: str) -> str:
    """Typed text (a reason, an opinion) as a sentence of a notice: a full stop added unless it ends with
    one already (never “。。”)."""
    text = text.strip()
    return text if not text or text.endswith(tuple(SENTENCE_ENDS)) else f"{text}。"


def notice_send(
    *, recipients: Sequence[User], title: str, body: str = "", url: str = "", now: dt.datetime | None = None
) -> int:
    """An in-app notice to each recipient, and an e-mail to those with an address, sent once the
    transaction commits (kejiju.core.mail)."""
    now = _now(now)
    Notice.objects.bulk_create(
        [
            Notice(recipient=user, title=title[:200], body=body, url=url[:300], created_at=now)
            for user in recipients
        ]
    )
    mail_send(subject=title, body=f"{body}\n\n{url}".strip(), recipients=[user.email for user in recipients])
    _forget_unread([user.pk for user in recipients])
    return len(recipients)


def notify_region(
    *,
    region_id: int | None,
    actor: User | None,
    title: str,
    body: str = "",
    url: str = "",
    now: dt.datetime | None = None,
) -> int:
    """A decision about a county's record, told to that county's office: a notice to each of its accounts,
    unless the county took the decision itself (an account of that county office acted). Returns the
    number of accounts told."""
    if region_id is None:
        return 0
    if actor is not None and scope_region_ids(actor) == [region_id]:
        return 0  # an account bound to that county acted: the county took the decision itself
    recipients = list(User.objects.filter(role=Role.COUNTY, region_id=region_id, is_active=True))
    return notice_send(recipients=recipients, title=title, body=body, url=url, now=now)


def _next_actors(record, workflow) -> set[User]:
    """Accounts that may take a step from the record's state now: holding its permission, seeing the
    record, passing the step's actor rule."""
    from kejiju.core.scoping import scoped_queryset

    state = str(getattr(record, workflow.state_field))
    found: set[User] = set()
    for transition in workflow.from_state(state):
        if not transition.form:
            continue
        holders = User.objects.with_perm(
            transition.permission,
            include_superusers=False,
            backend="kejiju.accounts.backends.CachedPermissionsBackend",
        )
        for user in holders:
            if user in found or not scoped_queryset(type(record), user).filter(pk=record.pk).exists():
                continue
            if transition.actor_rule is None or not transition.actor_rule(record, user):
                found.add(user)
    return found


def transition_recipients(*, record, actor: User | None, workflow) -> list[User]:
    """Who hears of a workflow step, once: the county office of the record's county unless an account of
    it acted; the unit's administrators unless an account of the unit acted; the account the record
    belongs to (`owner_field`) unless it acted; and, in a flow that tells the next level
    (`Workflow.tell_next`), whoever may take the next step. Never the actor."""
    region_id, unit_id, owner_id = region_id_of(record), unit_id_of(record), owner_id_of(record)
    found: set[User] = set()
    if region_id is not None and not (actor is not None and scope_region_ids(actor) == [region_id]):
        found.update(User.objects.filter(role=Role.COUNTY, region_id=region_id, is_active=True))
    if unit_id is not None and getattr(actor, "unit_id", None) != unit_id:
        found.update(User.objects.filter(role=Role.UNIT_ADMIN, organization_id=unit_id, is_active=True))
    if owner_id is not None:
        found.update(User.objects.filter(pk=owner_id, is_active=True))
    if workflow.tell_next:
        found.update(_next_actors(record, workflow))
    actor_pk = getattr(actor, "pk", None)
    return sorted((user for user in found if user.pk != actor_pk), key=lambda user: user.pk)


def notify_transition(*, record, event, workflow) -> int:
    """The one rule for workflow decisions (kejiju.core.workflow's transition_applied, sent on commit): a
    notice and an e-mail to each of `transition_recipients`."""
    lines = [f"{workflow.title}“{record}”：{event.from_label} → {event.to_label}。"]
    if event.comment:
        lines.append(f"意见：{sentence(event.comment)}")
    url = record.get_absolute_url() if hasattr(record, "get_absolute_url") else ""
    recipients = transition_recipients(record=record, actor=event.actor, workflow=workflow)
    title = f"{workflow.title}“{record}”：{event.label}"
    return notice_send(recipients=recipients, title=title, body="\n".join(lines), url=url)


# ------------------------------------------------------------------------------ reading notices

UNREAD_KEY = "reporting:notices:unread:{}"
UNREAD_SECONDS = 300


def _forget_unread(user_ids: Iterable[int]) -> None:
    """Drop the cached unread counts now and again once the transaction commits (a page rendered in
    between must not keep the old count)."""
    keys = [UNREAD_KEY.format(pk) for pk in user_ids]
    if not keys:
        return
    cache.delete_many(keys)
    transaction.on_commit(lambda: cache.delete_many(keys))


def notice_unread_count(*, user: User) -> int:
    """The badge in the navigation bar: one cached count per user (a count query on a miss)."""
    key = UNREAD_KEY.format(user.pk)
    count = cache.get(key)
    if count is None:
        count = Notice.objects.filter(recipient=user, read_at__isnull=True).count()
        cache.set(key, count, UNREAD_SECONDS)
    return count


@transaction.atomic
def notice_open(*, user: User, notice_id: int, now: dt.datetime | None = None) -> Notice:
    """Open one of the user's notices: it is marked read (another user's notice does not exist)."""
    notice = Notice.objects.select_for_update().get(recipient=user, pk=notice_id)
    if notice.read_at is None:
        notice.read_at = _now(now)
        notice.save(update_fields=["read_at"])
        _forget_unread([user.pk])
    return notice


@transaction.atomic
def notices_mark_read(*, user: User, now: dt.datetime | None = None) -> int:
    """全部标为已读."""
    marked = Notice.objects.filter(recipient=user, read_at__isnull=True).update(read_at=_now(now))
    _forget_unread([user.pk])
    return marked


@transaction.atomic
def send_filing_reminders(*, now: dt.datetime | None = None) -> int:
    """Remind counties that have not filed, some days before and after the deadline (see
    rules.reminder_months). Idempotent per county, month and day. Returns the number of counties reminded."""
    now = _now(now)
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


# ---------------------------------------------------------------------------------------------- report


def monthly_report_request(
    *, year: int, month: int, user: User | None, now: dt.datetime | None = None
) -> ReportJob:
    if not 1 <= month <= 12:
        raise ValidationError({"month": "月份应在 1 到 12 之间。"})
    if rules.is_future_month(year, month, _now(now)):
        raise ValidationError({"month": f"{year}年{month}月尚未开始，不能生成报告。"})
    return report_job_request(kind=MONTHLY_REPORT_KIND, parameters={"year": year, "month": month}, user=user)


@transaction.atomic
def monthly_report_adopt(*, job: ReportJob) -> MonthlyReport:
    """Make `job` the month's current report and drop the previous job and its file (one file a month)."""
    year, month = int(job.parameters["year"]), int(job.parameters["month"])
    report, _ = MonthlyReport.objects.select_for_update().get_or_create(year=year, month=month)
    previous = report.job
    report.job = job
    report.save()
    if previous is not None and previous.pk != job.pk:
        if previous.file:
            previous.file.delete(save=False)
        previous.delete()
    return report


def build_due_monthly_report(*, now: dt.datetime | None = None) -> ReportJob | None:
    """Beat: once the previous month's deadline has passed, build its report once (a report already built
    after the deadline is kept; requesting one on demand stays possible)."""
    now = _now(now)
    for year, month in (
        rules.previous_month(*rules.local_month(now)),
        rules.previous_month(*rules.previous_month(*rules.local_month(now))),
    ):
        deadline = rules.filing_deadline(year, month)
        if now < deadline:
            continue
        built = ReportJob.objects.filter(
            kind=MONTHLY_REPORT_KIND,
            parameters__year=year,
            parameters__month=month,
            created_at__gte=deadline,
        ).exclude(state=ReportJob.State.FAILED)
        if built.exists():
            continue
        return monthly_report_request(year=year, month=month, user=None, now=now)
    return None


# ------------------------------------------------------------------------------ 科研人员倍增计划


@transaction.atomic
def researcher_target_save(*, target: ResearcherTarget, actor: User) -> ResearcherTarget:
    """The bureau sets each county's yearly research-staff target (counties read their own)."""
    permission = "reporting.change_researchertarget" if target.pk else "reporting.add_researchertarget"
    if not actor.has_perm(permission):
        raise ValidationError("科研人员倍增目标由市局设定。")
    if target.region_id and target.year and target.target is not None:
        from enterprises.rules import doubling_target_problem

        from .selectors import researcher_base

        base = researcher_base(region_id=target.region_id, year=target.year)
        problem = doubling_target_problem(target=target.target, base=base, field="科研人员目标")
        if problem:
            raise ValidationError({"target": problem})
    target.full_clean()
    target.save()
    return target
