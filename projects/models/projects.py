"""The plan project (科技计划项目) itself, the money field shape and the default review score sheet."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from django.views.decorators.debug import sensitive_variables

from kejiju.core import pii
from kejiju.core.scoping import RegionScopedQuerySet

from ..rules import AcceptanceResult, State
from .plans import Call

MONEY = {"max_digits": 14, "decimal_places": 2}

# The default score sheet offered when staff start an expert panel for a project (100 points).
REVIEW_CRITERIA = [
    {"key": "innovation", "label": "创新性", "max_score": 25, "weight": 1},
    {"key": "feasibility", "label": "技术可行性", "max_score": 25, "weight": 1},
    {"key": "team", "label": "团队与基础条件", "max_score": 20, "weight": 1},
    {"key": "benefit", "label": "预期效益", "max_score": 20, "weight": 1},
    {"key": "budget", "label": "经费合理性", "max_score": 10, "weight": 1},
]


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
