from __future__ import annotations

import django_tables2 as tables

from kejiju.core.tables import BaseTable, BooleanColumn, MoneyColumn

from . import rules
from .models import (
    Achievement,
    AchievementTransfer,
    Call,
    CooperationProject,
    LumpSumPilot,
    OwnershipPilot,
    Programme,
    Project,
)


class ProgrammeTable(BaseTable):
    name = tables.Column(linkify=True)
    call_count = tables.Column("批次数", orderable=True)
    project_count = tables.Column("项目数", orderable=True)

    class Meta(BaseTable.Meta):
        model = Programme
        fields = ("name", "code", "sort_order", "is_active", "call_count", "project_count")


class CallTable(BaseTable):
    title = tables.Column(linkify=True)
    project_count = tables.Column("项目数")

    class Meta(BaseTable.Meta):
        model = Call
        fields = ("year", "programme", "title", "opens_on", "closes_on", "review_by", "project_count")


class ProjectTable(BaseTable):
    number = tables.Column(linkify=True)
    title = tables.Column(linkify=True)
    programme = tables.Column(
        "计划类别", accessor="call__programme__name", order_by=("call__programme__sort_order",)
    )
    year = tables.Column("年度", accessor="year")
    applicant = tables.Column(order_by=("applicant__name",))
    region = tables.Column(order_by=("region__sort_order",))
    requested_grant = MoneyColumn()
    city_grant = MoneyColumn()
    paid = MoneyColumn("已拨付（元）")
    self_raised = MoneyColumn()
    lump_sum = BooleanColumn(yesno="是,否")
    export_only = ("start_date", "end_date", "requested_grant", "self_raised")

    class Meta(BaseTable.Meta):
        model = Project
        fields = (
            "number",
            "title",
            "programme",
            "year",
            "applicant",
            "region",
            "pi_name",
            "state",
            "start_date",
            "end_date",
            "requested_grant",
            "city_grant",
            "paid",
            "self_raised",
            "lump_sum",
        )


class OverdueAcceptanceTable(BaseTable):
    number = tables.Column(linkify=True)
    title = tables.Column(linkify=True)
    applicant = tables.Column(order_by=("applicant__name",))
    region = tables.Column(order_by=("region__sort_order",))
    awaiting = tables.Column("尚待", accessor="state", orderable=False)

    class Meta(BaseTable.Meta):
        model = Project
        fields = ("number", "title", "applicant", "region", "pi_name", "state", "end_date", "awaiting")

    def render_awaiting(self, record):
        return rules.acceptance_awaits(record.state)

    def value_awaiting(self, record):
        return rules.acceptance_awaits(record.state)


class MissingMidtermTable(BaseTable):
    number = tables.Column(linkify=True)
    title = tables.Column(linkify=True)
    applicant = tables.Column(order_by=("applicant__name",))
    region = tables.Column(order_by=("region__sort_order",))

    class Meta(BaseTable.Meta):
        model = Project
        fields = ("number", "title", "applicant", "region", "pi_name", "state", "start_date", "end_date")


class MissingReportTable(BaseTable):
    number = tables.Column(linkify=True)
    title = tables.Column(linkify=True)
    applicant = tables.Column(order_by=("applicant__name",))
    region = tables.Column(order_by=("region__sort_order",))
    reports_due = tables.Column("应报年报数")
    reports_filed = tables.Column("已报年报数")

    class Meta(BaseTable.Meta):
        model = Project
        fields = (
            "number",
            "title",
            "applicant",
            "region",
            "state",
            "start_date",
            "end_date",
            "reports_due",
            "reports_filed",
        )


class LumpSumPilotTable(BaseTable):
    organization = tables.Column(order_by=("organization__name",))
    actions = tables.TemplateColumn(
        template_name="projects/_pilot_actions.html", verbose_name="", orderable=False
    )

    class Meta(BaseTable.Meta):
        model = LumpSumPilot
        fields = ("organization", "batch", "since_year", "is_active", "note", "actions")


class CooperationProjectTable(BaseTable):
    title = tables.Column(linkify=True)
    region = tables.Column(order_by=("region__sort_order",))
    university = tables.Column(order_by=("university__name",))
    local_unit = tables.Column(order_by=("local_unit__name",))
    export_only = ("finished_on",)

    class Meta(BaseTable.Meta):
        model = CooperationProject
        fields = (
            "title",
            "region",
            "university",
            "local_unit",
            "kind",
            "state",
            "task_year",
            "signed_on",
            "landed_on",
            "finished_on",
            "investment",
        )


class OwnershipPilotTable(BaseTable):
    organization = tables.Column(linkify=True, order_by=("organization__name",))
    achievement_count = tables.Column("成果数")
    grant_count = tables.Column("赋权数")
    transfer_total = MoneyColumn("转化金额（万元）")

    class Meta(BaseTable.Meta):
        model = OwnershipPilot
        fields = ("organization", "scheme", "joined_on", "is_active", "achievement_count", "grant_count")


class AchievementTable(BaseTable):
    title = tables.Column(linkify=True)
    pilot = tables.Column(
        "成果所属单位", accessor="pilot__organization__name", order_by=("pilot__organization__name",)
    )
    source_project = tables.Column("来源计划项目", accessor="source_project__number", default="—")
    grant_count = tables.Column("赋权数")
    transfer_total = MoneyColumn("转化金额（万元）")

    class Meta(BaseTable.Meta):
        model = Achievement
        fields = ("title", "kind", "number", "pilot", "inventors", "source_project", "grant_count")


class AchievementTransferTable(BaseTable):
    achievement = tables.Column(
        "职务科技成果",
        accessor="grant__achievement",
        linkify=lambda record: record.get_absolute_url(),
        order_by=("grant__achievement__title",),
    )
    unit = tables.Column(
        "成果所属单位",
        accessor="grant__achievement__pilot__organization__name",
        order_by=("grant__achievement__pilot__organization__name",),
    )
    enterprise = tables.Column(order_by=("enterprise__name",))
    amount = MoneyColumn()

    class Meta(BaseTable.Meta):
        model = AchievementTransfer
        fields = ("achievement", "unit", "mode", "enterprise", "amount", "transferred_on", "contract_no")
