"""The 职务科技成果赋权 pilot: pilot units, their achievements, grants (赋权) and transfers (成果转化).

Kept apart from the 包干制 pilot (LumpSumPilot): one unit may be in both, under separate schemes."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse

from kejiju.core.uploads import generated_name

from ..rules import AchievementKind, GrantMode, TransferMode
from .projects import Project


class OwnershipPilot(models.Model):
    """A unit in the 职务科技成果赋权 pilot (赋予科研人员职务科技成果所有权或长期使用权)."""

    organization = models.OneToOneField(
        "core.Organization", verbose_name="试点单位", on_delete=models.PROTECT, related_name="ownership_pilot"
    )
    scheme = models.CharField("试点方案", max_length=200, help_text="试点工作方案名称或文号")
    scheme_summary = models.TextField("方案要点", blank=True)
    joined_on = models.DateField("纳入试点日期")
    is_active = models.BooleanField("有效", default=True)

    class Meta:
        verbose_name = "赋权试点单位"
        verbose_name_plural = "赋权试点单位"
        ordering = ["joined_on", "organization__name"]

    def __str__(self) -> str:
        return str(self.organization)

    def get_absolute_url(self) -> str:
        return reverse("projects:ownershippilot_detail", kwargs={"pk": self.pk})


class Achievement(models.Model):
    """A 职务科技成果 of a pilot unit (patent, software copyright, plant variety …)."""

    pilot = models.ForeignKey(
        OwnershipPilot, verbose_name="成果所属单位", on_delete=models.PROTECT, related_name="achievements"
    )
    title = models.CharField("成果名称", max_length=200)
    kind = models.CharField("成果类型", max_length=16, choices=AchievementKind.choices)
    number = models.CharField("登记号/专利号", max_length=60, blank=True)
    inventors = models.CharField("完成人", max_length=300, help_text="多人用顿号分隔")
    source_project = models.ForeignKey(
        Project,
        verbose_name="来源计划项目",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="achievements",
    )
    note = models.TextField("备注", blank=True)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "职务科技成果"
        verbose_name_plural = "职务科技成果"
        ordering = ["pilot", "-created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "number"],
                condition=~models.Q(number=""),
                name="achievement_number_unique",
                violation_error_message="同类成果中已有相同的登记号/专利号。",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("projects:achievement_detail", kwargs={"pk": self.pk})


class OwnershipGrant(models.Model):
    """The grant (赋权) of an achievement to its research team: a share of ownership or long-term use."""

    achievement = models.ForeignKey(
        Achievement, verbose_name="职务科技成果", on_delete=models.PROTECT, related_name="grants"
    )
    team = models.CharField("科研团队", max_length=200, help_text="团队名称或负责人")
    mode = models.CharField("赋权方式", max_length=16, choices=GrantMode.choices)
    share_percent = models.DecimalField(
        "所有权比例（%）",
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[
            MinValueValidator(0, message="所有权比例超出范围：不能小于 0%%。"),
            MaxValueValidator(100, message="所有权比例超出范围：不能超过 100%%。"),
        ],
        help_text="赋予所有权时填写，0–100",
    )
    years = models.PositiveSmallIntegerField(
        "使用年限（年）", null=True, blank=True, help_text="赋予长期使用权时填写"
    )
    granted_on = models.DateField("赋权日期")
    approval_no = models.CharField("批准文件文号", max_length=100)
    approval_file = models.FileField(
        "批准文件", upload_to=generated_name("projects/ownership"), max_length=255, blank=True
    )
    approval_file_name = models.CharField("批准文件原名", max_length=255, blank=True)

    class Meta:
        verbose_name = "成果赋权"
        verbose_name_plural = "成果赋权"
        ordering = ["-granted_on", "pk"]

    def __str__(self) -> str:
        terms = f"{self.share_percent}%" if self.mode == GrantMode.OWNERSHIP else f"{self.years}年"
        return f"{self.achievement} 赋予{self.team}{self.get_mode_display()}（{terms}）"

    def get_absolute_url(self) -> str:
        return self.achievement.get_absolute_url()


class AchievementTransfer(models.Model):
    """A transfer, licence or equity investment of a granted achievement to an enterprise (成果转化)."""

    grant = models.ForeignKey(
        OwnershipGrant, verbose_name="赋权", on_delete=models.PROTECT, related_name="transfers"
    )
    mode = models.CharField("转化方式", max_length=16, choices=TransferMode.choices)
    enterprise = models.ForeignKey(
        "core.Organization", verbose_name="受让/被许可企业", on_delete=models.PROTECT, related_name="+"
    )
    amount = models.DecimalField(
        "合同金额（万元）", max_digits=12, decimal_places=2, validators=[MinValueValidator(0)]
    )
    transferred_on = models.DateField("合同日期")
    contract_no = models.CharField("合同编号", max_length=100, blank=True)
    note = models.CharField("备注", max_length=200, blank=True)

    class Meta:
        verbose_name = "成果转化"
        verbose_name_plural = "成果转化"
        ordering = ["-transferred_on", "pk"]

    def __str__(self) -> str:
        return f"{self.grant.achievement} {self.get_mode_display()}给{self.enterprise}"

    def get_absolute_url(self) -> str:
        return reverse("projects:achievement_detail", kwargs={"pk": self.grant.achievement_id})
