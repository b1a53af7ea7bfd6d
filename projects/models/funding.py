"""A project's money: its itemised budget (预算明细) and the payments of city money (经费拨付)."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models

from .projects import MONEY, Project, ProjectChildQuerySet


class BudgetLine(models.Model):
    """One line of an itemised budget (not for 包干制 projects)."""

    class Category(models.TextChoices):
        EQUIPMENT = "equipment", "设备费"
        BUSINESS = "business", "业务费"
        LABOUR = "labour", "劳务费"
        INDIRECT = "indirect", "间接费用"

    class Source(models.TextChoices):
        CITY = "city", "市级财政资金"
        SELF = "self", "自筹资金"

    region_field = "project__region"
    unit_field = "project__applicant"
    owner_field = "project__online_application__leader"
    project = models.ForeignKey(
        Project, verbose_name="项目", on_delete=models.CASCADE, related_name="budget_lines"
    )
    category = models.CharField("科目", max_length=16, choices=Category.choices)
    source = models.CharField("资金来源", max_length=8, choices=Source.choices, default=Source.CITY)
    amount = models.DecimalField("金额（元）", **MONEY, validators=[MinValueValidator(0)])
    note = models.CharField("说明", max_length=200, blank=True)

    objects = ProjectChildQuerySet.as_manager()

    class Meta:
        verbose_name = "预算明细"
        verbose_name_plural = "预算明细"
        ordering = ["source", "category", "pk"]

    def __str__(self) -> str:
        return f"{self.get_source_display()} {self.get_category_display()} {self.amount}"


class Disbursement(models.Model):
    """A payment of city money to the project (拨付)."""

    region_field = "project__region"
    unit_field = "project__applicant"
    owner_field = "project__online_application__leader"
    project = models.ForeignKey(
        Project, verbose_name="项目", on_delete=models.PROTECT, related_name="disbursements"
    )
    paid_on = models.DateField("拨付日期")
    amount = models.DecimalField("拨付金额（元）", **MONEY, validators=[MinValueValidator(0)])
    voucher = models.CharField("凭证号", max_length=50)
    note = models.CharField("说明", max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="录入人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = ProjectChildQuerySet.as_manager()

    class Meta:
        verbose_name = "经费拨付"
        verbose_name_plural = "经费拨付"
        ordering = ["paid_on", "pk"]

    def __str__(self) -> str:
        return f"{self.paid_on} {self.amount} 元"
