from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone

from .jobs import get_job_kind


class AuditEvent(models.Model):
    """An event that is not a row change: logins, logouts, lockouts, exports, downloads, state transitions.

    Row changes (create/update/delete with the changed fields) are django-auditlog's LogEntry."""

    class Type(models.TextChoices):
        LOGIN = "login", "登录"
        LOGIN_FAILED = "login_failed", "登录失败"
        LOGOUT = "logout", "退出"
        LOCKOUT = "lockout", "账户锁定"
        UNLOCK = "unlock", "解除锁定"
        PERMISSION_DENIED = "permission_denied", "拒绝访问"
        EXPORT = "export", "导出"
        DOWNLOAD = "download", "下载"
        TRANSITION = "transition", "状态变更"
        UNMASK = "unmask", "查看敏感信息"
        ACCOUNT = "account", "账户管理"
        ARCHIVE = "archive", "审计归档"
        SESSION_END = "session_end", "结束会话"
        PARAMETER = "parameter", "系统参数"

    class Outcome(models.TextChoices):
        SUCCESS = "success", "成功"
        FAILURE = "failure", "失败"

    created_at = models.DateTimeField("时间", auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="用户",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    username = models.CharField("用户名", max_length=150, blank=True)
    ip_address = models.GenericIPAddressField("IP 地址", null=True, blank=True)
    event_type = models.CharField("事件类型", max_length=32, choices=Type.choices, db_index=True)
    outcome = models.CharField("结果", max_length=16, choices=Outcome.choices, default=Outcome.SUCCESS)
    object_repr = models.CharField("对象", max_length=255, blank=True)
    detail = models.TextField("说明", blank=True)

    class Meta:
        verbose_name = "安全事件"
        verbose_name_plural = "安全事件"
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.username} {self.get_event_type_display()}"


class ReportJob(models.Model):
    """A generated file (report, export) and the state of the job that builds it."""

    class State(models.TextChoices):
        PENDING = "pending", "排队中"
        RUNNING = "running", "生成中"
        SUCCEEDED = "succeeded", "已完成"
        FAILED = "failed", "失败"

    kind = models.CharField("类型", max_length=64, db_index=True)
    parameters = models.JSONField("参数", default=dict, blank=True)
    state = models.CharField(
        "状态", max_length=16, choices=State.choices, default=State.PENDING, db_index=True
    )
    file = models.FileField("文件", upload_to="reports/%Y/%m/", blank=True, max_length=255)
    # The name the file is downloaded and shown under: the storage may add a suffix to the stored name
    # (年度工作综述-2023_EH7poJO.pdf) when one of that name exists already.
    display_name = models.CharField("文件名", max_length=255, blank=True)
    result = models.JSONField("结果数据", default=dict, blank=True)
    error = models.TextField("错误信息", blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="申请人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="report_jobs",
    )
    # The requester's address (kejiju.core.clientip): what the job writes to the audit log carries it.
    client_ip = models.GenericIPAddressField("申请人 IP 地址", null=True, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    heartbeat_at = models.DateTimeField("心跳时间", null=True, blank=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    attempts = models.PositiveIntegerField("执行次数", default=0)
    # The last message sent for the job (its Celery task id) and when: the sweeper sends another only
    # when that one is no longer waiting in the broker's queue.
    queued_at = models.DateTimeField("入队时间", null=True, blank=True)
    message_id = models.CharField("消息编号", max_length=64, blank=True)

    class Meta:
        verbose_name = "报表任务"
        verbose_name_plural = "报表任务"
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["kind", "-created_at"])]

    def __str__(self) -> str:
        """What a user reads of a job, in the audit log too: its title and number, never its kind code."""
        return f"{self.title} #{self.pk}"

    @property
    def title(self) -> str:
        """The kind's Chinese title for these parameters (2026年11月月度进展报告), or its label; a kind no
        longer registered reads as the model's name."""
        try:
            kind = get_job_kind(self.kind)
        except LookupError:
            return str(self._meta.verbose_name)
        try:
            return kind.title(self.parameters)
        except (KeyError, TypeError):  # parameters missing what the title names
            return kind.label

    @property
    def duration_seconds(self) -> float | None:
        if self.started_at and self.finished_at:
            return (self.finished_at - self.started_at).total_seconds()
        return None

    @property
    def filename(self) -> str:
        if not self.file:
            return ""
        return self.display_name or self.file.name.rsplit("/", 1)[-1]


class OrganizationQuerySet(models.QuerySet):
    region_field = "region"

    def visible_to(self, user):
        from kejiju.core.scoping import RegionScopedQuerySet

        return RegionScopedQuerySet.visible_to(self, user)


class Organization(models.Model):
    """A unit (单位): an enterprise, university, institute or other body. Experts' employers, platforms'
    host units, project applicants and enterprises all point here, so conflicts of interest compare one
    key. The enterprises app keeps an enterprise's own record beside its Organization."""

    class Kind(models.TextChoices):
        ENTERPRISE = "enterprise", "企业"
        UNIVERSITY = "university", "高等院校"
        INSTITUTE = "institute", "科研院所"
        GOVERNMENT = "government", "机关事业单位"
        OTHER = "other", "其他"

    name = models.CharField("单位名称", max_length=200)
    kind = models.CharField("单位类型", max_length=16, choices=Kind.choices, default=Kind.ENTERPRISE)
    uscc = models.CharField("统一社会信用代码", max_length=18, blank=True)
    region = models.ForeignKey(
        "accounts.Region",
        verbose_name="所在县区",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="organizations",
    )
    # A university outside the city (a 省校合作 partner) has no region.
    is_active = models.BooleanField("有效", default=True)

    objects = OrganizationQuerySet.as_manager()
    unit_field = "pk"  # an account bound to a unit sees that unit

    class Meta:
        verbose_name = "单位"
        verbose_name_plural = "单位"
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["uscc"],
                condition=~models.Q(uscc=""),
                name="organization_uscc_unique",
                violation_error_message="该统一社会信用代码已被单位库中的其他单位使用。",
            ),
            # A unit recorded twice (once with its code, once by name only) would be offered twice in every
            # select and counted twice; core.services.organization_save is the check a person sees.
            models.UniqueConstraint(
                fields=["name"],
                name="organization_name_unique",
                violation_error_message="单位库中已有同名单位，请核对单位名称。",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("core:organization_detail", kwargs={"pk": self.pk})


class HolidayArrangement(models.Model):
    """One year's 节假日安排 as the 国务院办公厅's notice publishes it: the holiday ranges and the weekend
    days worked instead (调休上班). Working days (kejiju.core.workdays) are computed from these rows; a year
    without a row cannot be computed, and a period reaching into it is refused with a message."""

    year = models.PositiveSmallIntegerField(
        "年度", unique=True, error_messages={"unique": "该年度的节假日安排已录入，请修改原记录。"}
    )
    notice_title = models.CharField("通知标题", max_length=200)
    document_number = models.CharField("文号", max_length=100, blank=True)
    published_on = models.DateField("发布日期")
    url = models.URLField("原文链接", max_length=500, blank=True)
    amendments = models.TextField("后续调整", blank=True)
    # [[name, first ISO day, last ISO day], …] in notice order, and [ISO day, …]: kept as published.
    holidays = models.JSONField("放假安排", default=list)
    makeup_workdays = models.JSONField("调休上班日", default=list, blank=True)

    class Meta:
        verbose_name = "节假日安排"
        verbose_name_plural = "节假日安排"
        ordering = ["-year"]
        permissions = [("be_warned_holidayarrangement", "首页提醒补录下一年节假日安排")]

    def __str__(self) -> str:
        return f"{self.year}年节假日安排"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("core:holidayarrangement_detail", kwargs={"pk": self.pk})

    @property
    def source(self) -> str:
        from .holidays import source_text

        return source_text(
            notice_title=self.notice_title,
            document_number=self.document_number,
            published_on=self.published_on,
            amendments=self.amendments,
        )

    def clean(self) -> None:
        from datetime import date

        from django.core.exceptions import ValidationError

        from .holidays import MAX_YEAR, MIN_YEAR, arrangement_problems, window

        if self.year is None:
            return
        if not MIN_YEAR <= self.year <= MAX_YEAR:
            raise ValidationError({"year": f"年度应在{MIN_YEAR}至{MAX_YEAR}之间。"})
        if self.notice_title and f"{self.year}年" not in self.notice_title:
            raise ValidationError(
                {
                    "notice_title": f"通知标题应为“国务院办公厅关于{self.year}年部分节假日安排的通知”，"
                    f"未含“{self.year}年”。"
                }
            )
        try:
            holidays = [(str(n), date.fromisoformat(a), date.fromisoformat(b)) for n, a, b in self.holidays]
            makeup = [date.fromisoformat(day) for day in self.makeup_workdays]
        except (TypeError, ValueError):
            raise ValidationError({"holidays": "放假安排的数据格式有误。"}) from None
        # Days the neighbouring years' notices already name (a 元旦 holiday may start in late December).
        first, last = window(self.year)
        neighbours: dict = {}
        others = HolidayArrangement.objects.filter(year__in=[self.year - 1, self.year + 1])
        others = others.exclude(pk=self.pk)
        for other in others:
            for name, start, end in other.holidays:
                day, end_day = date.fromisoformat(start), date.fromisoformat(end)
                while day <= end_day:
                    if first <= day <= last:
                        neighbours[day] = f"{other.year}年节假日安排的“{name}”"
                    day = day.fromordinal(day.toordinal() + 1)
            for iso in other.makeup_workdays:
                day = date.fromisoformat(iso)
                if first <= day <= last:
                    neighbours[day] = f"{other.year}年节假日安排的调休上班日"
        problems = arrangement_problems(
            year=self.year, holidays=holidays, makeup_workdays=makeup, neighbours=neighbours
        )
        if problems:
            raise ValidationError(problems)


class WorkflowEvent(models.Model):
    """One step in a record's life, for every workflow of every app (kejiju.core.workflow): a state
    transition (from → to) or a recorded step that keeps the state (a 年报, a reminder, a draw).

    `recorded_at` is when the portal recorded the step; `effective_on` the date the step took effect, which
    may be earlier (a 认定 decided last week, entered today). The events are the record's history: what
    state it was in on a given day is read from them (`kejiju.core.workflow.selectors.state_on`)."""

    content_type = models.ForeignKey(
        "contenttypes.ContentType", verbose_name="对象类型", on_delete=models.CASCADE, related_name="+"
    )
    object_id = models.PositiveBigIntegerField("对象")
    subject = GenericForeignKey("content_type", "object_id")
    workflow = models.CharField("流程", max_length=40)
    action = models.CharField("操作", max_length=32)
    label = models.CharField("操作名称", max_length=100)
    from_state = models.CharField("原状态", max_length=24, blank=True)
    to_state = models.CharField("新状态", max_length=24, blank=True)
    effective_on = models.DateField("生效日期")
    recorded_at = models.DateTimeField("记录时间", default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    client_ip = models.GenericIPAddressField("IP 地址", null=True, blank=True)
    comment = models.TextField("说明", blank=True)
    # What the step decided besides the state (a level, a certificate number, a score …), as shown.
    data = models.JSONField("其他信息", default=dict, blank=True, encoder=DjangoJSONEncoder)

    class Meta:
        verbose_name = "流程记录"
        verbose_name_plural = "流程记录"
        ordering = ["recorded_at", "pk"]
        indexes = [
            models.Index(fields=["content_type", "object_id", "effective_on"], name="core_wfevent_subject"),
            models.Index(fields=["workflow", "action", "effective_on"], name="core_wfevent_action"),
        ]

    def __str__(self) -> str:
        return f"{self.label} {self.effective_on:%Y-%m-%d}"

    @property
    def is_transition(self) -> bool:
        return bool(self.to_state) and self.from_state != self.to_state

    def _state_label(self, state: str) -> str:
        from kejiju.core.workflow.declarations import state_label

        return state_label(self.workflow, state)

    @property
    def from_label(self) -> str:
        return self._state_label(self.from_state)

    @property
    def data_display(self) -> list[tuple[str, object]]:
        """(label, value) of what the step decided besides the state, labelled by its workflow."""
        from kejiju.core.workflow.declarations import workflows

        flow = workflows().get(self.workflow)
        labels = getattr(flow, "data_labels", {}) or {}
        values = getattr(flow, "data_values", {}) or {}

        def shown(key, value):
            if isinstance(value, bool):
                return "是" if value else "否"
            return values.get(key, {}).get(value, value) if isinstance(value, str) else value

        return [
            (labels.get(key, key), shown(key, value))
            for key, value in (self.data or {}).items()
            if value not in ("", None)
        ]

    @property
    def to_label(self) -> str:
        return self._state_label(self.to_state)


class ParameterValue(models.Model):
    """A value the system admin saved for one 系统参数 (declared in kejiju.core.parameters); a parameter
    without a row takes its default, today's setting. Each change is an AuditEvent (系统参数) with the old
    and the new value."""

    name = models.CharField(
        "参数", max_length=64, unique=True, error_messages={"unique": "该参数已有设定值，请修改原值。"}
    )
    value = models.JSONField("设定值")
    changed_at = models.DateTimeField("修改时间", auto_now=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="修改人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = "系统参数"
        verbose_name_plural = "系统参数"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
