from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.views.decorators.debug import sensitive_variables

from kejiju.core import pii
from kejiju.core.scoping import RegionScopedQuerySet
from kejiju.core.uploads import generated_name

from .rules import AcceptanceResult, AchievementKind, GrantMode, State, TransferMode

MONEY = {"max_digits": 14, "decimal_places": 2}

# The default score sheet offered when staff start an expert panel for a project (100 points).
REVIEW_CRITERIA = [
    {"key": "innovation", "label": "创新性", "max_score": 25, "weight": 1},
    {"key": "feasibility", "label": "技术可行性", "max_score": 25, "weight": 1},
    {"key": "team", "label": "团队与基础条件", "max_score": 20, "weight": 1},
    {"key": "benefit", "label": "预期效益", "max_score": 20, "weight": 1},
    {"key": "budget", "label": "经费合理性", "max_score": 10, "weight": 1},
]


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
        from .rules import CallLimits

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


class ProjectQuerySet(RegionScopedQuerySet):
    pass


class Project(models.Model):
    region_field = "region"
    unit_field = "applicant"
    # A 项目负责人 sees the project of their own online application; the unit's administrator all.
    owner_field = "online_application__leader"

    number = models.CharField(
        "项目编号",
        max_length=30,
        unique=True,
        editable=False,
        error_messages={"unique": "该项目编号已被其他项目使用。"},
    )
    call = models.ForeignKey(Call, verbose_name="申报批次", on_delete=models.PROTECT, related_name="projects")
    # The call's year, copied so that the default order (year, number) is one index scan, not a join + sort;
    # save() and services.call_save keep it equal to call.year.
    year = models.PositiveIntegerField("年度", editable=False)
    title = models.CharField("项目名称", max_length=200, db_index=True)
    applicant = models.ForeignKey(
        "core.Organization", verbose_name="承担单位", on_delete=models.PROTECT, related_name="plan_projects"
    )
    region = models.ForeignKey(
        "accounts.Region", verbose_name="所属县区", on_delete=models.PROTECT, related_name="plan_projects"
    )
    pi_name = models.CharField("项目负责人", max_length=50)
    pi_mobile = models.CharField(
        "负责人手机", max_length=11, db_index=True, help_text="用于识别同一负责人（限项规则）"
    )
    # The leader's 身份证号 (kejiju.core.pii): 限项 and 科研诚信 match the person by its digest; projects
    # entered before it was asked for have none and are matched by mobile number.
    pi_id_number_cipher = pii.SealedField("负责人身份证号（密文）", blank=True, editable=False)
    pi_id_number_digest = models.CharField(
        "负责人身份证号（检索摘要）", max_length=64, blank=True, db_index=True, editable=False
    )
    pi_id_number_masked = models.CharField("负责人身份证号", max_length=18, blank=True, editable=False)
    pii_row = pii.row_field()
    summary = models.TextField("项目简介", blank=True)
    start_date = models.DateField("起始日期")
    end_date = models.DateField("结束日期")
    requested_grant = models.DecimalField("申请市级资金（元）", **MONEY, validators=[MinValueValidator(0)])
    city_grant = models.DecimalField(
        "批准市级资金（元）", **MONEY, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    self_raised = models.DecimalField("自筹资金（元）", **MONEY, default=0, validators=[MinValueValidator(0)])
    lump_sum = models.BooleanField("经费包干制", default=False, help_text="试点单位的项目不编制经费明细预算")
    state = models.CharField(
        "状态", max_length=24, choices=State.choices, default=State.SUBMITTED, db_index=True
    )
    acceptance_result = models.CharField(
        "验收结论", max_length=32, choices=AcceptanceResult.choices, blank=True
    )
    rule_override_reason = models.CharField(
        "限项规则例外说明", max_length=300, blank=True, help_text="局业务人员放行违反限项规则的申报时填写"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="录入人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("录入时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    # The project's timeline: transitions and recorded steps (projects.workflow), in core.WorkflowEvent.
    events = GenericRelation("core.WorkflowEvent", related_query_name="project")

    objects = ProjectQuerySet.as_manager()

    class Meta:
        verbose_name = "科技计划项目"
        verbose_name_plural = "科技计划项目"
        ordering = ["-year", "number"]
        permissions = [
            ("manage_project", "办理项目流程（受理、评审、立项、执行、验收、归档、终止）"),
            ("withdraw_project", "撤回项目申报"),
            ("enter_late_application", "在申报期外录入项目申报"),
            ("override_applicant_rules", "放行违反限项规则的申报"),
            ("file_project_reports", "报送本单位项目的执行材料（年报、中期、变更、验收申请）"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")),
                name="project_dates",
                violation_error_message="结束日期不能早于开始日期。",
            ),
        ]
        indexes = [
            models.Index(fields=["end_date", "state"]),
            models.Index(fields=["-year", "number", "id"], name="projects_year_number"),
            models.Index(fields=["region", "state", "-year", "number"], name="projects_region_state_year"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    def save(self, *args, **kwargs) -> None:
        if self.call_id is not None:
            self.year = self.call.year
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("projects:project_detail", kwargs={"pk": self.pk})

    @sensitive_variables("value")
    def set_pi_id_number(self, value: str) -> None:
        pii.seal_id_number(self, value, prefix="pi_")

    def reveal_pi_id_number(self) -> str:
        return pii.unseal(self, "pi_id_number_cipher")

    # The review panel of the expert library shows these (see experts.services.review_panel_create).
    def review_title(self) -> str:
        return self.title

    def review_applicant(self):
        return self.applicant

    def review_criteria(self) -> list[dict]:
        return REVIEW_CRITERIA

    def review_material(self):
        """What an expert reads (experts.material): the application — the online 申报书's text, budget and
        team when the project came from one, else the project's own summary and budget — and the files
        (the project's attachments, the online application's). Left out: the leader's mobile and 身份证号,
        the team's 身份证号, staff's notes (限项 exceptions)."""
        from experts.material import Material, MaterialFile, Section, money, term, text

        application = getattr(self, "online_application", None)
        basics = [
            ("项目编号", self.number),
            ("项目名称", self.title),
            ("计划类别", self.call.programme.name),
            ("申报批次", self.call.title),
            ("承担单位", self.applicant.name),
            ("所属县区", self.region.name),
            ("项目负责人", self.pi_name),
            ("实施期限", term(self.start_date, self.end_date)),
            ("申请市级资金", money(self.requested_grant)),
            ("自筹资金", money(self.self_raised)),
            ("经费包干制", text(self.lump_sum)),
        ]
        if application is not None:
            content = [("项目简介", text(application.summary)), ("预期目标", text(application.goals))]
            budget = application.budget_lines.all()
        else:
            content = [("项目简介", text(self.summary))]
            budget = self.budget_lines.all()
        sections = [
            Section("基本信息", fields=[(label, text(value)) for label, value in basics]),
            Section("申报内容", fields=content),
            Section(
                "经费预算",
                columns=["资金来源", "科目", "金额（元）", "说明"],
                rows=[
                    [
                        line.get_source_display(),
                        line.get_category_display(),
                        text(line.amount),
                        text(line.note),
                    ]
                    for line in budget
                ],
            ),
        ]
        if application is not None:
            sections.append(
                Section(
                    "团队成员",
                    columns=["姓名", "工作单位", "职称", "项目分工"],
                    rows=[
                        [member.name, member.employer, text(member.title), member.duty]
                        for member in application.team.all()
                    ],
                )
            )
        files = [MaterialFile.of(item) for item in self.attachments.all()]
        if application is not None:
            files += [MaterialFile.of(item) for item in application.attachments.all()]
        return Material(title=self.review_title(), sections=sections, files=files)


class ProjectChildQuerySet(RegionScopedQuerySet):
    pass


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


class AnnualReport(models.Model):
    """The yearly execution report (年度执行报告)."""

    region_field = "project__region"
    unit_field = "project__applicant"
    owner_field = "project__online_application__leader"
    project = models.ForeignKey(
        Project, verbose_name="项目", on_delete=models.CASCADE, related_name="annual_reports"
    )
    year = models.PositiveIntegerField("报告年度", validators=[MinValueValidator(2000)])
    filed_on = models.DateField("报送日期")
    progress = models.TextField("执行情况")
    spent = models.DecimalField("当年支出（元）", **MONEY, default=0, validators=[MinValueValidator(0)])

    objects = ProjectChildQuerySet.as_manager()

    class Meta:
        verbose_name = "年度执行报告"
        verbose_name_plural = "年度执行报告"
        ordering = ["year"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "year"],
                name="projects_annualreport_unique",
                violation_error_message="该项目本年度已有年度报告。",
            )
        ]

    def __str__(self) -> str:
        return f"{self.year} 年度报告"


class MidtermCheck(models.Model):
    """A 中期检查 and its conclusion."""

    class Conclusion(models.TextChoices):
        CONTINUE = "continue", "继续执行"
        ADJUST = "adjust", "调整后继续"
        STOP = "stop", "建议终止"

    region_field = "project__region"
    unit_field = "project__applicant"
    owner_field = "project__online_application__leader"
    project = models.ForeignKey(
        Project, verbose_name="项目", on_delete=models.CASCADE, related_name="midterm_checks"
    )
    checked_on = models.DateField("检查日期")
    conclusion = models.CharField("检查结论", max_length=16, choices=Conclusion.choices)
    findings = models.TextField("检查意见")

    objects = ProjectChildQuerySet.as_manager()

    class Meta:
        verbose_name = "中期检查"
        verbose_name_plural = "中期检查"
        ordering = ["checked_on"]

    def __str__(self) -> str:
        return f"{self.checked_on} {self.get_conclusion_display()}"


class ChangeRequest(models.Model):
    """A 变更 request: new dates, new money, or a new principal investigator."""

    class Kind(models.TextChoices):
        DATES = "dates", "项目期限"
        BUDGET = "budget", "经费预算"
        LEADER = "leader", "项目负责人"

    class Decision(models.TextChoices):
        PENDING = "pending", "待审批"
        APPROVED = "approved", "已批准"
        REFUSED = "refused", "已驳回"

    region_field = "project__region"
    unit_field = "project__applicant"
    owner_field = "project__online_application__leader"
    project = models.ForeignKey(
        Project, verbose_name="项目", on_delete=models.CASCADE, related_name="change_requests"
    )
    kind = models.CharField("变更类型", max_length=16, choices=Kind.choices)
    reason = models.TextField("变更理由")
    new_start_date = models.DateField("新起始日期", null=True, blank=True)
    new_end_date = models.DateField("新结束日期", null=True, blank=True)
    new_city_grant = models.DecimalField(
        "新市级资金（元）", **MONEY, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    new_self_raised = models.DecimalField(
        "新自筹资金（元）", **MONEY, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    new_pi_name = models.CharField("新负责人", max_length=50, blank=True)
    new_pi_mobile = models.CharField("新负责人手机", max_length=11, blank=True)
    decision = models.CharField(
        "审批结果", max_length=16, choices=Decision.choices, default=Decision.PENDING, db_index=True
    )
    decision_comment = models.TextField("审批意见", blank=True)
    requested_at = models.DateTimeField("申请时间", auto_now_add=True)
    decided_at = models.DateTimeField("审批时间", null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审批人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    events = GenericRelation("core.WorkflowEvent", related_query_name="changerequest")

    objects = ProjectChildQuerySet.as_manager()

    class Meta:
        verbose_name = "项目变更"
        verbose_name_plural = "项目变更"
        ordering = ["-requested_at", "-pk"]
        permissions = [("decide_changerequest", "审批项目变更")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}变更（{self.get_decision_display()}）"

    def get_absolute_url(self) -> str:
        return reverse("projects:project_detail", kwargs={"pk": self.project_id})


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


# ------------------------------------------------------------------------ 职务科技成果赋权 pilot
# Kept apart from the 包干制 pilot (LumpSumPilot): one unit may be in both, under separate schemes.


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
