"""Plan categories (计划类别), their yearly calls (申报批次) and the 经费包干制 pilot units."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse

from ..rules import CallLimits


class Programme(models.Model):
    """A plan category (计划类别): 重点研发, 科技成果转化, 软科学 …"""

    name = models.CharField(
        "计划类别",
        max_length=100,
        unique=True,
        error_messages={"unique": "已有同名的计划类别，请换一个名称或修改原类别。"},
    )
    code = models.CharField(
        "编码",
        max_length=10,
        unique=True,
        help_text="用于生成项目编号，如 ZDYF（大写字母）",
        error_messages={"unique": "该编码已被其他计划类别使用，项目编号会重复，请换一个编码。"},
    )
    description = models.TextField("说明", blank=True)
    sort_order = models.PositiveIntegerField("排序", default=0)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "计划类别"
        verbose_name_plural = "计划类别"
        ordering = ["sort_order", "name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("projects:programme_detail", kwargs={"pk": self.pk})


class Call(models.Model):
    """A yearly call (年度申报批次) of one programme, with its dates."""

    programme = models.ForeignKey(
        Programme, verbose_name="计划类别", on_delete=models.PROTECT, related_name="calls"
    )
    year = models.PositiveIntegerField(
        "年度", validators=[MinValueValidator(2000), MaxValueValidator(2100)], db_index=True
    )
    title = models.CharField("批次名称", max_length=200)
    opens_on = models.DateField("申报开始日期")
    closes_on = models.DateField("申报截止日期")
    review_by = models.DateField("评审完成日期", null=True, blank=True)
    note = models.TextField("说明", blank=True)
    # 限项 of the call (rules.CallLimits): checked when an application is entered or submitted, and at 立项.
    max_per_leader = models.PositiveSmallIntegerField(
        "每名项目负责人本批次限报（项）", default=1, validators=[MinValueValidator(1)]
    )
    max_open_per_leader = models.PositiveSmallIntegerField(
        "每名项目负责人在研项目上限（项）",
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text="在研：已立项、尚无验收结论；留空不限",
    )
    max_per_unit = models.PositiveSmallIntegerField(
        "每个单位本批次限报（项）",
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text="留空不限",
    )
    block_overdue_leader = models.BooleanField("有逾期未验收项目的负责人不得申报", default=True)

    class Meta:
        verbose_name = "申报批次"
        verbose_name_plural = "申报批次"
        ordering = ["-year", "programme__sort_order", "title"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "year", "title"],
                name="projects_call_unique",
                violation_error_message="该计划本年度已有同名的申报通知。",
            ),
            models.CheckConstraint(
                condition=models.Q(closes_on__gte=models.F("opens_on")),
                name="call_dates",
                violation_error_message="截止日期不能早于开始日期。",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("projects:call_detail", kwargs={"pk": self.pk})

    @property
    def limits(self):
        return CallLimits(
            per_leader=self.max_per_leader,
            open_per_leader=self.max_open_per_leader,
            per_unit=self.max_per_unit,
            block_overdue=self.block_overdue_leader,
        )


class LumpSumPilot(models.Model):
    """A unit in the 经费包干制 pilot: its projects have no itemised budget."""

    organization = models.OneToOneField(
        "core.Organization", verbose_name="试点单位", on_delete=models.PROTECT, related_name="lump_sum_pilot"
    )
    batch = models.PositiveIntegerField("批次", validators=[MinValueValidator(1)], help_text="第几批试点")
    since_year = models.PositiveIntegerField("起始年度", validators=[MinValueValidator(2000)])
    is_active = models.BooleanField("有效", default=True)
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = "包干制试点单位"
        verbose_name_plural = "包干制试点单位"
        ordering = ["batch", "organization__name"]

    def __str__(self) -> str:
        return f"{self.organization}（第{self.batch}批）"

    def get_absolute_url(self) -> str:
        return reverse("projects:lumpsumpilot_list")
