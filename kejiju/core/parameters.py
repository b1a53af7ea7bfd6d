"""系统参数: values the system admin changes on a page (kejiju.core.views.parameters) instead of in the
environment — the filing deadline and its reminders, the 网评 reminder, the concurrent-session limit, the
upload size limits and the times of the Celery beat tasks.

Each parameter is declared once here (name, Chinese label, topic, help text, kind, range). Its default is
today's setting (read from django.conf.settings at every call, so the environment and a test's `settings`
still set it); a value the admin saved is a ``ParameterValue`` row and wins over the default. Code reads a
parameter through :func:`value` only.

The saved values are read once per process and kept until the version in the shared cache changes: a save
or a reset raises it when its transaction commits (kejiju.core.cache_versions), so every process — the web
workers, the Celery workers and beat (kejiju.core.beat) — reads the new values on its next call. A call
costs one cache read and no query; while this process holds an uncommitted change it reads the rows from
the database each time, and forgets them on a rollback (the same rules as kejiju.core.workdays).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, Final

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction

from .cache_versions import raise_version

VERSION_KEY: Final = "parameters:version"
MB: Final = 1024 * 1024

INT = "int"
DAYS = "days"  # a list of whole numbers, typed "3, 1"
TIME = "time"  # a time of day, "09:00" (Asia/Shanghai, CELERY_TIMEZONE)
SIZE = "size"  # bytes, typed and shown in MB


@dataclass(frozen=True)
class Parameter:
    name: str
    label: str
    topic: str
    help_text: str
    kind: str
    default: Callable[[], Any]
    # The setting that gives the default (read by no other code).
    setting: str = ""
    min_value: int | None = None
    max_value: int | None = None
    unit: str = ""
    # The Celery beat entry whose schedule this parameter sets (kejiju.core.beat), and how.
    beat_entry: str | None = None
    beat_schedule: Callable[[Any], Any] | None = field(default=None, repr=False)

    # ---------------------------------------------------------------------------- values ↔ form text

    def parse(self, raw: Any) -> Any:
        """Form text (or a stored JSON value) → the value, range checked; ValidationError names the field."""
        text = "" if raw is None else str(raw).strip()
        if text == "":
            raise ValidationError({self.name: f"请填写“{self.label}”。"})
        if self.kind == INT:
            if not re.fullmatch(r"[+-]?\d+", text):
                raise ValidationError({self.name: f"“{self.label}”须为整数（收到“{text}”）。"})
            number = int(text)
            self._check_range(number, number)
            return number
        if self.kind == DAYS:
            parts = [part for part in re.split(r"[,，、\s]+", text) if part]
            if not parts or not all(re.fullmatch(r"\d+", part) for part in parts):
                raise ValidationError(
                    {self.name: f"“{self.label}”须为用逗号分隔的整数天数，例如“3, 1”（收到“{text}”）。"}
                )
            days = sorted({int(part) for part in parts}, reverse=True)
            for day in days:
                self._check_range(day, day)
            return days
        if self.kind == TIME:
            match = re.fullmatch(r"(\d{1,2})[:：](\d{2})", text)
            if not match or int(match.group(1)) > 23 or int(match.group(2)) > 59:
                raise ValidationError(
                    {self.name: f"“{self.label}”须为 00:00 至 23:59 之间的时刻，如“09:00”（收到“{text}”）。"}
                )
            return f"{int(match.group(1)):02d}:{match.group(2)}"
        if self.kind == SIZE:
            if isinstance(raw, int):  # a stored value: bytes
                number = raw
            else:
                try:
                    megabytes = Decimal(text)
                except InvalidOperation:
                    megabytes = None
                if megabytes is None or not megabytes.is_finite():
                    raise ValidationError({self.name: f"“{self.label}”须为以 MB 计的数字（收到“{text}”）。"})
                number = int((megabytes * MB).to_integral_value(ROUND_HALF_UP))
            self._check_range(number, _mb_text(number))
            return number
        raise ValueError(f"unknown parameter kind {self.kind}")

    def _check_range(self, number: int, shown: Any) -> None:
        low, high = self.min_value, self.max_value
        if self.kind == SIZE:
            low_text, high_text = _mb_text(low), _mb_text(high)
        else:
            low_text, high_text = low, high
        if (low is not None and number < low) or (high is not None and number > high):
            raise ValidationError(
                {
                    self.name: f"“{self.label}”须在 {low_text} 至 {high_text}{self.unit}之间"
                    f"（收到 {shown}{self.unit}）。"
                }
            )

    def form_text(self, value: Any) -> str:
        if self.kind == DAYS:
            return ", ".join(str(day) for day in value)
        if self.kind == SIZE:
            return _mb_text(value)
        return str(value)

    def text(self, value: Any) -> str:
        """The value as the page and the audit log show it."""
        if self.kind == DAYS:
            return "、".join(str(day) for day in value) + self.unit if value else "不提醒"
        if self.kind == SIZE:
            return f"{_mb_text(value)} MB"
        return f"{value}{self.unit}"

    def stored(self, value: Any) -> Any:
        """The JSON a ParameterValue row holds."""
        return list(value) if self.kind == DAYS else value


def _mb_text(number: int | None) -> str:
    if number is None:
        return ""
    megabytes = (Decimal(number) / MB).quantize(Decimal("0.01"), ROUND_HALF_UP).normalize()
    return f"{megabytes:f}"


# ------------------------------------------------------------------------------------------ declarations


def _setting(name: str, fallback: Any) -> Callable[[], Any]:
    return lambda: getattr(settings, name, fallback)


def _days_setting(name: str, fallback: tuple[int, ...]) -> Callable[[], list[int]]:
    return lambda: sorted(getattr(settings, name, fallback), reverse=True)


def _beat_entry(entry: str) -> Any:
    return settings.CELERY_BEAT_SCHEDULE[entry]["schedule"]


def _beat_time(entry: str) -> Callable[[], str]:
    """The time of day of a daily crontab entry of CELERY_BEAT_SCHEDULE ("09:00")."""

    def default() -> str:
        schedule = _beat_entry(entry)
        return f"{min(schedule.hour):02d}:{min(schedule.minute):02d}"

    return default


def _beat_minute(entry: str) -> Callable[[], int]:
    return lambda: min(_beat_entry(entry).minute)


def _beat_seconds(entry: str) -> Callable[[], int]:
    def default() -> int:
        schedule = _beat_entry(entry)
        seconds = schedule if isinstance(schedule, int | float) else schedule.run_every.total_seconds()
        return int(seconds)

    return default


def _daily(value: str):
    from celery.schedules import crontab

    hour, minute = value.split(":")
    return crontab(minute=int(minute), hour=int(hour))


def _hourly(value: int):
    from celery.schedules import crontab

    return crontab(minute=value)


def _every(value: int) -> float:
    return float(value)


FILING = "县区月度报送"
EXPERTS = "专家网评"
SESSIONS = "账户与会话"
UPLOADS = "上传限制"
BEAT = "定时任务"
TOPICS: Final = (FILING, EXPERTS, SESSIONS, UPLOADS, BEAT)

PARAMETERS: Final[tuple[Parameter, ...]] = (
    Parameter(
        name="filing_deadline_days",
        label="月度报送截止日",
        topic=FILING,
        help_text="某月的月度工作动态在次月第几天（自然日）结束时截止；0 表示当月最后一天截止。"
        "截止后报送记为逾期。",
        kind=INT,
        default=_setting("FILING_DEADLINE_DAYS", 5),
        setting="FILING_DEADLINE_DAYS",
        min_value=0,
        max_value=28,
        unit=" 天",
    ),
    Parameter(
        name="filing_reminder_days_before",
        label="截止前提醒",
        topic=FILING,
        help_text="在最后报送日之前的第几天提醒尚未报送的县区，多个天数用逗号分隔。",
        kind=DAYS,
        default=_days_setting("FILING_REMINDER_DAYS_BEFORE", (3, 1)),
        setting="FILING_REMINDER_DAYS_BEFORE",
        min_value=1,
        max_value=28,
        unit=" 天",
    ),
    Parameter(
        name="filing_reminder_days_after",
        label="逾期后提醒",
        topic=FILING,
        help_text="在最后报送日之后的第几天再次提醒尚未报送的县区，多个天数用逗号分隔。",
        kind=DAYS,
        default=_days_setting("FILING_REMINDER_DAYS_AFTER", (1, 3)),
        setting="FILING_REMINDER_DAYS_AFTER",
        min_value=1,
        max_value=28,
        unit=" 天",
    ),
    Parameter(
        name="expert_review_reminder_hours",
        label="网评截止前提醒",
        topic=EXPERTS,
        help_text="距评审组网评截止时间不足该小时数时，提醒尚未提交的专家（每人一次）。",
        kind=INT,
        default=_setting("EXPERT_REVIEW_REMINDER_HOURS", 48),
        setting="EXPERT_REVIEW_REMINDER_HOURS",
        min_value=1,
        max_value=720,
        unit=" 小时",
    ),
    Parameter(
        name="session_limit_per_user",
        label="每个账户同时在线会话数",
        topic=SESSIONS,
        help_text="超过时，登录时结束该账户最早的会话；0 表示不限制。",
        kind=INT,
        default=_setting("SESSION_LIMIT_PER_USER", 3),
        setting="SESSION_LIMIT_PER_USER",
        min_value=0,
        max_value=20,
        unit=" 个",
    ),
    Parameter(
        name="project_attachment_max_bytes",
        label="项目附件大小上限",
        topic=UPLOADS,
        help_text="科技计划项目的申报书、任务书、年报、验收报告等附件，单个文件的大小上限。",
        kind=SIZE,
        default=_setting("PROJECTS_ATTACHMENT_MAX_BYTES", 20 * MB),
        setting="PROJECTS_ATTACHMENT_MAX_BYTES",
        min_value=1 * MB,
        max_value=100 * MB,
    ),
    Parameter(
        name="application_attachment_max_bytes",
        label="在线申报附件大小上限",
        topic=UPLOADS,
        help_text="申报单位在线申报时上传的附件，单个文件的大小上限。",
        kind=SIZE,
        default=_setting("APPLICATIONS_ATTACHMENT_MAX_BYTES", 20 * MB),
        setting="APPLICATIONS_ATTACHMENT_MAX_BYTES",
        min_value=1 * MB,
        max_value=100 * MB,
    ),
    Parameter(
        name="announcement_attachment_max_bytes",
        label="通知公告附件大小上限",
        topic=UPLOADS,
        help_text="局业务人员发布通知公告时上传的附件，单个文件的大小上限。",
        kind=SIZE,
        default=_setting("ANNOUNCEMENTS_ATTACHMENT_MAX_BYTES", 20 * MB),
        setting="ANNOUNCEMENTS_ATTACHMENT_MAX_BYTES",
        min_value=1 * MB,
        max_value=100 * MB,
    ),
    Parameter(
        name="filing_attachment_max_bytes",
        label="月度报送附件大小上限",
        topic=UPLOADS,
        help_text="县区月度工作动态的附件，单个文件的大小上限。",
        kind=SIZE,
        default=_setting("REPORTING_ATTACHMENT_MAX_BYTES", 10 * MB),
        setting="REPORTING_ATTACHMENT_MAX_BYTES",
        min_value=1 * MB,
        max_value=100 * MB,
    ),
    Parameter(
        name="outreach_photo_max_bytes",
        label="科普活动照片大小上限",
        topic=UPLOADS,
        help_text="科普基地活动照片（PNG、JPEG），单张的大小上限。",
        kind=SIZE,
        default=_setting("OUTREACH_PHOTO_MAX_BYTES", 10 * MB),
        setting="OUTREACH_PHOTO_MAX_BYTES",
        min_value=1 * MB,
        max_value=50 * MB,
    ),
    Parameter(
        name="licence_max_bytes",
        label="营业执照扫描件大小上限",
        topic=UPLOADS,
        help_text="申报单位注册时上传的营业执照（或登记证书）扫描件的大小上限。",
        kind=SIZE,
        default=_setting("UNITS_LICENCE_MAX_BYTES", 10 * MB),
        setting="UNITS_LICENCE_MAX_BYTES",
        min_value=1 * MB,
        max_value=50 * MB,
    ),
    Parameter(
        name="filing_reminder_time",
        label="月度报送提醒时刻",
        topic=BEAT,
        help_text="每天在该时刻检查并提醒尚未报送的县区（北京时间）。",
        kind=TIME,
        default=_beat_time("reporting-filing-reminders"),
        beat_entry="reporting-filing-reminders",
        beat_schedule=_daily,
    ),
    Parameter(
        name="monthly_report_time",
        label="月度进展报告生成时刻",
        topic=BEAT,
        help_text="每天在该时刻检查上月报送是否已截止，截止后生成月度进展报告（北京时间）。",
        kind=TIME,
        default=_beat_time("reporting-monthly-report"),
        beat_entry="reporting-monthly-report",
        beat_schedule=_daily,
    ),
    Parameter(
        name="expert_reminder_minute",
        label="网评提醒（每小时第几分钟）",
        topic=BEAT,
        help_text="每小时在该分钟检查并提醒网评即将截止而尚未提交的专家。",
        kind=INT,
        default=_beat_minute("experts-online-review-reminders"),
        min_value=0,
        max_value=59,
        unit=" 分",
        beat_entry="experts-online-review-reminders",
        beat_schedule=_hourly,
    ),
    Parameter(
        name="report_job_requeue_seconds",
        label="报表任务补发间隔",
        topic=BEAT,
        help_text="每隔该秒数，把因消息丢失而一直排队的报表、导出任务重新放入队列。",
        kind=INT,
        default=_beat_seconds("requeue-stale-report-jobs"),
        min_value=60,
        max_value=3600,
        unit=" 秒",
        beat_entry="requeue-stale-report-jobs",
        beat_schedule=_every,
    ),
    Parameter(
        name="import_uploads_sweep_seconds",
        label="导入预览文件清理间隔",
        topic=BEAT,
        help_text="每隔该秒数，删除一天前上传而未确认导入的文件。",
        kind=INT,
        default=_beat_seconds("sweep-import-uploads"),
        min_value=300,
        max_value=86400,
        unit=" 秒",
        beat_entry="sweep-import-uploads",
        beat_schedule=_every,
    ),
)
REGISTRY: Final[dict[str, Parameter]] = {parameter.name: parameter for parameter in PARAMETERS}


def get(name: str) -> Parameter:
    return REGISTRY[name]


# ------------------------------------------------------------------------------------------------ reading

_lock = threading.Lock()
_memo: tuple[int | None, dict[str, Any]] | None = None
_pending = False


def _load() -> dict[str, Any]:
    from .models import ParameterValue

    found: dict[str, Any] = {}
    for name, stored in ParameterValue.objects.values_list("name", "value"):
        parameter = REGISTRY.get(name)
        if parameter is None:
            continue  # a parameter no longer declared
        try:
            found[name] = stored_value(parameter, stored)
        except (ValidationError, TypeError, ValueError):
            continue  # out of a narrowed range: the default applies until the admin saves a value
    return found


def stored_value(parameter: Parameter, stored: Any) -> Any:
    """The value of a ParameterValue row's JSON (checked as the form's text is)."""
    return parameter.parse(parameter.form_text(stored) if parameter.kind == DAYS else stored)


def version() -> int | None:
    try:
        return cache.get(VERSION_KEY, 0)
    except Exception:  # the cache is down: read the rows every time rather than trust a stale copy
        return None


def saved_values() -> dict[str, Any]:
    """{name: value} of the parameters the admin has set (the others take their defaults)."""
    global _memo, _pending
    if _pending and not transaction.get_connection().in_atomic_block:
        _pending = False  # the transaction that changed rows ended without its commit callback: rolled back
        _memo = None
    current = version()
    memo = _memo
    if memo is not None and current is not None and memo[0] == current:
        return memo[1]
    with _lock:
        values = _load()
        if not _pending:
            _memo = (current, values)
    return values


def value(name: str) -> Any:
    """The value code uses: the admin's, or the default (today's setting)."""
    saved = saved_values()
    if name in saved:
        return saved[name]
    return default(name)


def default(name: str) -> Any:
    parameter = REGISTRY[name]
    found = parameter.default()
    return sorted(found, reverse=True) if parameter.kind == DAYS else found


def forget() -> None:
    """Drop this process's copy (the next call reads the rows again)."""
    global _memo, _pending
    _memo = None
    _pending = False


def _committed() -> None:
    forget()
    raise_version(VERSION_KEY)


def changed() -> None:
    """A value was saved or reset: every process reads the rows again after the commit; until then this
    process reads them from the database each time."""
    global _memo, _pending
    _memo = None
    if transaction.get_connection().in_atomic_block:
        _pending = True
        transaction.on_commit(_committed)
    else:
        _committed()


def beat_schedule(base: dict[str, dict]) -> dict[str, dict]:
    """CELERY_BEAT_SCHEDULE with the schedules its parameters set (entries without one unchanged)."""
    effective = {name: dict(entry) for name, entry in base.items()}
    for parameter in PARAMETERS:
        if parameter.beat_entry in effective and parameter.beat_schedule is not None:
            effective[parameter.beat_entry]["schedule"] = parameter.beat_schedule(value(parameter.name))
    return effective
