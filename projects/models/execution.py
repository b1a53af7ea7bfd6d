"""What a running project files and asks: annual reports (年度报告), 中期检查 and 变更 requests."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse

from .projects import MONEY, Project, ProjectChildQuerySet


class AnnualReport(models.Model):
    """The yearly execution report (年度执行报告)."""

    region_field = "project__region"
    unit_field = "project__applicant"
    owner_field = "project__online_application__leader"
    project = models.ForeignKey(
        Project, verbose_name="项目", on_delete=models.CASCADE, related_name="annual_reports"
    )
    year = models.PositiveIntegerField("报告年度", validators=[MinValueValidator(2000)])
    filed_on = models.DateField("报送日期")
    progress = models.TextField("执行情况")
    spent = models.DecimalField("当年支出（元）", **MONEY, default=0, validators=[MinValueValidator(0)])

    objects = ProjectChildQuerySet.as_manager()

    class Meta:
        verbose_name = "年度执行报告"
        verbose_name_plural = "年度执行报告"
        ordering = ["year"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "year"],
                name="projects_annualreport_unique",
                violation_error_message="该项目本年度已有年度报告。",
            )
        ]

    def __str__(self) -> str:
        return f"{self.year} 年度报告"


class MidtermCheck(models.Model):
    """A 中期检查 and its conclusion."""

    class Conclusion(models.TextChoices):
        CONTINUE = "continue", "继续执行"
        ADJUST = "adjust", "调整后继续"
        STOP = "stop", "建议终止"

    region_field = "project__region"
    unit_field = "project__applicant"
    owner_field = "project__online_application__leader"
    project = models.ForeignKey(
        Project, verbose_name="项目", on_delete=models.CASCADE, related_name="midterm_checks"
    )
    checked_on = models.DateField("检查日期")
    conclusion = models.CharField("检查结论", max_length=16, choices=Conclusion.choices)
    findings = models.TextField("检查意见")

    objects = ProjectChildQuerySet.as_manager()

    class Meta:
        verbose_name = "中期检查"
        verbose_name_plural = "中期检查"
        ordering = ["checked_on"]

    def __str__(self) -> str:
        return f"{self.checked_on} {self.get_conclusion_display()}"


class ChangeRequest(models.Model):
    """A 变更 request: new dates, new money, or a new principal investigator."""

    class Kind(models.TextChoices):
        DATES = "dates", "项目期限"
        BUDGET = "budget", "经费预算"
        LEADER = "leader", "项目负责人"

    class Decision(models.TextChoices):
        PENDING = "pending", "待审批"
        APPROVED = "approved", "已批准"
        REFUSED = "refused", "已驳回"

    region_field = "project__region"
    unit_field = "project__applicant"
    owner_field = "project__online_application__leader"
    project = models.ForeignKey(
        Project, verbose_name="项目", on_delete=models.CASCADE, related_name="change_requests"
    )
    kind = models.CharField("变更类型", max_length=16, choices=Kind.choices)
    reason = models.TextField("变更理由")
    new_start_date = models.DateField("新起始日期", null=True, blank=True)
    new_end_date = models.DateField("新结束日期", null=True, blank=True)
    new_city_grant = models.DecimalField(
        "新市级资金（元）", **MONEY, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    new_self_raised = models.DecimalField(
        "新自筹资金（元）", **MONEY, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    new_pi_name = models.CharField("新负责人", max_length=50, blank=True)
    new_pi_mobile = models.CharField("新负责人手机", max_length=11, blank=True)
    decision = models.CharField(
        "审批结果", max_length=16, choices=Decision.choices, default=Decision.PENDING, db_index=True
    )
    decision_comment = models.TextField("审批意见", blank=True)
    requested_at = models.DateTimeField("申请时间", auto_now_add=True)
    decided_at = models.DateTimeField("审批时间", null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审批人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    events = GenericRelation("core.WorkflowEvent", related_query_name="changerequest")

    objects = ProjectChildQuerySet.as_manager()

    class Meta:
        verbose_name = "项目变更"
        verbose_name_plural = "项目变更"
        ordering = ["-requested_at", "-pk"]
        permissions = [("decide_changerequest", "审批项目变更")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}变更（{self.get_decision_display()}）"

    def get_absolute_url(self) -> str:
        return reverse("projects:project_detail", kwargs={"pk": self.project_id})
