from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse

from kejiju.core.scoping import RegionScopedQuerySet
from kejiju.core.uploads import generated_name

from .rules import (
    RECOGNITION_CRITERIA,
    ApplicationState,
    BatchState,
    Grade,
    GradeThresholds,
    Level,
    OutreachKind,
    OutreachState,
    PlatformState,
)

FIELD_CHOICES = [
    ("电子信息", "电子信息"),
    ("新材料", "新材料"),
    ("新能源", "新能源"),
    ("节能环保", "节能环保"),
    ("先进制造与自动化", "先进制造与自动化"),
    ("现代生物医药", "现代生物医药"),
    ("现代农业", "现代农业"),
    ("食品与酿造", "食品与酿造"),
    ("文化旅游与科普", "文化旅游与科普"),
    ("综合", "综合"),
]

SCORE_VALIDATORS = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))]


class PlatformType(models.Model):
    """A kind of platform (重点实验室, 技术创新中心 …): data that bureau staff extend."""

    name = models.CharField(
        "类型名称", max_length=50, unique=True, error_messages={"unique": "已有同名的平台类型。"}
    )
    code = models.CharField(
        "证书编号前缀",
        max_length=12,
        unique=True,
        help_text="市级认定证书编号形如“前缀-年份-序号”，如 XZKL-2023-001",
        error_messages={"unique": "该证书编号前缀已被其他平台类型使用，证书编号会重复。"},
    )
    sort_order = models.PositiveIntegerField("排序", default=0)
    is_active = models.BooleanField("启用", default=True)
    description = models.TextField("说明", blank=True)

    class Meta:
        verbose_name = "平台类型"
        verbose_name_plural = "平台类型"
        ordering = ["sort_order", "name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("platforms:platformtype_edit", kwargs={"pk": self.pk})


class Platform(models.Model):
    """An innovation platform (创新平台) in the bureau's registry."""

    name = models.CharField("平台名称", max_length=200)
    platform_type = models.ForeignKey(
        PlatformType, verbose_name="平台类型", on_delete=models.PROTECT, related_name="platforms"
    )
    level = models.CharField("级别", max_length=16, choices=Level.choices, default=Level.CITY)
    state = models.CharField(
        "状态", max_length=16, choices=PlatformState.choices, default=PlatformState.CULTIVATING, db_index=True
    )
    host = models.ForeignKey(
        "core.Organization", verbose_name="依托单位", on_delete=models.PROTECT, related_name="platforms"
    )
    region = models.ForeignKey(
        "accounts.Region", verbose_name="所在县区", on_delete=models.PROTECT, related_name="platforms"
    )
    field = models.CharField("技术领域", max_length=30, choices=FIELD_CHOICES, blank=True)
    certificate_no = models.CharField("证书编号", max_length=40, blank=True)
    recognised_on = models.DateField("认定日期", null=True, blank=True)
    staff_count = models.PositiveIntegerField("人员数", null=True, blank=True)
    notes = models.TextField("备注", blank=True)
    # The platform's timeline (登记, 筹建, 认定 …): the platform workflow's events.
    events = GenericRelation("core.WorkflowEvent", related_query_name="platform")
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = RegionScopedQuerySet.as_manager()
    unit_field = "host"

    class Meta:
        verbose_name = "创新平台"
        verbose_name_plural = "创新平台"
        ordering = ["-recognised_on", "name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["certificate_no"],
                condition=~models.Q(certificate_no=""),
                name="platform_certificate_no_unique",
                violation_error_message="证书编号已被其他平台使用。",
            ),
        ]
        indexes = [
            models.Index(fields=["platform_type", "level", "state"]),
            # The list's order and its county + state filter, served from the index (bench: lists).
            models.Index(fields=["-recognised_on", "name", "id"], name="platform_list_order_idx"),
            models.Index(
                fields=["region", "state", "-recognised_on", "name", "id"], name="platform_region_state_idx"
            ),
            models.Index(fields=["name", "id"], name="platform_name_id_idx"),
        ]
        permissions = [("transition_platform", "变更平台状态（筹建、认定、撤销）")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("platforms:platform_detail", kwargs={"pk": self.pk})

    @property
    def recognised_year(self) -> int | None:
        return self.recognised_on.year if self.recognised_on else None


class RecognitionBatch(models.Model):
    """A recognition round (认定批次) for one year, one platform type and one level."""

    title = models.CharField("批次名称", max_length=200)
    year = models.PositiveIntegerField("年度", validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    platform_type = models.ForeignKey(
        PlatformType, verbose_name="平台类型", on_delete=models.PROTECT, related_name="batches"
    )
    level = models.CharField("认定级别", max_length=16, choices=Level.choices, default=Level.CITY)
    state = models.CharField("进度", max_length=16, choices=BatchState.choices, default=BatchState.OPEN)
    deadline = models.DateField("申报截止日期", null=True, blank=True)
    pass_score = models.DecimalField(
        "认定分数线", max_digits=5, decimal_places=2, default=Decimal("70"), validators=SCORE_VALIDATORS
    )
    quota = models.PositiveIntegerField("认定名额", null=True, blank=True, help_text="留空表示不限名额")
    review_fields = models.ManyToManyField(
        "experts.ExpertField",
        verbose_name="评审专业领域",
        blank=True,
        related_name="recognition_batches",
        help_text="从专家库的专业领域中选择；抽取评审专家时预先选中",
    )
    panel_size = models.PositiveSmallIntegerField("评审专家人数", default=5)
    publicity_start = models.DateField("公示开始日期", null=True, blank=True)
    publicity_end = models.DateField("公示截止日期", null=True, blank=True)
    recognised_on = models.DateField("认定日期", null=True, blank=True)
    notes = models.TextField("备注", blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "认定批次"
        verbose_name_plural = "认定批次"
        ordering = ["-year", "platform_type__sort_order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "platform_type", "level", "title"],
                name="batch_unique_title",
                violation_error_message="同一年度、类型和级别下已有同名批次。",
            )
        ]
        permissions = [("advance_recognitionbatch", "推进认定批次（形式审查、评审、公示、认定）")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("platforms:recognitionbatch_detail", kwargs={"pk": self.pk})


class PlatformApplication(models.Model):
    """A unit's application (单位申报) in a recognition batch."""

    batch = models.ForeignKey(
        RecognitionBatch, verbose_name="认定批次", on_delete=models.PROTECT, related_name="applications"
    )
    platform_name = models.CharField("拟建平台名称", max_length=200)
    applicant = models.ForeignKey(
        "core.Organization",
        verbose_name="申报单位",
        on_delete=models.PROTECT,
        related_name="platform_applications",
    )
    region = models.ForeignKey(
        "accounts.Region",
        verbose_name="所在县区",
        on_delete=models.PROTECT,
        related_name="platform_applications",
    )
    field = models.CharField("技术领域", max_length=30, choices=FIELD_CHOICES, blank=True)
    staff_count = models.PositiveIntegerField("人员数", null=True, blank=True)
    platform = models.ForeignKey(
        Platform,
        verbose_name="已登记平台",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="applications",
        help_text="以已登记平台申报（如培育平台申请认定、市级平台申请升级）时选择；新平台留空",
    )
    summary = models.TextField("申报概况", blank=True)
    state = models.CharField(
        "状态", max_length=16, choices=ApplicationState.choices, default=ApplicationState.SUBMITTED
    )
    formal_comment = models.TextField("形式审查意见", blank=True)
    review_score = models.DecimalField(
        "评审得分", max_digits=5, decimal_places=2, null=True, blank=True, validators=SCORE_VALIDATORS
    )
    review_note = models.CharField("评审说明", max_length=200, blank=True)
    rank = models.PositiveIntegerField("排名", null=True, blank=True)
    objection = models.TextField("公示异议", blank=True)
    certificate_no = models.CharField("证书编号", max_length=40, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="录入人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("申报时间", auto_now_add=True)

    objects = RegionScopedQuerySet.as_manager()
    unit_field = "applicant"

    class Meta:
        verbose_name = "认定申报"
        verbose_name_plural = "认定申报"
        ordering = ["batch", "rank", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["batch", "platform"],
                condition=models.Q(platform__isnull=False),
                name="application_platform_once_per_batch",
                violation_error_message="该平台已在本批次中申报，同一平台不能在同一批次重复认定。",
            ),
            models.UniqueConstraint(
                fields=["batch", "applicant", "platform_name"],
                name="application_unique_name_per_batch",
                violation_error_message="该单位已在本批次申报了同名平台。",
            ),
        ]
        permissions = [("review_platformapplication", "审查认定申报（形式审查、评审得分、公示异议）")]

    def __str__(self) -> str:
        return f"{self.platform_name}（{self.applicant}）"

    def get_absolute_url(self) -> str:
        return reverse("platforms:platformapplication_detail", kwargs={"pk": self.pk})

    # The expert library's review panel reads these (experts do not know what they review).
    def review_title(self) -> str:
        batch = self.batch
        return f"{batch.year}年{batch.get_level_display()}{batch.platform_type}认定评审：{self.platform_name}"

    def review_applicant(self):
        return self.applicant

    def review_criteria(self) -> list[dict]:
        return RECOGNITION_CRITERIA

    def review_fields(self):
        """The library fields a draw for this application starts from: its batch's (one vocabulary)."""
        return self.batch.review_fields.all()

    def review_subject_title(self) -> str:
        """Its name in a panel of its batch (the batch names the panel)."""
        return self.platform_name

    def review_group_title(self) -> str:
        """The name of one panel for the applications of this one's batch."""
        return f"{self.batch.title} 专家评审"

    def review_group_url(self) -> str:
        return self.batch.get_absolute_url()

    def review_material(self):
        """What an expert reads (experts.material): the application's fields and its 申报概况. Left out:
        staff's 形式审查意见, scores, rank and 公示异议. A recognition application keeps no files."""
        from experts.material import Material, Section, text

        batch = self.batch
        fields = [
            ("拟建平台名称", self.platform_name),
            ("认定批次", batch.title),
            ("平台类型", batch.platform_type),
            ("认定级别", batch.get_level_display()),
            ("申报单位", self.applicant.name),
            ("所在县区", self.region.name),
            ("技术领域", self.get_field_display()),
            ("人员数", self.staff_count),
            ("已登记平台", self.platform.name if self.platform_id else "新建平台"),
        ]
        return Material(
            title=self.review_title(),
            sections=[
                Section("基本信息", fields=[(label, text(value)) for label, value in fields]),
                Section("申报概况", fields=[("申报概况", text(self.summary))]),
            ],
        )


class EvaluationPolicy(models.Model):
    """Grade thresholds of the yearly performance evaluation and its consequence rule (one row; staff
    edit it)."""

    excellent_min = models.DecimalField(
        "优秀分数线", max_digits=5, decimal_places=2, default=Decimal("90"), validators=SCORE_VALIDATORS
    )
    good_min = models.DecimalField(
        "良好分数线", max_digits=5, decimal_places=2, default=Decimal("80"), validators=SCORE_VALIDATORS
    )
    pass_min = models.DecimalField(
        "合格分数线", max_digits=5, decimal_places=2, default=Decimal("60"), validators=SCORE_VALIDATORS
    )
    fail_streak_for_revocation = models.PositiveSmallIntegerField(
        "连续不合格几年拟撤销", default=2, help_text="0 表示不自动提出撤销建议"
    )
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "绩效评价规则"
        verbose_name_plural = "绩效评价规则"

    def __str__(self) -> str:
        return "绩效评价规则"

    def get_absolute_url(self) -> str:
        return reverse("platforms:evaluationpolicy_edit")

    @property
    def thresholds(self) -> GradeThresholds:
        return GradeThresholds(excellent=self.excellent_min, good=self.good_min, passing=self.pass_min)

    @classmethod
    def current(cls) -> EvaluationPolicy:
        policy = cls.objects.order_by("pk").first()
        return policy if policy is not None else cls.objects.create()


class PlatformEvaluation(models.Model):
    """The yearly performance evaluation (绩效评价) of a recognised platform."""

    platform = models.ForeignKey(
        Platform, verbose_name="平台", on_delete=models.PROTECT, related_name="evaluations"
    )
    year = models.PositiveIntegerField(
        "评价年度", validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    score = models.DecimalField("得分", max_digits=5, decimal_places=2, validators=SCORE_VALIDATORS)
    grade = models.CharField("等次", max_length=16, choices=Grade.choices)
    comment = models.TextField("评价意见", blank=True)
    revocation_proposed = models.BooleanField("拟撤销", default=False)
    evaluated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="录入人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("录入时间", auto_now_add=True)

    objects = RegionScopedQuerySet.as_manager()
    region_field = "platform__region"
    unit_field = "platform__host"

    class Meta:
        verbose_name = "绩效评价"
        verbose_name_plural = "绩效评价"
        ordering = ["-year", "platform__name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["platform", "year"],
                name="evaluation_once_per_year",
                violation_error_message="该平台本年度已有绩效评价。",
            )
        ]

    def __str__(self) -> str:
        return f"{self.platform} {self.year}年绩效评价"

    def get_absolute_url(self) -> str:
        return self.platform.get_absolute_url()


# --------------------------------------------------------------------------------- science popularisation


class OutreachEvent(models.Model):
    """A science popularisation event (科普活动): the 科技活动周's 科技大讲堂, 科普宣传进基层, open days of
    labs and 科普基地 …"""

    name = models.CharField("活动名称", max_length=200)
    held_on = models.DateField("活动日期", db_index=True)
    kind = models.CharField("活动类型", max_length=16, choices=OutreachKind.choices)
    state = models.CharField("状态", max_length=16, choices=OutreachState.choices, default=OutreachState.HELD)
    science_week = models.BooleanField("科技活动周活动", default=False)
    platform = models.ForeignKey(
        Platform,
        verbose_name="举办平台",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="outreach_events",
        help_text="由科普基地等平台举办时选择",
    )
    organiser_name = models.CharField(
        "举办单位", max_length=200, blank=True, help_text="不是平台举办时填写（如县科协、学校、社区）"
    )
    region = models.ForeignKey(
        "accounts.Region", verbose_name="所在县区", on_delete=models.PROTECT, related_name="outreach_events"
    )
    venue = models.CharField("活动地点", max_length=200, blank=True)
    audience = models.PositiveIntegerField("受众人次", null=True, blank=True)
    description = models.TextField("活动内容", blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="录入人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("录入时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = RegionScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "科普活动"
        verbose_name_plural = "科普活动"
        ordering = ["-held_on", "name", "pk"]
        indexes = [models.Index(fields=["kind", "held_on"])]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("platforms:outreachevent_detail", kwargs={"pk": self.pk})

    @property
    def organiser(self) -> str:
        return self.platform.name if self.platform_id else self.organiser_name


class OutreachPhoto(models.Model):
    """A photo of a popularisation event, stored under a generated name."""

    event = models.ForeignKey(
        OutreachEvent, verbose_name="科普活动", on_delete=models.CASCADE, related_name="photos"
    )
    file = models.FileField("照片", upload_to=generated_name("platforms/outreach"), max_length=255)
    caption = models.CharField("说明", max_length=200, blank=True)
    original_name = models.CharField("原文件名", max_length=255)
    size = models.PositiveBigIntegerField("大小（字节）")
    content_type = models.CharField("文件类型", max_length=100)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="上传人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    objects = RegionScopedQuerySet.as_manager()
    region_field = "event__region"

    class Meta:
        verbose_name = "活动照片"
        verbose_name_plural = "活动照片"
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.caption or self.original_name

    def get_absolute_url(self) -> str:
        return reverse("platforms:outreachphoto_download", kwargs={"pk": self.pk})
