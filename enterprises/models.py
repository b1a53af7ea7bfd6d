"""Enterprises, their yearly figures, the 科技型中小企业 evaluation, the 高企 cultivation pool, 高企
certificates, the county doubling-plan targets and the 高企 rewards."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse

from kejiju.core.identifiers import uscc_area_warning
from kejiju.core.scoping import RegionScopedQuerySet

from .industries import SECTIONS

MONEY = {"max_digits": 16, "decimal_places": 2, "null": True, "blank": True}
YEAR_VALIDATORS = [MinValueValidator(2000), MaxValueValidator(2100)]
REWARD_CAP = Decimal(300_000)  # 《高新技术企业奖励实施细则》: 奖励额度最高30万元


class EnterpriseQuerySet(RegionScopedQuerySet):
    pass


class Enterprise(models.Model):
    """An enterprise of the city. Its `organization` is the unit other apps point at; the service keeps
    its name, USCC and region in step."""

    organization = models.OneToOneField(
        "core.Organization", verbose_name="单位", on_delete=models.PROTECT, related_name="enterprise"
    )
    name = models.CharField("企业名称", max_length=200)
    uscc = models.CharField(
        "统一社会信用代码",
        max_length=18,
        unique=True,
        error_messages={"unique": "该统一社会信用代码已登记为其他企业。"},
    )
    uscc_override = models.BooleanField(
        "校验码例外", default=False, help_text="早期试点代码未通过校验，经局业务人员确认后保留"
    )
    uscc_override_reason = models.CharField("例外理由", max_length=200, blank=True)
    region = models.ForeignKey(
        "accounts.Region", verbose_name="所在县区", on_delete=models.PROTECT, related_name="enterprises"
    )
    industry_section = models.CharField("行业门类", max_length=1, choices=SECTIONS)
    industry_code = models.CharField(
        "行业代码", max_length=4, blank=True, help_text="GB/T 4754-2017 小类，4位数字"
    )
    established_on = models.DateField("成立日期", null=True, blank=True)
    address = models.CharField("地址", max_length=200, blank=True)
    contact_person = models.CharField("联系人", max_length=50, blank=True)
    contact_phone = models.CharField("联系电话", max_length=30, blank=True)
    clean_record = models.BooleanField(
        "无重大事故及失信记录",
        default=True,
        help_text="上一会计年度及当年无重大安全、质量事故，无严重环境违法、科研严重失信，未列入经营异常名录",
    )
    national_award_top3 = models.BooleanField("近五年获国家级科技奖励（前三名）", default=False)
    provincial_rd_centre = models.BooleanField("拥有省部级以上研发机构", default=False)
    led_standard = models.BooleanField("近五年主导制定国际/国家/行业标准", default=False)
    is_active = models.BooleanField("有效", default=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = EnterpriseQuerySet.as_manager()
    region_field = "region"
    unit_field = "organization"

    class Meta:
        verbose_name = "企业"
        verbose_name_plural = "企业"
        ordering = ["name", "pk"]
        indexes = [
            models.Index(fields=["region", "industry_section"]),
            # The list's order (name, pk) and its county filter, served from the index (bench: lists).
            models.Index(fields=["name", "id"], name="enterprise_name_id_idx"),
            models.Index(fields=["region", "name", "id"], name="enterprise_region_name_idx"),
        ]
        permissions = [
            ("override_uscc", "接受未通过校验的早期统一社会信用代码"),
            ("import_enterprise", "从 Excel 导入企业及年度数据"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("enterprises:enterprise_detail", kwargs={"pk": self.pk})

    @property
    def uscc_area_warning(self) -> str | None:
        """A code registered outside the enterprise's county is a warning, not an error: enterprises move."""
        if not self.uscc or self.region_id is None:
            return None
        return uscc_area_warning(self.uscc, region_code=self.region.code, region_name=self.region.name)


class ScopedByEnterprise(RegionScopedQuerySet):
    pass


class EnterpriseYear(models.Model):
    """One year's figures of an enterprise (the accounting year)."""

    enterprise = models.ForeignKey(
        Enterprise, verbose_name="企业", on_delete=models.CASCADE, related_name="years"
    )
    year = models.PositiveIntegerField("年度", validators=YEAR_VALIDATORS)
    employees = models.PositiveIntegerField("职工总数", null=True, blank=True)
    tech_staff = models.PositiveIntegerField("科技人员数", null=True, blank=True)
    revenue = models.DecimalField("销售收入（元）", **MONEY)
    total_income = models.DecimalField("总收入（元）", **MONEY)
    high_tech_revenue = models.DecimalField("高新技术产品（服务）收入（元）", **MONEY)
    total_assets = models.DecimalField("资产总额（元）", **MONEY)
    rd_expense = models.DecimalField("研发费用总额（元）", **MONEY)
    rd_expense_in_china = models.DecimalField("境内研发费用（元）", **MONEY)
    total_cost = models.DecimalField("成本费用支出总额（元）", **MONEY)
    ip_class1 = models.PositiveIntegerField("Ⅰ类知识产权（项）", null=True, blank=True)
    ip_class2 = models.PositiveIntegerField("Ⅱ类知识产权（项）", null=True, blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = ScopedByEnterprise.as_manager()
    region_field = "enterprise__region"
    unit_field = "enterprise__organization"

    class Meta:
        verbose_name = "年度数据"
        verbose_name_plural = "年度数据"
        ordering = ["enterprise", "-year"]
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "year"],
                name="enterprise_year_unique",
                violation_error_message="该企业本年度已有年度数据。",
            )
        ]

    def __str__(self) -> str:
        return f"{self.enterprise} {self.year}年"

    def get_absolute_url(self) -> str:
        return reverse("enterprises:enterpriseyear_edit", kwargs={"pk": self.pk})


class SmesEvaluation(models.Model):
    """科技型中小企业 evaluation of one enterprise for one year (评价入库)."""

    class State(models.TextChoices):
        SUBMITTED = "submitted", "企业填报"
        RETURNED = "returned", "形式审查退回"
        REVIEWED = "reviewed", "形式审查通过"
        PUBLICITY = "publicity", "公示中"
        ADMITTED = "admitted", "已入库"
        REJECTED = "rejected", "未入库"
        REVOKED = "revoked", "已撤销"

    enterprise = models.ForeignKey(
        Enterprise, verbose_name="企业", on_delete=models.PROTECT, related_name="smes_evaluations"
    )
    year = models.PositiveIntegerField("评价年度", validators=YEAR_VALIDATORS)
    state = models.CharField("状态", max_length=16, choices=State.choices, default=State.SUBMITTED)
    submitted_on = models.DateField("提交日期", default=date.today)
    # The figures the score was computed from (the previous accounting year) and the score itself.
    figures_year = models.PositiveIntegerField("数据年度")
    tech_staff_points = models.PositiveSmallIntegerField("科技人员得分", default=0)
    rd_points = models.PositiveSmallIntegerField("研发投入得分", default=0)
    rd_option = models.PositiveSmallIntegerField(
        "研发投入计分方式",
        null=True,
        blank=True,
        choices=[(1, "研发费用占销售收入"), (2, "研发费用占成本费用支出")],
    )
    ip_points = models.PositiveSmallIntegerField("科技成果得分", default=0)
    total_score = models.PositiveSmallIntegerField("综合得分", default=0)
    direct_route = models.CharField("直接认定条件", max_length=32, blank=True)
    passed = models.BooleanField("评价结论合格", default=False)
    reviewed_on = models.DateField("形式审查日期", null=True, blank=True)
    publicity_start = models.DateField("公示开始", null=True, blank=True)
    publicity_end = models.DateField("公示结束", null=True, blank=True)
    registration_number = models.CharField("入库登记编号", max_length=24, blank=True)
    admitted_on = models.DateField("入库日期", null=True, blank=True)
    revoked_on = models.DateField("撤销日期", null=True, blank=True)
    revoke_reason = models.CharField("撤销原因", max_length=500, blank=True)

    events = GenericRelation("core.WorkflowEvent", related_query_name="smesevaluation")

    objects = ScopedByEnterprise.as_manager()
    region_field = "enterprise__region"
    unit_field = "enterprise__organization"

    class Meta:
        verbose_name = "科技型中小企业评价"
        verbose_name_plural = "科技型中小企业评价"
        ordering = ["-year", "enterprise__name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "year"],
                name="smes_evaluation_unique",
                violation_error_message="该企业本年度已有科技型中小企业评价。",
            ),
            models.UniqueConstraint(
                fields=["registration_number"],
                condition=~models.Q(registration_number=""),
                name="smes_registration_number_unique",
                violation_error_message="该入库登记编号已被其他企业使用。",
            ),
        ]
        indexes = [models.Index(fields=["year", "state"])]
        permissions = [
            ("review_smesevaluation", "科小评价形式审查"),
            ("admit_smesevaluation", "科小评价公示、入库与撤销"),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise} {self.year}年科技型中小企业评价"

    def get_absolute_url(self) -> str:
        return reverse("enterprises:smesevaluation_detail", kwargs={"pk": self.pk})


class PoolEntry(models.Model):
    """An enterprise in the 高新技术企业培育库, from the county's recommendation to its exit."""

    class State(models.TextChoices):
        REQUESTED = "requested", "企业申请"
        RECOMMENDED = "recommended", "县区推荐"
        ADMITTED = "admitted", "已入库"
        DECLINED = "declined", "未入库"
        APPLIED = "applied", "已申报"
        CERTIFIED = "certified", "已认定"
        EXITED = "exited", "已出库"

    OPEN_STATES = (State.REQUESTED, State.RECOMMENDED, State.ADMITTED, State.APPLIED)

    enterprise = models.ForeignKey(
        Enterprise, verbose_name="企业", on_delete=models.PROTECT, related_name="pool_entries"
    )
    state = models.CharField("状态", max_length=16, choices=State.choices, default=State.RECOMMENDED)
    recommended_on = models.DateField("推荐日期", default=date.today)
    recommendation = models.CharField("推荐理由", max_length=500, blank=True)
    admitted_year = models.PositiveIntegerField("入库年度", null=True, blank=True, validators=YEAR_VALIDATORS)
    admitted_on = models.DateField("入库日期", null=True, blank=True)
    applied_year = models.PositiveIntegerField("申报年度", null=True, blank=True, validators=YEAR_VALIDATORS)
    certified_on = models.DateField("认定日期", null=True, blank=True)
    exited_on = models.DateField("出库日期", null=True, blank=True)
    exit_reason = models.CharField("出库/未入库原因", max_length=500, blank=True)

    events = GenericRelation("core.WorkflowEvent", related_query_name="poolentry")

    objects = ScopedByEnterprise.as_manager()
    region_field = "enterprise__region"
    unit_field = "enterprise__organization"

    class Meta:
        verbose_name = "高企培育库企业"
        verbose_name_plural = "高企培育库"
        ordering = ["-admitted_year", "enterprise__name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise"],
                condition=models.Q(state__in=["requested", "recommended", "admitted", "applied"]),
                name="pool_one_open_entry",
                violation_error_message="该企业已在高企培育库中（已申请、已推荐、已入库或已申报），不能重复推荐。",
            )
        ]
        indexes = [models.Index(fields=["admitted_year", "state"])]
        permissions = [
            ("recommend_poolentry", "推荐企业进入高企培育库"),
            ("request_poolentry", "申请进入高企培育库（企业自行申请）"),
            ("admit_poolentry", "高企培育库入库、跟踪与出库"),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise}（培育库）"

    def get_absolute_url(self) -> str:
        return reverse("enterprises:poolentry_detail", kwargs={"pk": self.pk})


class InnovationAssessment(models.Model):
    """The bureau's 企业创新能力评价 of an enterprise in the 培育库 (工作指引: four parts, 100 points; the
    高企 condition is a score above 70). The total is the sum of the parts, never typed."""

    region_field = "entry__enterprise__region"
    unit_field = "entry__enterprise__organization"
    entry = models.ForeignKey(
        PoolEntry, verbose_name="培育库企业", on_delete=models.CASCADE, related_name="assessments"
    )
    assessed_on = models.DateField("评价日期")
    ip_score = models.PositiveSmallIntegerField("知识产权（满分30）")
    conversion_score = models.PositiveSmallIntegerField("科技成果转化能力（满分30）")
    management_score = models.PositiveSmallIntegerField("研究开发组织管理水平（满分20）")
    growth_score = models.PositiveSmallIntegerField("企业成长性（满分20）")
    note = models.CharField("评价说明", max_length=500, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="录入人", on_delete=models.PROTECT, null=True, blank=True
    )
    recorded_at = models.DateTimeField("录入时间", auto_now_add=True)

    class Meta:
        verbose_name = "企业创新能力评价"
        verbose_name_plural = verbose_name
        ordering = ["-assessed_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.entry.enterprise} {self.assessed_on:%Y-%m-%d} 创新能力评价{self.total}分"

    @property
    def total(self) -> int:
        return self.ip_score + self.conversion_score + self.management_score + self.growth_score


class GaoqiCertificate(models.Model):
    """A 高新技术企业证书: valid three years from its issue date, until its qualification is revoked (取消
    资格, a dated act: `revoked_on`, the day from which it no longer counts; empty while it stands)."""

    enterprise = models.ForeignKey(
        Enterprise, verbose_name="企业", on_delete=models.PROTECT, related_name="certificates"
    )
    number = models.CharField(
        "证书编号", max_length=14, unique=True, error_messages={"unique": "该证书编号已登记在其他证书上。"}
    )
    issued_on = models.DateField("发证日期")
    expires_on = models.DateField("有效期至")
    revoked_on = models.DateField("取消资格日期", null=True, blank=True)
    note = models.CharField("备注", max_length=200, blank=True)

    objects = ScopedByEnterprise.as_manager()
    region_field = "enterprise__region"
    unit_field = "enterprise__organization"

    class Meta:
        verbose_name = "高企证书"
        verbose_name_plural = "高企证书"
        ordering = ["-issued_on", "number"]
        indexes = [models.Index(fields=["expires_on"])]

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        return reverse("enterprises:gaoqicertificate_detail", kwargs={"pk": self.pk})

    @property
    def is_revoked(self) -> bool:
        """已取消资格 (as of today: a revocation is never dated in the future)."""
        return self.revoked_on is not None

    def is_revoked_on(self, day: date) -> bool:
        return self.revoked_on is not None and self.revoked_on <= day

    def is_valid_on(self, day: date) -> bool:
        return not self.is_revoked_on(day) and self.issued_on <= day <= self.expires_on


class DoublingTarget(models.Model):
    """倍增计划: a county's target of valid 高企 for a year."""

    region = models.ForeignKey(
        "accounts.Region", verbose_name="县区", on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveIntegerField("年度", validators=YEAR_VALIDATORS)
    target = models.PositiveIntegerField("有效高企目标数（家）")

    objects = RegionScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "高企倍增计划目标"
        verbose_name_plural = "高企倍增计划"
        ordering = ["-year", "region__sort_order", "region__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "year"],
                name="doubling_target_unique",
                violation_error_message="该县区本年度已有高企倍增计划目标，请修改原目标。",
            )
        ]

    def __str__(self) -> str:
        return f"{self.region} {self.year}年目标{self.target}家"

    def get_absolute_url(self) -> str:
        return reverse("enterprises:doublingtarget_list") + f"?year={self.year}"


class RewardTier(models.Model):
    """A tier of the 高企 reward rules of one year: R&D investment from `min_rd` (inclusive) up to
    `max_rd` (exclusive; empty = no upper bound) earns `amount` yuan."""

    year = models.PositiveIntegerField("年度", validators=YEAR_VALIDATORS)
    min_rd = models.DecimalField("研发投入下限（元，含）", max_digits=16, decimal_places=2)
    max_rd = models.DecimalField(
        "研发投入上限（元，不含）", max_digits=16, decimal_places=2, null=True, blank=True
    )
    amount = models.DecimalField(
        "奖励金额（元）", max_digits=12, decimal_places=2, validators=[MaxValueValidator(REWARD_CAP)]
    )

    class Meta:
        verbose_name = "奖励档次"
        verbose_name_plural = "高企奖励档次"
        ordering = ["-year", "min_rd"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "min_rd"],
                name="reward_tier_unique",
                violation_error_message="本年度已有相同研发投入下限的奖励档次。",
            )
        ]

    def __str__(self) -> str:
        upper = f"{self.max_rd:,.0f}" if self.max_rd is not None else "以上"
        return f"{self.year}年 {self.min_rd:,.0f}–{upper}元 → {self.amount:,.0f}元"

    def get_absolute_url(self) -> str:
        return reverse("enterprises:rewardtier_list") + f"?year={self.year}"


class Reward(models.Model):
    """The reward of one certified enterprise for one year: computed, approved, paid."""

    class State(models.TextChoices):
        COMPUTED = "computed", "待审核"
        APPROVED = "approved", "已审核"
        PAID = "paid", "已发放"

    enterprise = models.ForeignKey(
        Enterprise, verbose_name="企业", on_delete=models.PROTECT, related_name="rewards"
    )
    year = models.PositiveIntegerField("奖励年度", validators=YEAR_VALIDATORS)
    certificate = models.ForeignKey(
        GaoqiCertificate, verbose_name="高企证书", on_delete=models.PROTECT, related_name="+"
    )
    rd_expense = models.DecimalField("研发投入（元）", max_digits=16, decimal_places=2)
    amount = models.DecimalField(
        "奖励金额（元）", max_digits=12, decimal_places=2, validators=[MaxValueValidator(REWARD_CAP)]
    )
    state = models.CharField("状态", max_length=16, choices=State.choices, default=State.COMPUTED)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审核人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    approved_on = models.DateField("审核日期", null=True, blank=True)
    paid_on = models.DateField("发放日期", null=True, blank=True)
    # The 发放 step's document: the payment's 文号 or voucher number, entered with it (required then).
    voucher_no = models.CharField("发放文号（凭证号）", max_length=100, blank=True)

    events = GenericRelation("core.WorkflowEvent", related_query_name="reward")

    objects = ScopedByEnterprise.as_manager()
    region_field = "enterprise__region"
    unit_field = "enterprise__organization"

    class Meta:
        verbose_name = "高企奖励"
        verbose_name_plural = "高企奖励"
        ordering = ["-year", "enterprise__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "year"],
                name="reward_unique",
                violation_error_message="该企业本年度已有高企奖励。",
            )
        ]

    def __str__(self) -> str:
        return f"{self.enterprise} {self.year}年高企奖励"

    def get_absolute_url(self) -> str:
        return reverse("enterprises:reward_list") + f"?year={self.year}"
