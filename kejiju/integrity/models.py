"""科研诚信失信记录: a unit or a person the province (or the city) found to have broken research
integrity rules, the 惩戒 period and the activities it bars them from (申报, 评审专家, 立项, 拨付), the 异议
raised against it and the 信用修复 that ends it early. A person's 身份证号 is kept as experts' are
(kejiju.core.pii).

查重 (kejiju.integrity.duplicates, selectors, services): the bureau's setting, the likely duplicates found
for an online application at 提交, and the bureau's conclusion on them at 受理."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.views.decorators.debug import sensitive_variables

from kejiju.core import pii
from kejiju.core.uploads import generated_name

# Scope key → (boolean field, label). The keys are what callers of the lookup selectors pass.
SCOPES: dict[str, tuple[str, str]] = {
    "apply": ("bars_apply", "申报"),
    "expert": ("bars_expert", "评审专家"),
    "approval": ("bars_approval", "立项"),
    "payment": ("bars_payment", "拨付"),
}


class IntegrityRecord(models.Model):
    class Kind(models.TextChoices):
        UNIT = "unit", "单位"
        PERSON = "person", "个人"

    class Outcome(models.TextChoices):
        PENDING = "pending", "处理中"
        UPHELD = "upheld", "维持原认定"
        CHANGED = "changed", "变更惩戒"
        REVOKED = "revoked", "撤销认定"

    kind = models.CharField("失信主体类型", max_length=8, choices=Kind.choices)
    name = models.CharField("失信主体名称", max_length=200, help_text="单位全称或个人姓名。")
    uscc = models.CharField("统一社会信用代码", max_length=18, blank=True, db_index=True)
    organization = models.ForeignKey(
        "core.Organization",
        verbose_name="单位库中的单位",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="integrity_records",
    )
    id_number_cipher = pii.SealedField("身份证号（密文）", blank=True, editable=False)
    id_number_digest = models.CharField(
        "身份证号（检索摘要）", max_length=64, blank=True, db_index=True, editable=False
    )
    id_number_masked = models.CharField("身份证号", max_length=18, blank=True, editable=False)
    pii_row = pii.row_field()
    employer = models.CharField("工作单位", max_length=200, blank=True)
    source = models.CharField(
        "文号/来源", max_length=200, help_text="如 晋科监〔2025〕3号、省科技厅失信名单。"
    )
    misconduct = models.TextField("失信行为", blank=True)
    scan = models.FileField(
        "文件扫描件", upload_to=generated_name("integrity/scans"), max_length=255, blank=True
    )
    scan_name = models.CharField("扫描件文件名", max_length=255, blank=True, editable=False)
    starts_on = models.DateField("惩戒开始日期")
    ends_on = models.DateField(
        "惩戒结束日期", null=True, blank=True, help_text="留空表示长期（无固定期限）。"
    )
    bars_apply = models.BooleanField("限制申报", default=False)
    bars_expert = models.BooleanField("限制担任评审专家", default=False)
    bars_approval = models.BooleanField("限制立项", default=False)
    bars_payment = models.BooleanField("限制拨付", default=False)
    objection = models.TextField("异议内容", blank=True)
    objection_outcome = models.CharField("异议处理结果", max_length=8, choices=Outcome.choices, blank=True)
    objection_on = models.DateField("异议处理日期", null=True, blank=True)
    repaired_on = models.DateField("信用修复日期", null=True, blank=True, help_text="自该日起不再惩戒。")
    repair_note = models.TextField("信用修复说明", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="登记人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "科研诚信失信记录"
        verbose_name_plural = "科研诚信失信记录"
        ordering = ["-starts_on", "-pk"]
        permissions = [("view_integrity_pii", "查看失信记录完整身份证号")]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="integrity_period_order",
                violation_error_message="惩戒结束日期不能早于惩戒开始日期。",
            ),
            models.CheckConstraint(
                condition=Q(repaired_on__isnull=True) | Q(repaired_on__gte=F("starts_on")),
                name="integrity_repair_after_start",
                violation_error_message="信用修复日期不能早于惩戒开始日期。",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.get_kind_display()}）"

    def get_absolute_url(self) -> str:
        return reverse("integrity:integrityrecord_detail", kwargs={"pk": self.pk})

    @property
    def subject_code(self) -> str:
        """What identifies the subject on a page: the code of a unit, the masked ID number of a person."""
        return self.uscc if self.kind == self.Kind.UNIT else self.id_number_masked

    @property
    def scope_labels(self) -> str:
        return "、".join(label for field, label in SCOPES.values() if getattr(self, field))

    def clean(self) -> None:
        """The subject's identifier (code or ID number by kind) is checked by the service that sets it."""
        errors: dict[str, str] = {}
        if not any(getattr(self, field) for field, _label in SCOPES.values()):
            errors["bars_apply"] = "惩戒范围至少选择一项（申报、评审专家、立项、拨付）。"
        if self.objection_outcome and not self.objection:
            errors["objection"] = "填写异议处理结果时，异议内容不能为空。"
        if self.objection_on and not self.objection_outcome:
            errors["objection_outcome"] = "填写异议处理日期时，须选择异议处理结果。"
        if self.objection_outcome in (self.Outcome.UPHELD, self.Outcome.CHANGED, self.Outcome.REVOKED) and (
            not self.objection_on
        ):
            errors["objection_on"] = "异议已处理完毕时，异议处理日期不能为空。"
        if errors:
            raise ValidationError(errors)

    @sensitive_variables("value")
    def set_id_number(self, value: str) -> None:
        pii.seal_id_number(self, value)

    def clear_id_number(self) -> None:
        self.id_number_cipher = self.id_number_digest = self.id_number_masked = ""

    def reveal_id_number(self) -> str:
        return pii.unseal(self, "id_number_cipher")


# --------------------------------------------------------------------------------------------- 查重


class DuplicateCheckSetting(models.Model):
    """The bureau's 查重 setting (one row, pk 1; `DuplicateCheckSetting.current()` gives the defaults
    until the bureau saves it): how similar a title or summary must be, and how many years back, for an
    earlier application or project to be shown as a likely duplicate, and whether sharing the unit or
    the 项目负责人 alone is enough."""

    SINGLETON_PK = 1

    threshold = models.DecimalField(
        "相似度阈值",
        max_digits=3,
        decimal_places=2,
        default=Decimal("0.60"),
        validators=[MinValueValidator(Decimal("0.05")), MaxValueValidator(Decimal("1"))],
        help_text="0.05–1.00：项目名称或项目简介的相似度（按相邻三个字的组合比对）达到此值即提示可能重复。",
    )
    years = models.PositiveSmallIntegerField(
        "比对年限（年）",
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(20)],
        help_text="与本年度及之前若干年度（含本年度）的网上申报和项目比对。",
    )
    flag_same_unit = models.BooleanField(
        "同一申报单位即提示", default=True, help_text="不选则同一单位仅在内容相似时提示。"
    )
    flag_same_leader = models.BooleanField(
        "同一项目负责人即提示", default=True, help_text="不选则同一负责人仅在内容相似时提示。"
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="修改人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    class Meta:
        verbose_name = "查重设置"
        verbose_name_plural = "查重设置"
        constraints = [
            models.CheckConstraint(
                condition=Q(threshold__gte=Decimal("0.05")) & Q(threshold__lte=Decimal("1")),
                name="duplicate_threshold_range",
                violation_error_message="相似度阈值须在 0.05 到 1.00 之间。",
            ),
            models.CheckConstraint(
                condition=Q(years__gte=1) & Q(years__lte=20),
                name="duplicate_years_range",
                violation_error_message="比对年限须在 1 到 20 年之间。",
            ),
        ]

    def __str__(self) -> str:
        return f"查重设置（阈值 {self.threshold:.0%}，{self.years} 年）"

    def get_absolute_url(self) -> str:
        return reverse("integrity:duplicate_setting")

    @classmethod
    def current(cls) -> DuplicateCheckSetting:
        """The saved setting, or the defaults (unsaved) before the bureau first saves one."""
        return cls.objects.filter(pk=cls.SINGLETON_PK).first() or cls(pk=cls.SINGLETON_PK)


class DuplicateMatch(models.Model):
    """One earlier application or project found like an application when it was submitted (提交); the
    rows of an application are replaced at each 提交. Read through the application (its scope)."""

    application = models.ForeignKey(
        "applications.Application",
        verbose_name="申报书",
        on_delete=models.CASCADE,
        related_name="duplicate_matches",
    )
    other_application = models.ForeignKey(
        "applications.Application",
        verbose_name="相似申报书",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    other_project = models.ForeignKey(
        "projects.Project",
        verbose_name="相似项目",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    year = models.PositiveIntegerField("年度")
    same_unit = models.BooleanField("同一申报单位", default=False)
    same_leader = models.BooleanField("同一项目负责人", default=False)
    title_similarity = models.FloatField("项目名称相似度")
    summary_similarity = models.FloatField("项目简介相似度")
    checked_at = models.DateTimeField("查重时间", auto_now_add=True)

    class Meta:
        verbose_name = "查重结果"
        verbose_name_plural = "查重结果"
        ordering = ["application", "-title_similarity", "-summary_similarity", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(other_application__isnull=False, other_project__isnull=True)
                | Q(other_application__isnull=True, other_project__isnull=False),
                name="duplicate_match_one_other",
                violation_error_message="查重结果须对应一份申报书或一个项目（且只能对应一个）。",
            ),
            models.UniqueConstraint(
                fields=["application", "other_application"],
                condition=Q(other_application__isnull=False),
                name="duplicate_match_application_once",
                violation_error_message="同一申报书只记录一次。",
            ),
            models.UniqueConstraint(
                fields=["application", "other_project"],
                condition=Q(other_project__isnull=False),
                name="duplicate_match_project_once",
                violation_error_message="同一项目只记录一次。",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.application} ~ {self.other_application or self.other_project}"


class DuplicateDecision(models.Model):
    """The bureau's conclusion on an application's 查重 at 受理: not a duplicate, or a duplicate (the
    project is refused, 不予受理, in the same transaction)."""

    class Decision(models.TextChoices):
        NOT_DUPLICATE = "not_duplicate", "非重复"
        DUPLICATE = "duplicate", "重复（不予受理）"

    application = models.OneToOneField(
        "applications.Application",
        verbose_name="申报书",
        on_delete=models.CASCADE,
        related_name="duplicate_decision",
    )
    decision = models.CharField("查重结论", max_length=16, choices=Decision.choices)
    note = models.TextField("说明", blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="认定人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    decided_at = models.DateTimeField("认定时间", editable=False)

    class Meta:
        verbose_name = "查重结论"
        verbose_name_plural = "查重结论"
        permissions = [("decide_duplicate", "作出查重结论")]

    def __str__(self) -> str:
        return f"{self.application}：{self.get_decision_display()}"

    def clean(self) -> None:
        if self.decision == self.Decision.DUPLICATE and not (self.note or "").strip():
            raise ValidationError({"note": "认定为重复时，说明不能为空（写明与哪项申报或项目重复）。"})
