"""A project's files (申报书, 任务书, reports, 验收 material)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse

from kejiju.core.uploads import generated_name

from .projects import Project, ProjectChildQuerySet


class Attachment(models.Model):
    class Kind(models.TextChoices):
        APPLICATION = "application", "申报书"
        CONTRACT = "contract", "任务书"
        ANNUAL = "annual", "年度报告"
        MIDTERM = "midterm", "中期报告"
        CHANGE = "change", "变更材料"
        ACCEPTANCE = "acceptance", "验收报告"
        EVALUATION = "evaluation", "绩效评估报告"
        OTHER = "other", "其他"

    region_field = "project__region"
    unit_field = "project__applicant"
    owner_field = "project__online_application__leader"
    project = models.ForeignKey(
        Project, verbose_name="项目", on_delete=models.CASCADE, related_name="attachments"
    )
    kind = models.CharField("附件类型", max_length=16, choices=Kind.choices)
    file = models.FileField("文件", upload_to=generated_name("projects/attachments"), max_length=255)
    original_name = models.CharField("原文件名", max_length=255)
    size = models.PositiveBigIntegerField("大小（字节）")
    content_type = models.CharField("文件类型", max_length=100)
    sha256 = models.CharField("SHA-256", max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="上传人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    objects = ProjectChildQuerySet.as_manager()

    class Meta:
        verbose_name = "项目附件"
        verbose_name_plural = "项目附件"
        ordering = ["kind", "-uploaded_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.original_name}"

    def get_absolute_url(self) -> str:
        return reverse("projects:attachment_download", kwargs={"pk": self.pk})
