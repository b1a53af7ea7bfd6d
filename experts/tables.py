from __future__ import annotations

import django_tables2 as tables
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe

from kejiju.core.tables import BaseTable, DateColumn, DateTimeColumn

from .models import (
    Commissioner,
    CommissionerTeam,
    CompositionRule,
    Expert,
    ExpertField,
    ReviewPanel,
    VicePresidentPlacement,
)


class FieldsColumn(tables.Column):
    """The expert's fields from the prefetched relation (no query per row)."""

    def render(self, value):
        return "、".join(field.name for field in value.all())

    def value(self, value):
        return self.render(value)


class ExpertTable(BaseTable):
    name = tables.Column(linkify=True)
    id_number_masked = tables.Column(verbose_name="身份证号", orderable=False)
    mobile_masked = tables.Column(verbose_name="手机号", orderable=False)
    employer = tables.Column(verbose_name="工作单位", order_by=("employer__name",))
    fields = FieldsColumn(verbose_name="专业领域", orderable=False)
    county = tables.Column(verbose_name="所在县区", default="市外")
    admitted_on = DateColumn(verbose_name="入库日期", format="Y-m-d")

    class Meta(BaseTable.Meta):
        model = Expert
        fields = (
            "name",
            "gender",
            "id_number_masked",
            "mobile_masked",
            "title",
            "employer",
            "fields",
            "county",
            "state",
            "admitted_on",
        )


class ExpertPIIExportTable(ExpertTable):
    """The unmasked export (experts.view_expert_pii): decrypts row by row, no extra query. Its file
    differs from the (masked) page in these columns only, by design."""

    export_differs = ("id_number_masked", "mobile_masked")

    id_number_masked = tables.Column(verbose_name="身份证号", accessor="pk", orderable=False)
    mobile_masked = tables.Column(verbose_name="手机号", accessor="pk", orderable=False)

    def value_id_number_masked(self, record):
        return record.reveal_id_number()

    def value_mobile_masked(self, record):
        return record.reveal_mobile()


class ExpertFieldTable(BaseTable):
    name = tables.Column(linkify=True)
    expert_count = tables.Column(verbose_name="在库专家数")

    class Meta(BaseTable.Meta):
        model = ExpertField
        fields = ("name", "sort_order", "is_active", "expert_count")


class CompositionRuleTable(BaseTable):
    kind = tables.Column(linkify=True, verbose_name="评审类别")
    yearly_cap = tables.Column(default="不限")

    class Meta(BaseTable.Meta):
        model = CompositionRule
        fields = (
            "kind",
            "min_size",
            "min_technical_share",
            "min_financial",
            "min_management",
            "yearly_cap",
            "notes",
        )

    def render_kind(self, record):
        return record.get_kind_display()


class ReviewPanelTable(BaseTable):
    title = tables.Column(linkify=True)
    subjects = tables.Column(verbose_name="评审对象（申报单位）", accessor="pk", orderable=False)
    member_count = tables.Column(verbose_name="抽取人数")
    results = tables.Column(verbose_name="评审得分", accessor="pk", orderable=False)
    created_by = tables.Column(verbose_name="经办人")
    created_at = DateTimeColumn(verbose_name="创建时间", format="Y-m-d H:i")

    @staticmethod
    def _subjects(record):
        return list(record.subjects.all())  # prefetched by selectors.review_panel_list

    def value_subjects(self, record):
        return "；".join(
            f"{s.title}（{s.applicant}）" if s.applicant_id else s.title for s in self._subjects(record)
        )

    def render_subjects(self, record):
        return format_html_join(
            mark_safe("<br>"),
            "{}{}",
            ((s.title, f"（{s.applicant}）" if s.applicant_id else "") for s in self._subjects(record)),
        )

    def value_results(self, record):
        return "；".join(str(s.result) for s in self._subjects(record) if s.result is not None)

    def render_results(self, record):
        results = [str(s.result) for s in self._subjects(record) if s.result is not None]
        return format_html_join(mark_safe("<br>"), "{}", ((r,) for r in results)) if results else "—"

    class Meta(BaseTable.Meta):
        model = ReviewPanel
        fields = (
            "title",
            "subjects",
            "state",
            "size",
            "reserves",
            "member_count",
            "results",
            "created_by",
            "created_at",
        )


class PlacementTable(BaseTable):
    name = tables.Column(linkify=True)
    university = tables.Column(verbose_name="派出高校", order_by=("university__name",))
    enterprise = tables.Column(verbose_name="服务企业", order_by=("enterprise__name",))
    county = tables.Column(verbose_name="所在县区")
    term_start = DateColumn(verbose_name="任期开始", format="Y-m-d")
    term_end = DateColumn(verbose_name="任期结束", format="Y-m-d")

    class Meta(BaseTable.Meta):
        model = VicePresidentPlacement
        fields = (
            "name",
            "title",
            "university",
            "specialty",
            "year",
            "enterprise",
            "county",
            "term_start",
            "term_end",
            "state",
        )


class CountiesColumn(tables.Column):
    def render(self, value):
        return "、".join(region.name for region in value.all())

    def value(self, value):
        return self.render(value)


class TeamTable(BaseTable):
    name = tables.Column(linkify=True)
    lead_unit = tables.Column(verbose_name="牵头单位")
    counties = CountiesColumn(verbose_name="服务县区", orderable=False)
    member_count = tables.Column(verbose_name="特派员人数")

    class Meta(BaseTable.Meta):
        model = CommissionerTeam
        fields = ("name", "year", "lead_unit", "counties", "industries", "member_count")


class CommissionerTable(BaseTable):
    name = tables.Column(linkify=True)
    team = tables.Column(verbose_name="特派团", linkify=True, order_by=("team__name",))
    employer = tables.Column(verbose_name="工作单位", order_by=("employer__name",))
    county = tables.Column(verbose_name="服务县区")
    year = tables.Column(verbose_name="年度", accessor="team__year")

    class Meta(BaseTable.Meta):
        model = Commissioner
        fields = ("name", "team", "year", "is_leader", "title", "employer", "county", "industry")


__all__ = [
    "CommissionerTable",
    "ExpertFieldTable",
    "ExpertPIIExportTable",
    "ExpertTable",
    "PlacementTable",
    "ReviewPanelTable",
    "TeamTable",
]
