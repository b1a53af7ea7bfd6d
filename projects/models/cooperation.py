"""省校合作 projects: a county's tasks with partner universities."""

from __future__ import annotations

from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse

from kejiju.core.scoping import RegionScopedQuerySet

from .projects import MONEY


class CooperationProjectQuerySet(RegionScopedQuerySet):
    pass


class CooperationProject(models.Model):
    """A 省校合作 project: a county's task with a partner university."""

    class Kind(models.TextChoices):
        TRANSFER_BASE = "transfer_base", "高校科技成果转化基地"
        INDUSTRIAL_PARK = "industrial_park", "产业园"
        PLATFORM_BASE = "platform_base", "高校科研平台延伸基地"
        JOINT_RESEARCH = "joint_research", "联合攻关"

    class State(models.TextChoices):
        SIGNED = "signed", "已签约"
        BUILDING = "building", "建设中"
        LANDED = "landed", "已落地"
        FINISHED = "finished", "已完成"
        STOPPED = "stopped", "已终止"

    region_field = "region"
    title = models.CharField("项目名称", max_length=200, db_index=True)
    region = models.ForeignKey(
        "accounts.Region",
        verbose_name="所属县区",
        on_delete=models.PROTECT,
        related_name="cooperation_projects",
    )
    university = models.ForeignKey(
        "core.Organization",
        verbose_name="合作高校",
        on_delete=models.PROTECT,
        related_name="cooperation_projects",
        limit_choices_to={"kind": "university"},
    )
    local_unit = models.ForeignKey(
        "core.Organization",
        verbose_name="本地合作单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="local_cooperation_projects",
    )
    kind = models.CharField("类型", max_length=24, choices=Kind.choices)
    state = models.CharField(
        "状态", max_length=16, choices=State.choices, default=State.SIGNED, db_index=True
    )
    task_year = models.PositiveIntegerField("任务年度", validators=[MinValueValidator(2000)], db_index=True)
    signed_on = models.DateField("签约日期", null=True, blank=True)
    landed_on = models.DateField("落地日期", null=True, blank=True)
    finished_on = models.DateField("完成日期", null=True, blank=True)
    investment = models.DecimalField(
        "计划投资（元）", **MONEY, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    note = models.TextField("进展说明", blank=True)

    objects = CooperationProjectQuerySet.as_manager()

    class Meta:
        verbose_name = "省校合作项目"
        verbose_name_plural = "省校合作项目"
        ordering = ["-task_year", "region__sort_order", "title"]
        constraints = [
            models.UniqueConstraint(
                fields=["task_year", "kind", "title"],
                name="cooperation_title_once_per_year_kind",
                violation_error_message="本任务年度同类型下已有同名的省校合作项目，不能重复登记。",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("projects:cooperationproject_detail", kwargs={"pk": self.pk})

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        errors = {}
        if self.state in {self.State.LANDED, self.State.FINISHED} and not self.landed_on:
            errors["landed_on"] = "状态为已落地或已完成时须填写落地日期。"
        if self.state == self.State.FINISHED and not self.finished_on:
            errors["finished_on"] = "状态为已完成时须填写完成日期。"
        if self.university_id and self.university.kind != "university":
            errors["university"] = "合作高校须为高等院校类单位。"
        if errors:
            raise ValidationError(errors)
