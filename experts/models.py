"""The expert library (专家库), review panels drawn from it, 科技副总 placements and 科技特派团/员.

A review panel is attached to whatever is under review (a platform application, a project application, an
acceptance check …) through a generic foreign key: this app never imports the apps that use it.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey, GenericRelation
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from kejiju.core import pii
from kejiju.core.identifiers import mask_id_number, mask_mobile
from kejiju.core.scoping import RegionScopedQuerySet


class ExpertField(models.Model):
    """An entry of the field list (专业领域) that bureau staff maintain."""

    name = models.CharField(
        "领域名称", max_length=50, unique=True, error_messages={"unique": "已有同名的专业领域。"}
    )
    sort_order = models.PositiveIntegerField("排序", default=0)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "专业领域"
        verbose_name_plural = "专业领域"
        ordering = ["sort_order", "name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("experts:expertfield_detail", kwargs={"pk": self.pk})


class Expert(models.Model):
    """A person in the library. 身份证号 and mobile are stored encrypted (SM4-GCM, kejiju.core.pii) with a
    keyed hash (HMAC) for exact search and uniqueness, and a masked copy for display; the clear text is only
    ever decrypted for a user holding ``experts.view_expert_pii``, and each time leaves an audit event."""

    class Gender(models.TextChoices):
        MALE = "男", "男"
        FEMALE = "女", "女"

    class Title(models.TextChoices):
        SENIOR = "正高", "正高级"
        ASSOCIATE = "副高", "副高级"
        INTERMEDIATE = "中级", "中级"
        JUNIOR = "初级", "初级"
        NONE = "无", "无职称"

    class State(models.TextChoices):
        ACTIVE = "在库", "在库"
        SUSPENDED = "暂停", "暂停"
        EXITED = "出库", "出库"

    class Category(models.TextChoices):
        """What the expert reviews for: the seats a panel's composition rule counts (CompositionRule)."""

        TECHNICAL = "技术", "技术专家"
        FINANCIAL = "财务", "财务专家"
        MANAGEMENT = "管理", "管理专家"

    name = models.CharField("姓名", max_length=50, db_index=True)
    gender = models.CharField("性别", max_length=2, choices=Gender.choices)
    id_number_cipher = pii.SealedField("身份证号（密文）", editable=False)
    id_number_digest = models.CharField(
        "身份证号（检索摘要）",
        max_length=64,
        unique=True,
        editable=False,
        error_messages={"unique": "身份证号码与库内专家重复。"},
    )
    id_number_masked = models.CharField("身份证号", max_length=18, editable=False)
    mobile_cipher = pii.SealedField("手机号（密文）", blank=True, editable=False)
    mobile_digest = models.CharField(
        "手机号（检索摘要）", max_length=64, blank=True, db_index=True, editable=False
    )
    mobile_masked = models.CharField("手机号", max_length=11, blank=True, editable=False)
    employer = models.ForeignKey(
        "core.Organization", verbose_name="工作单位", on_delete=models.PROTECT, related_name="experts"
    )
    title = models.CharField("职称", max_length=4, choices=Title.choices)
    position = models.CharField("职务", max_length=50, blank=True)
    fields = models.ManyToManyField(ExpertField, verbose_name="专业领域", related_name="experts")
    specialty = models.CharField("研究方向", max_length=200, blank=True)
    category = models.CharField(
        "专家类别",
        max_length=2,
        choices=Category.choices,
        default=Category.TECHNICAL,
        help_text="评审组组成规则按类别计人数（如高企认定须有财务专家）",
    )
    county = models.ForeignKey(
        "accounts.Region",
        verbose_name="所在县区",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="experts",
        help_text="市外专家留空",
    )
    avoided_units = models.ManyToManyField(
        "core.Organization",
        verbose_name="申明回避单位",
        blank=True,
        related_name="avoiding_experts",
        help_text="专家本人申明需要回避的单位（如曾任职、近亲属任职的单位）",
    )
    state = models.CharField("状态", max_length=4, choices=State.choices, default=State.ACTIVE, db_index=True)
    admitted_on = models.DateField("入库日期")
    admission_reason = models.CharField("入库依据", max_length=200, blank=True)
    exited_on = models.DateField("出库/暂停日期", null=True, blank=True)
    exit_reason = models.CharField("出库/暂停原因", max_length=200, blank=True)
    notes = models.TextField("备注", blank=True)
    # The expert's own account for online review (role 评审专家), opened by the bureau from this entry.
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name="评审账户",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="expert_entry",
        editable=False,
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    pii_row = pii.row_field()

    class Meta:
        verbose_name = "专家"
        verbose_name_plural = "专家"
        ordering = ["-admitted_on", "name", "pk"]
        permissions = [
            ("view_expert_pii", "查看和导出专家完整身份证号、手机号"),
            ("open_expert_account", "为库内专家开通评审账户"),
            ("review_as_expert", "以评审专家身份接受邀请、参加评审"),
        ]
        indexes = [
            models.Index(fields=["state", "admitted_on"]),
            # The list's order and its county + state filter, served from the index (bench: lists).
            models.Index(fields=["-admitted_on", "name", "id"], name="expert_list_order_idx"),
            models.Index(
                fields=["county", "state", "-admitted_on", "name", "id"], name="expert_county_state_idx"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("experts:expert_detail", kwargs={"pk": self.pk})

    # --- personal data: set through these, read clear text only through the PII views/services --------
    @sensitive_variables("value")
    def set_id_number(self, value: str) -> None:
        pii.seal(self, "id_number_cipher", value)
        self.id_number_digest = pii.digest(value)
        self.id_number_masked = mask_id_number(value)

    @sensitive_variables("value")
    def set_mobile(self, value: str) -> None:
        if value:
            pii.seal(self, "mobile_cipher", value)
            self.mobile_digest = pii.digest(value)
            self.mobile_masked = mask_mobile(value)
        else:
            self.mobile_cipher = self.mobile_digest = self.mobile_masked = ""

    def reveal_id_number(self) -> str:
        return pii.unseal(self, "id_number_cipher")

    def reveal_mobile(self) -> str:
        return pii.unseal(self, "mobile_cipher")

    @property
    def is_available(self) -> bool:
        return self.state == self.State.ACTIVE


# -------------------------------------------------------------------------------------------- reviews


class CompositionRule(models.Model):
    """The bureau's composition rule for one kind of review (评审组组成规则): the least panel size, the
    least share of 技术专家 and the least number of 财务/管理专家 among the regular seats, and a yearly cap
    of panel seats per expert for draws of this kind. A kind without a rule draws as before (no quota, no
    cap). The draw keeps a snapshot of the rule it applied (ReviewDraw.parameters["composition"]), so a
    later edit changes neither the record nor its replay. The kinds are experts.subjects.REVIEW_KINDS."""

    kind = models.CharField(
        "评审类别",
        max_length=20,
        unique=True,
        error_messages={"unique": "该评审类别已有组成规则。"},
    )
    min_size = models.PositiveSmallIntegerField("正式专家至少（人）", default=1)
    min_technical_share = models.PositiveSmallIntegerField(
        "技术专家至少占比（%）",
        default=0,
        validators=[MaxValueValidator(100)],
        help_text="按正式专家人数计，向上取整（如 5 人 60% 即至少 3 名技术专家）",
    )
    min_financial = models.PositiveSmallIntegerField("财务专家至少（人）", default=0)
    min_management = models.PositiveSmallIntegerField("管理专家至少（人）", default=0)
    yearly_cap = models.PositiveSmallIntegerField(
        "每位专家年度评审上限（次）",
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text="本自然年内已在评审组中担任正式专家（未拒绝、评审组未撤销）达到该次数的专家，不再抽取此类评审；留空不限",
    )
    notes = models.CharField("依据/说明", max_length=200, blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "评审组组成规则"
        verbose_name_plural = "评审组组成规则"
        ordering = ["kind"]

    def __str__(self) -> str:
        return self.get_kind_display()

    def get_absolute_url(self) -> str:
        return reverse("experts:compositionrule_detail", kwargs={"pk": self.pk})

    def get_kind_display(self) -> str:
        from .subjects import REVIEW_KINDS

        return REVIEW_KINDS.get(self.kind, self.kind)

    def clean(self) -> None:
        from .rules import Composition

        problem = Composition.from_rule(self).problem(self.min_size)
        if problem:
            raise ValidationError(problem)


class ReviewPanel(models.Model):
    """An expert panel (评审组) drawn once from the library for one or more reviewed records (its
    subjects, ReviewSubject): one panel per recognition batch or call, each member reviewing every subject
    they have not declared a conflict for."""

    class State(models.TextChoices):
        DRAWING = "抽取中", "抽取中"
        CONFIRMED = "已确认", "已确认"
        SCORING = "评分中", "评分中"
        CLOSED = "已完成", "已完成"
        CANCELLED = "已撤销", "已撤销"

    title = models.CharField("评审事项", max_length=200)
    fields = models.ManyToManyField(ExpertField, verbose_name="抽取领域", related_name="review_panels")
    excluded_experts = models.ManyToManyField(
        Expert, verbose_name="申报单位申请回避的专家", blank=True, related_name="excluded_from_panels"
    )
    lookback_years = models.PositiveSmallIntegerField("近年评审回避年限", default=3)
    criteria = models.JSONField("评分指标", default=list)
    drop_extremes = models.BooleanField("去掉最高分和最低分", default=False)
    size = models.PositiveSmallIntegerField("正式专家人数")
    reserves = models.PositiveSmallIntegerField("备选专家人数", default=0)
    state = models.CharField(
        "状态", max_length=4, choices=State.choices, default=State.DRAWING, db_index=True
    )
    online_deadline = models.DateTimeField(
        "网评截止时间", null=True, blank=True, help_text="专家须在此前在线提交评分；留空表示不限。"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="经办人",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    closed_at = models.DateTimeField("完成时间", null=True, blank=True)
    # The panel's timeline (抽取, 确认, 拒绝, 评分, 完成 …): the panel workflow's events (experts.workflow).
    events = GenericRelation("core.WorkflowEvent", related_query_name="reviewpanel")

    class Meta:
        verbose_name = "评审组"
        verbose_name_plural = "评审组"
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("experts:reviewpanel_detail", kwargs={"pk": self.pk})

    @property
    def is_closed(self) -> bool:
        return self.state == self.State.CLOSED

    @property
    def max_total(self) -> Decimal:
        from .rules import criteria_max_total

        return criteria_max_total(self.criteria)


class ReviewSubject(models.Model):
    """One record a panel reviews (评审对象), with its own result. A record is under at most one open
    panel at a time (``is_open``, cleared when the panel is closed or cancelled)."""

    panel = models.ForeignKey(
        ReviewPanel, verbose_name="评审组", on_delete=models.CASCADE, related_name="subjects"
    )
    position = models.PositiveSmallIntegerField("序号")
    subject_type = models.ForeignKey(ContentType, verbose_name="评审对象类型", on_delete=models.PROTECT)
    subject_id = models.PositiveBigIntegerField("评审对象编号")
    subject = GenericForeignKey("subject_type", "subject_id")
    title = models.CharField("评审对象", max_length=200)
    applicant = models.ForeignKey(
        "core.Organization",
        verbose_name="申报单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="review_subjects",
    )
    result = models.DecimalField("评审得分", max_digits=7, decimal_places=2, null=True, blank=True)
    is_open = models.BooleanField("评审中", default=True, editable=False)

    class Meta:
        verbose_name = "评审对象"
        verbose_name_plural = "评审对象"
        ordering = ["panel", "position"]
        indexes = [models.Index(fields=["subject_type", "subject_id"])]
        constraints = [
            models.UniqueConstraint(
                fields=["panel", "position"],
                name="reviewsubject_unique_position",
                violation_error_message="评审组中已有该序号的评审对象。",
            ),
            # One panel in progress per reviewed record (closed and cancelled ones stay as history).
            models.UniqueConstraint(
                fields=["subject_type", "subject_id"],
                condition=models.Q(is_open=True),
                name="reviewsubject_one_open_panel",
                violation_error_message="该事项已有进行中的评审组，不能再组建。",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class ReviewDraw(models.Model):
    """One random draw, recorded so that it can be replayed: the seed, the ordered candidate pool (experts
    eligible after screening), every skipped candidate with its reasons, and the experts drawn in order."""

    class Kind(models.TextChoices):
        INITIAL = "初次抽取", "初次抽取"
        SUPPLEMENT = "补充抽取", "补充抽取"

    panel = models.ForeignKey(
        ReviewPanel, verbose_name="评审组", on_delete=models.CASCADE, related_name="draws"
    )
    kind = models.CharField("类型", max_length=4, choices=Kind.choices, default=Kind.INITIAL)
    seed = models.CharField("随机种子", max_length=40)
    requested = models.PositiveSmallIntegerField("抽取人数")
    parameters = models.JSONField("抽取条件", default=dict)
    pool = models.JSONField("候选池（专家编号）", default=list)
    skipped = models.JSONField("跳过的专家及原因", default=list)
    drawn = models.JSONField("抽中的专家（按顺序）", default=list)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="经办人",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("抽取时间", auto_now_add=True)

    class Meta:
        verbose_name = "抽取记录"
        verbose_name_plural = "抽取记录"
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        """The panel, the kind and when (a panel may have several supplementary draws), never the id."""
        when = f"（{timezone.localtime(self.created_at):%Y-%m-%d %H:%M}）" if self.created_at else ""
        return f"{self.panel} · {self.kind}{when}"


class ReviewMember(models.Model):
    class Role(models.TextChoices):
        REGULAR = "正式", "正式"
        RESERVE = "备选", "备选"

    class Performance(models.TextChoices):
        EXCELLENT = "优秀", "优秀"
        GOOD = "良好", "良好"
        FAIR = "一般", "一般"
        POOR = "差", "差"

    class Status(models.TextChoices):
        PENDING = "待确认", "待确认"
        CONFIRMED = "已确认", "已确认"
        REFUSED = "拒绝", "拒绝"
        STANDBY = "待命", "待命"

    panel = models.ForeignKey(
        ReviewPanel, verbose_name="评审组", on_delete=models.CASCADE, related_name="members"
    )
    expert = models.ForeignKey(
        Expert, verbose_name="专家", on_delete=models.PROTECT, related_name="panel_seats"
    )
    draw = models.ForeignKey(
        ReviewDraw, verbose_name="抽取记录", on_delete=models.PROTECT, related_name="members"
    )
    position = models.PositiveSmallIntegerField("抽取顺位")
    role = models.CharField("身份", max_length=2, choices=Role.choices)
    status = models.CharField("状态", max_length=4, choices=Status.choices)
    is_leader = models.BooleanField("组长", default=False)
    replaces = models.ForeignKey(
        "self", verbose_name="替补", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    refusal_reason = models.CharField("拒绝原因", max_length=200, blank=True)
    invited_at = models.DateTimeField("邀请时间", null=True, blank=True, editable=False)
    # 网评: the expert signs a 回避及保密声明 per subject (ReviewSheet), then submits all their sheets.
    scores_submitted_at = models.DateTimeField("网评提交时间", null=True, blank=True, editable=False)
    # The last reminder to answer or submit (experts.reminders): the deadline reminder goes once per window.
    reminded_at = models.DateTimeField("最近提醒时间", null=True, blank=True, editable=False)
    performance = models.CharField(
        "履职评价",
        max_length=2,
        choices=Performance.choices,
        blank=True,
        help_text="经办人对专家本次评审履职情况（认真程度、意见质量、守时守纪）的评价",
    )
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "评审专家"
        verbose_name_plural = "评审专家"
        ordering = ["panel", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["panel", "expert"],
                name="reviewmember_unique_expert",
                violation_error_message="该专家已在本评审组中。",
            )
        ]

    def __str__(self) -> str:
        return f"{self.expert} · {self.panel}"

    @property
    def is_seated(self) -> bool:
        """A regular member who has not refused: one of the panel's scorers."""
        return self.role == self.Role.REGULAR and self.status != self.Status.REFUSED


class ReviewSheet(models.Model):
    """One member's review of one subject (评分表): the 回避及保密声明 signed before its material is shown
    (or the conflict declared, which takes the member off this subject), the 评审意见 and the scores."""

    member = models.ForeignKey(
        ReviewMember, verbose_name="评审专家", on_delete=models.CASCADE, related_name="sheets"
    )
    subject = models.ForeignKey(
        ReviewSubject, verbose_name="评审对象", on_delete=models.CASCADE, related_name="sheets"
    )
    declared_at = models.DateTimeField("签署回避及保密声明时间", null=True, blank=True, editable=False)
    conflict_reason = models.CharField("申明回避原因", max_length=200, blank=True)
    comment = models.TextField("评审意见", blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "评分表"
        verbose_name_plural = "评分表"
        ordering = ["member", "subject"]
        constraints = [
            models.UniqueConstraint(
                fields=["member", "subject"],
                name="reviewsheet_unique",
                violation_error_message="该专家对此评审对象已有评分表。",
            )
        ]

    def __str__(self) -> str:
        return f"{self.member.expert} · {self.subject}"

    @property
    def recused(self) -> bool:
        return bool(self.conflict_reason)


class ReviewScore(models.Model):
    sheet = models.ForeignKey(
        ReviewSheet, verbose_name="评分表", on_delete=models.CASCADE, related_name="scores"
    )
    criterion = models.CharField("指标", max_length=50)
    score = models.DecimalField("得分", max_digits=6, decimal_places=2)
    updated_at = models.DateTimeField("录入时间", auto_now=True)

    class Meta:
        verbose_name = "专家评分"
        verbose_name_plural = "专家评分"
        ordering = ["sheet", "criterion"]
        constraints = [
            models.UniqueConstraint(
                fields=["sheet", "criterion"],
                name="reviewscore_unique",
                violation_error_message="该评审专家已对此项评分。",
            )
        ]

    def __str__(self) -> str:
        return f"{self.sheet} · {self.criterion} = {self.score}"


# ------------------------------------------------------------------------------------ 科技副总


class VicePresidentPlacement(models.Model):
    """科技副总: a candidate from a partner university placed in an enterprise for a term."""

    class State(models.TextChoices):
        PROPOSED = "拟任", "拟任"
        SERVING = "在任", "在任"
        ENDED = "期满", "期满"

    name = models.CharField("姓名", max_length=50)
    gender = models.CharField("性别", max_length=2, choices=Expert.Gender.choices, blank=True)
    title = models.CharField("职称", max_length=4, choices=Expert.Title.choices)
    university = models.ForeignKey(
        "core.Organization",
        verbose_name="派出高校",
        on_delete=models.PROTECT,
        related_name="vice_presidents_sent",
    )
    expert = models.ForeignKey(
        Expert,
        verbose_name="库内专家",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="placements",
    )
    specialty = models.CharField("专业方向", max_length=200, blank=True)
    enterprise = models.ForeignKey(
        "core.Organization",
        verbose_name="服务企业",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="vice_presidents_hosted",
    )
    county = models.ForeignKey(
        "accounts.Region",
        verbose_name="所在县区",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    year = models.PositiveSmallIntegerField("选聘年度", db_index=True)
    term_start = models.DateField("任期开始", null=True, blank=True)
    term_end = models.DateField("任期结束", null=True, blank=True)
    state = models.CharField(
        "状态", max_length=2, choices=State.choices, default=State.PROPOSED, db_index=True
    )
    notes = models.TextField("备注", blank=True)

    region_field = "county"
    objects = RegionScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "科技副总"
        verbose_name_plural = "科技副总"
        ordering = ["-year", "university__name", "name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["name", "university", "enterprise", "year"],
                condition=models.Q(enterprise__isnull=False),
                name="placement_once_per_enterprise_year",
                violation_error_message="该科技副总本年度已派驻该企业，不能重复登记。",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.university}）"

    def get_absolute_url(self) -> str:
        return reverse("experts:vicepresidentplacement_detail", kwargs={"pk": self.pk})


# ------------------------------------------------------------------------------ 科技特派团 / 特派员


class CommissionerTeam(models.Model):
    """科技特派团: a team of 科技特派员 serving counties and industries in a year."""

    name = models.CharField("特派团名称", max_length=100)
    year = models.PositiveSmallIntegerField("选派年度", db_index=True)
    lead_unit = models.ForeignKey(
        "core.Organization",
        verbose_name="牵头单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="commissioner_teams",
    )
    counties = models.ManyToManyField(
        "accounts.Region", verbose_name="服务县区", related_name="commissioner_teams"
    )
    industries = models.CharField("服务产业", max_length=200, help_text="多个产业以顿号分隔")
    notes = models.TextField("备注", blank=True)

    class Meta:
        verbose_name = "科技特派团"
        verbose_name_plural = "科技特派团"
        ordering = ["-year", "name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "name"],
                name="commissionerteam_unique_name",
                violation_error_message="本年度已有同名的服务团。",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.year}）"

    def get_absolute_url(self) -> str:
        return reverse("experts:commissionerteam_detail", kwargs={"pk": self.pk})


class Commissioner(models.Model):
    """科技特派员: a member of a team, serving one county."""

    team = models.ForeignKey(
        CommissionerTeam, verbose_name="特派团", on_delete=models.PROTECT, related_name="members"
    )
    name = models.CharField("姓名", max_length=50)
    employer = models.ForeignKey(
        "core.Organization", verbose_name="工作单位", on_delete=models.PROTECT, related_name="commissioners"
    )
    title = models.CharField("职称", max_length=4, choices=Expert.Title.choices)
    expert = models.ForeignKey(
        Expert,
        verbose_name="库内专家",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="commissions",
    )
    is_leader = models.BooleanField("团长", default=False)
    county = models.ForeignKey(
        "accounts.Region", verbose_name="服务县区", on_delete=models.PROTECT, related_name="commissioners"
    )
    industry = models.CharField("服务产业", max_length=50)

    region_field = "county"
    objects = RegionScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "科技特派员"
        verbose_name_plural = "科技特派员"
        ordering = ["team", "-is_leader", "name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["team"],
                condition=models.Q(is_leader=True),
                name="commissioner_one_leader_per_team",
                violation_error_message="每个服务团只能有一名团长，该团已有团长。",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("experts:commissioner_detail", kwargs={"pk": self.pk})
