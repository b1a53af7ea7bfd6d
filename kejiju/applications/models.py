"""网上申报: a call's 申报指南 (text, attachments, quota per county), and the application a unit's 项目负责人
files online — drafted by the 项目负责人, approved by the unit's administrator, recommended by the county
office within its quota, then handed to the bureau as a plan project in 申报 (the project's own flow takes
it from 受理 on)."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from django.views.decorators.debug import sensitive_variables

from kejiju.core import pii
from kejiju.core.scoping import RegionScopedQuerySet
from kejiju.core.uploads import generated_name
from projects.models import MONEY, BudgetLine


class CallGuide(models.Model):
    """The 申报指南 of one call, and whether units may apply online to it."""

    call = models.OneToOneField(
        "projects.Call", verbose_name="申报批次", on_delete=models.CASCADE, related_name="guide"
    )
    text = models.TextField("申报指南", help_text="支持方向、申报条件、材料要求、联系方式等。")
    online = models.BooleanField(
        "开放网上申报", default=False, help_text="开放后，已核实单位的项目负责人可在申报期内在线填报。"
    )
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "申报指南"
        verbose_name_plural = "申报指南"
        ordering = ["-call__year", "-call__opens_on"]

    def __str__(self) -> str:
        return f"{self.call}申报指南"

    def get_absolute_url(self) -> str:
        return reverse("applications:callguide_detail", kwargs={"pk": self.pk})


class CallQuota(models.Model):
    """How many applications a county office may recommend to one call (none set: no limit)."""

    guide = models.ForeignKey(
        CallGuide, verbose_name="申报指南", on_delete=models.CASCADE, related_name="quotas"
    )
    region = models.ForeignKey(
        "accounts.Region", verbose_name="县区", on_delete=models.PROTECT, related_name="+"
    )
    quota = models.PositiveSmallIntegerField("推荐限额（项）")

    class Meta:
        verbose_name = "推荐限额"
        verbose_name_plural = "推荐限额"
        ordering = ["region__sort_order", "region__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["guide", "region"],
                name="call_quota_once_per_region",
                violation_error_message="同一县区在一个申报批次只能设一个推荐限额。",
            )
        ]

    def __str__(self) -> str:
        return f"{self.region}：{self.quota} 项"


class FileRecord(models.Model):
    """What every stored upload of this app keeps beside the file (the client's name only for display)."""

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

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.original_name


class GuideAttachment(FileRecord):
    guide = models.ForeignKey(
        CallGuide, verbose_name="申报指南", on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField("文件", upload_to=generated_name("applications/guides"), max_length=255)

    class Meta:
        verbose_name = "指南附件"
        verbose_name_plural = "指南附件"
        ordering = ["uploaded_at", "pk"]

    def get_absolute_url(self) -> str:
        return reverse("applications:guideattachment_download", kwargs={"pk": self.pk})


class ApplicationState(models.TextChoices):
    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "待单位审核"
    UNIT_APPROVED = "unit_approved", "待县区推荐"
    RECOMMENDED = "recommended", "已推荐至市局"
    RETURNED = "returned", "已退回修改"


# The applicant edits the application only in these states.
EDITABLE_STATES = frozenset({ApplicationState.DRAFT, ApplicationState.RETURNED})


class ApplicationQuerySet(RegionScopedQuerySet):
    pass


class Application(models.Model):
    """申报书: one 项目负责人's application of one unit to one call."""

    region_field = "region"
    unit_field = "unit"
    owner_field = "leader"

    call = models.ForeignKey(
        "projects.Call", verbose_name="申报批次", on_delete=models.PROTECT, related_name="applications"
    )
    unit = models.ForeignKey(
        "core.Organization", verbose_name="申报单位", on_delete=models.PROTECT, related_name="applications"
    )
    region = models.ForeignKey(
        "accounts.Region",
        verbose_name="所属县区",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="申报单位所在县区；市直单位为空，由市局推荐。",
    )
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="项目负责人账户",
        on_delete=models.PROTECT,
        related_name="applications",
    )
    leader_name = models.CharField("项目负责人", max_length=50)
    leader_mobile = models.CharField("负责人手机", max_length=11, help_text="用于识别同一负责人（限项规则）")
    # The leader's 身份证号, sealed as team members' are: what 限项 and 科研诚信 match the person by.
    leader_id_number_cipher = pii.SealedField("负责人身份证号（密文）", blank=True, editable=False)
    leader_id_number_digest = models.CharField(
        "负责人身份证号（检索摘要）", max_length=64, blank=True, db_index=True, editable=False
    )
    leader_id_number_masked = models.CharField("负责人身份证号", max_length=18, blank=True, editable=False)
    pii_row = pii.row_field()
    title = models.CharField("项目名称", max_length=200)
    summary = models.TextField("项目简介", help_text="研究内容、技术路线和创新点。")
    goals = models.TextField("预期目标", help_text="考核指标：技术指标、经济指标、知识产权等。")
    start_date = models.DateField("起始日期")
    end_date = models.DateField("结束日期")
    state = models.CharField(
        "状态", max_length=16, choices=ApplicationState.choices, default=ApplicationState.DRAFT, db_index=True
    )
    pledge_accepted_at = models.DateTimeField("承诺书确认时间", null=True, blank=True, editable=False)
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True, editable=False)
    return_reason = models.TextField("退回原因", blank=True, editable=False)
    rank = models.PositiveSmallIntegerField("县区推荐排序", null=True, blank=True, editable=False)
    project = models.OneToOneField(
        "projects.Project",
        verbose_name="市局项目",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="online_application",
        editable=False,
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        verbose_name = "网上申报书"
        verbose_name_plural = "网上申报书"
        ordering = ["-created_at", "-pk"]
        permissions = [
            ("submit_application", "填报并提交网上申报书"),
            ("review_application", "单位审核网上申报书"),
            ("recommend_application", "推荐网上申报书"),
            ("view_team_pii", "查看申报团队成员完整身份证号"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["call", "region", "rank"],
                condition=models.Q(rank__isnull=False),
                name="application_rank_once_per_county",
                violation_error_message="同一县区在一个申报批次中的推荐排序不能重复。",
            ),
            models.CheckConstraint(
                condition=models.Q(end_date__gt=models.F("start_date")),
                name="application_ends_after_start",
                violation_error_message="结束日期须晚于起始日期。",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("applications:application_detail", kwargs={"pk": self.pk})

    @property
    def editable(self) -> bool:
        return self.state in EDITABLE_STATES

    @sensitive_variables("value")
    def set_leader_id_number(self, value: str) -> None:
        pii.seal_id_number(self, value, prefix="leader_")

    def reveal_leader_id_number(self) -> str:
        return pii.unseal(self, "leader_id_number_cipher")


class ApplicationChildQuerySet(RegionScopedQuerySet):
    pass


class _ApplicationChild(models.Model):
    region_field = "application__region"
    unit_field = "application__unit"
    owner_field = "application__leader"

    objects = ApplicationChildQuerySet.as_manager()

    class Meta:
        abstract = True


# A unit in the 经费包干制 pilot states its money by source only (国办发〔2021〕32号: no itemised budget).
LUMP_SUM = "lump_sum"
BUDGET_CATEGORIES = [*BudgetLine.Category.choices, (LUMP_SUM, "包干经费（不分科目）")]


class ApplicationBudgetLine(_ApplicationChild):
    """One line of the application's budget by category (科目) and source."""

    application = models.ForeignKey(
        Application, verbose_name="申报书", on_delete=models.CASCADE, related_name="budget_lines"
    )
    category = models.CharField("科目", max_length=16, choices=BUDGET_CATEGORIES)
    source = models.CharField(
        "资金来源", max_length=8, choices=BudgetLine.Source.choices, default=BudgetLine.Source.CITY
    )
    amount = models.DecimalField("金额（元）", **MONEY, validators=[MinValueValidator(0)])
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = "申报预算"
        verbose_name_plural = "申报预算"
        ordering = ["source", "category", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "source", "category"],
                name="application_budget_line_once",
                violation_error_message="同一资金来源的同一科目只能填一行。",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_source_display()} {self.get_category_display()} {self.amount}"


class TeamMember(_ApplicationChild):
    """A member of the project team. The 身份证号 is kept as experts' are (kejiju.core.pii): encrypted, a
    keyed digest, a masked copy; the clear text only for holders of applications.view_team_pii, audited."""

    application = models.ForeignKey(
        Application, verbose_name="申报书", on_delete=models.CASCADE, related_name="team"
    )
    name = models.CharField("姓名", max_length=50)
    id_number_cipher = pii.SealedField("身份证号（密文）", editable=False)
    id_number_digest = models.CharField("身份证号（检索摘要）", max_length=64, db_index=True, editable=False)
    id_number_masked = models.CharField("身份证号", max_length=18, editable=False)
    pii_row = pii.row_field()
    employer = models.CharField("工作单位", max_length=200)
    title = models.CharField("职称", max_length=50, blank=True)
    duty = models.CharField("项目分工", max_length=200)

    class Meta:
        verbose_name = "团队成员"
        verbose_name_plural = "团队成员"
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "id_number_digest"],
                name="team_member_once",
                violation_error_message="该成员已在团队中。",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @sensitive_variables("value")
    def set_id_number(self, value: str) -> None:
        pii.seal_id_number(self, value)

    def reveal_id_number(self) -> str:
        return pii.unseal(self, "id_number_cipher")


class ApplicationAttachment(_ApplicationChild, FileRecord):
    class Kind(models.TextChoices):
        APPLICATION = "application", "申报书正文"
        FEASIBILITY = "feasibility", "可行性研究报告"
        AGREEMENT = "agreement", "合作协议"
        OTHER = "other", "其他证明材料"

    application = models.ForeignKey(
        Application, verbose_name="申报书", on_delete=models.CASCADE, related_name="attachments"
    )
    kind = models.CharField("附件类型", max_length=16, choices=Kind.choices)
    file = models.FileField("文件", upload_to=generated_name("applications/attachments"), max_length=255)

    class Meta:
        verbose_name = "申报附件"
        verbose_name_plural = "申报附件"
        ordering = ["kind", "uploaded_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.original_name}"

    def get_absolute_url(self) -> str:
        return reverse("applications:applicationattachment_download", kwargs={"pk": self.pk})
