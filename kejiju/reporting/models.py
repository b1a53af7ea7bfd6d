"""County reporting: yearly task lists (清单化管理), monthly dynamics filings, their review and the monthly
progress report."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone

from kejiju.core.scoping import RegionScopedQuerySet
from kejiju.core.uploads import generated_name

from . import rules


class TaskCategory(models.TextChoices):
    CONVERSION_BASE = "conversion_base", "高校科技成果转化基地"
    INDUSTRIAL_PARK = "industrial_park", "产业园"
    TECH_VP = "tech_vp", "科技副总"
    GAOQI = "gaoqi", "高企培育"
    PLATFORM = "platform", "平台建设"
    OTHER = "other", "其他"


class CountyTask(models.Model):
    """One line of a county's yearly task list; the bureau sets it or approves a county's proposal."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", "待审核"
        APPROVED = "approved", "已确认"

    region = models.ForeignKey(
        "accounts.Region", verbose_name="县区", on_delete=models.PROTECT, related_name="county_tasks"
    )
    year = models.PositiveIntegerField("年度", validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    category = models.CharField("类别", max_length=32, choices=TaskCategory.choices)
    title = models.CharField("任务名称", max_length=200)
    partner = models.CharField("合作单位", max_length=200, blank=True, help_text="如合作高校")
    target_quantity = models.PositiveIntegerField("目标数量", default=1)
    unit = models.CharField("计量单位", max_length=10, default="项")
    deadline = models.DateField("完成时限")
    status = models.CharField("审核状态", max_length=16, choices=Status.choices, default=Status.PROPOSED)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审核人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    approved_at = models.DateTimeField("审核时间", null=True, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    events = GenericRelation("core.WorkflowEvent", related_query_name="countytask")

    objects = RegionScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "年度任务"
        verbose_name_plural = "年度任务清单"
        ordering = ["-year", "region__sort_order", "category", "pk"]
        permissions = [
            ("approve_countytask", "审核年度任务"),
            ("change_approved_countytask", "修改或删除已确认的年度任务"),
        ]
        indexes = [models.Index(fields=["region", "year"])]

    def __str__(self) -> str:
        return f"{self.year} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("reporting:countytask_detail", kwargs={"pk": self.pk})

    def clean(self) -> None:
        super().clean()
        if self.target_quantity is not None and self.target_quantity < 1:
            raise ValidationError({"target_quantity": "目标数量至少为 1。"})
        if self.region_id and not self.region.is_county_level:
            raise ValidationError({"region": "任务只能下达到县（市、区）或功能区。"})
        if self.deadline and self.year and self.deadline.year != self.year:
            raise ValidationError({"deadline": "完成时限应在任务年度之内。"})


class MonthlyFiling(models.Model):
    """One county's monthly work dynamics (月度工作动态) for one month."""

    State = rules.FilingState

    region = models.ForeignKey(
        "accounts.Region", verbose_name="县区", on_delete=models.PROTECT, related_name="monthly_filings"
    )
    year = models.PositiveIntegerField("年度")
    month = models.PositiveSmallIntegerField("月份", validators=[MinValueValidator(1), MaxValueValidator(12)])
    state = models.CharField("状态", max_length=16, choices=State.choices, default=State.DRAFT, db_index=True)
    key_progress = models.TextField("重点工作进展", blank=True)
    problems = models.TextField("存在问题", blank=True)
    next_plan = models.TextField("下月计划", blank=True)
    first_submitted_at = models.DateTimeField("首次报送时间", null=True, blank=True)
    submitted_at = models.DateTimeField("最近报送时间", null=True, blank=True)
    is_late = models.BooleanField("逾期报送", default=False)
    reviewed_at = models.DateTimeField("审核时间", null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审核人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    return_reason = models.TextField("退回原因", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="填报人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    events = GenericRelation("core.WorkflowEvent", related_query_name="monthlyfiling")

    objects = RegionScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "月度工作动态"
        verbose_name_plural = "月度工作动态"
        ordering = ["-year", "-month", "region__sort_order"]
        permissions = [
            ("review_monthlyfiling", "审核月度工作动态"),
            ("submit_monthlyfiling", "报送本县区月度工作动态"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "year", "month"],
                name="monthlyfiling_one_per_month",
                violation_error_message="该县区本月已有工作动态填报。",
            )
        ]
        indexes = [models.Index(fields=["year", "month"])]

    def __str__(self) -> str:
        return f"{self.region} {self.year}年{self.month}月工作动态"

    def get_absolute_url(self) -> str:
        return reverse("reporting:monthlyfiling_detail", kwargs={"pk": self.pk})

    @property
    def period(self) -> str:
        return f"{self.year}-{self.month:02d}"

    @property
    def deadline(self):
        return rules.filing_deadline(self.year, self.month)

    @property
    def is_editable_state(self) -> bool:
        return self.state in rules.EDITABLE_STATES


class TaskProgress(models.Model):
    class Status(models.TextChoices):
        NOT_STARTED = "not_started", "未启动"
        IN_PROGRESS = "in_progress", "推进中"
        DONE = "done", "已完成"
        BEHIND = "behind", "滞后"

    filing = models.ForeignKey(
        MonthlyFiling, verbose_name="月度动态", on_delete=models.CASCADE, related_name="progress"
    )
    task = models.ForeignKey(
        CountyTask, verbose_name="任务", on_delete=models.PROTECT, related_name="progress"
    )
    done_quantity = models.IntegerField("累计完成数量", default=0)
    percent = models.DecimalField("完成进度(%)", max_digits=4, decimal_places=1, default=0)
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.NOT_STARTED)
    note = models.CharField("进展说明", max_length=500, blank=True)

    class Meta:
        verbose_name = "任务进展"
        verbose_name_plural = "任务进展"
        ordering = ["task__category", "task_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["filing", "task"],
                name="taskprogress_one_per_task",
                violation_error_message="本期填报中该任务已填写进度。",
            )
        ]

    def __str__(self) -> str:
        return f"{self.task.title}：{self.done_quantity}/{self.task.target_quantity}"

    def clean(self) -> None:
        super().clean()
        errors = {}
        if self.done_quantity is not None and self.done_quantity < 0:
            errors["done_quantity"] = "累计完成数量不能为负数。"
        if self.percent is not None and not (0 <= self.percent <= 100):
            errors["percent"] = "完成进度应在 0 到 100 之间。"
        if errors:
            raise ValidationError(errors)


class FigureEntry(models.Model):
    """One of the month's figures (新入库企业、平台、项目 …), prefilled from a registered provider when the
    system knows it; a changed value carries a reason."""

    filing = models.ForeignKey(
        MonthlyFiling, verbose_name="月度动态", on_delete=models.CASCADE, related_name="figures"
    )
    key = models.CharField("指标", max_length=40)
    label = models.CharField("指标名称", max_length=80)
    value = models.IntegerField("填报值", default=0)
    system_value = models.IntegerField("系统值", null=True, blank=True)
    reason = models.CharField("修改原因", max_length=300, blank=True)

    class Meta:
        verbose_name = "月度数据"
        verbose_name_plural = "月度数据"
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["filing", "key"],
                name="figureentry_one_per_key",
                violation_error_message="本期填报中该指标已填写。",
            )
        ]

    def __str__(self) -> str:
        return f"{self.label}：{self.value}"

    def clean(self) -> None:
        super().clean()
        if self.value is not None and self.value < 0:
            raise ValidationError({"value": f"“{self.label}”不能为负数。"})
        if rules.figure_needs_reason(self.value, self.system_value) and not self.reason.strip():
            raise ValidationError(
                {"reason": f"“{self.label}”与系统数据（{self.system_value}）不一致，请填写修改原因。"}
            )


def _attachment_path(instance, filename: str) -> str:
    """The former upload_to (the client's name under the filing's month), referenced by migration 0001 only;
    files are now stored under generated names."""
    return generated_name("reporting")(instance, filename)


ATTACHMENT_EXTENSIONS = ["pdf", "ofd", "doc", "docx", "xls", "xlsx", "jpg", "jpeg", "png", "zip"]


class FilingAttachment(models.Model):
    filing = models.ForeignKey(
        MonthlyFiling, verbose_name="月度动态", on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(
        "附件",
        upload_to=generated_name("reporting"),
        max_length=255,
        validators=[FileExtensionValidator(ATTACHMENT_EXTENSIONS)],
    )
    original_name = models.CharField("原文件名", max_length=255)
    size = models.PositiveIntegerField("大小(字节)", default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="上传人",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = "附件"
        verbose_name_plural = "附件"
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.original_name


class FilingException(models.Model):
    """The bureau reopens one county's month after its deadline (补报例外), with a reason and an expiry."""

    region = models.ForeignKey(
        "accounts.Region", verbose_name="县区", on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveIntegerField("年度")
    month = models.PositiveSmallIntegerField("月份", validators=[MinValueValidator(1), MaxValueValidator(12)])
    reason = models.TextField("解锁原因")
    expires_at = models.DateTimeField("有效期至")
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="批准人",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    objects = RegionScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "补报解锁"
        verbose_name_plural = "补报解锁"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        until = timezone.localtime(self.expires_at)
        return f"{self.region} {self.year}年{self.month}月 解锁至 {until:%Y-%m-%d %H:%M}"


class Notice(models.Model):
    """An in-app notice to one user (filing reminders, returns)."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="接收人", on_delete=models.CASCADE, related_name="notices"
    )
    title = models.CharField("标题", max_length=200)
    body = models.TextField("内容", blank=True)
    url = models.CharField("链接", max_length=300, blank=True)
    created_at = models.DateTimeField("时间", default=timezone.now)
    read_at = models.DateTimeField("阅读时间", null=True, blank=True)

    class Meta:
        verbose_name = "通知"
        verbose_name_plural = "通知"
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self) -> str:
        return self.title


class FilingReminder(models.Model):
    """One reminder round sent to one county for one month on one day: makes the beat task idempotent."""

    region = models.ForeignKey(
        "accounts.Region", verbose_name="县区", on_delete=models.CASCADE, related_name="+"
    )
    year = models.PositiveIntegerField("年度")
    month = models.PositiveSmallIntegerField("月份")
    sent_on = models.DateField("发送日期")
    recipients = models.PositiveIntegerField("接收人数", default=0)
    created_at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = "报送提醒"
        verbose_name_plural = "报送提醒"
        constraints = [
            models.UniqueConstraint(
                fields=["region", "year", "month", "sent_on"],
                name="filingreminder_once_a_day",
                violation_error_message="今天已向该县区发送过本月填报提醒。",
            )
        ]

    def __str__(self) -> str:
        return f"{self.region} {self.year}-{self.month:02d} {self.sent_on}"


class MonthlyReport(models.Model):
    """The current monthly progress report of one month: points to its latest ReportJob (one file per
    month; a rebuild replaces the file and the job)."""

    year = models.PositiveIntegerField("年度")
    month = models.PositiveSmallIntegerField("月份", validators=[MinValueValidator(1), MaxValueValidator(12)])
    job = models.ForeignKey(
        "core.ReportJob",
        verbose_name="报表任务",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "月度进展报告"
        verbose_name_plural = "月度进展报告"
        ordering = ["-year", "-month"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "month"],
                name="monthlyreport_one_per_month",
                violation_error_message="本月已有进展报告。",
            )
        ]

    def __str__(self) -> str:
        return f"{self.year}年{self.month}月进展报告"

    def get_absolute_url(self) -> str:
        return reverse("reporting:monthlyreport_detail", kwargs={"year": self.year, "month": self.month})


class ResearcherTarget(models.Model):
    """科研人员倍增计划: a county's yearly target of research staff. Progress is computed from the
    enterprises' yearly 科技人员 and the recognised platforms' staff (kejiju.reporting.selectors)."""

    region = models.ForeignKey(
        "accounts.Region", verbose_name="县区", on_delete=models.PROTECT, related_name="researcher_targets"
    )
    year = models.PositiveIntegerField("年度", validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    target = models.PositiveIntegerField("科研人员目标（人）", validators=[MinValueValidator(1)])
    note = models.CharField("说明", max_length=200, blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = RegionScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "科研人员倍增目标"
        verbose_name_plural = "科研人员倍增目标"
        ordering = ["-year", "region__sort_order", "region__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "year"],
                name="researcher_target_unique",
                violation_error_message="该县区本年度已有科研人员目标。",
            )
        ]

    def __str__(self) -> str:
        return f"{self.region} {self.year}年科研人员目标{self.target}人"

    def get_absolute_url(self) -> str:
        return reverse("reporting:researchertarget_list") + f"?year={self.year}"
