import django_tables2 as tables

from kejiju.core.tables import BaseTable

from .models import CountyTask, MonthlyFiling, Notice, ResearcherTarget


class CountyTaskTable(BaseTable):
    title = tables.Column(linkify=True)
    region = tables.Column(verbose_name="县区", order_by=("region__sort_order", "region__code"))
    deadline = tables.DateColumn(format="Y-m-d")

    class Meta(BaseTable.Meta):
        model = CountyTask
        fields = (
            "year",
            "region",
            "category",
            "title",
            "partner",
            "target_quantity",
            "unit",
            "deadline",
            "status",
        )


class MonthlyFilingTable(BaseTable):
    period = tables.Column(
        verbose_name="月份",
        accessor="period",
        order_by=("year", "month"),
        linkify=lambda record: record.get_absolute_url(),
    )
    region = tables.Column(verbose_name="县区", order_by=("region__sort_order", "region__code"))
    first_submitted_at = tables.DateTimeColumn(format="Y-m-d H:i")
    is_late = tables.BooleanColumn(yesno="是,否")
    reviewed_by = tables.Column(verbose_name="审核人")

    class Meta(BaseTable.Meta):
        model = MonthlyFiling
        fields = ("period", "region", "state", "first_submitted_at", "is_late", "reviewed_by")


class NoticeTable(BaseTable):
    created_at = tables.DateTimeColumn(format="Y-m-d H:i")
    title = tables.Column(linkify=lambda record: record.url or None)
    read_at = tables.DateTimeColumn(verbose_name="已读", format="Y-m-d H:i", default="未读")

    class Meta(BaseTable.Meta):
        model = Notice
        fields = ("created_at", "title", "body", "read_at")


class ResearcherTargetTable(BaseTable):
    region = tables.Column(verbose_name="县区", order_by=("region__sort_order", "region__code"))
    edit = tables.LinkColumn(
        "reporting:researchertarget_edit",
        args=[tables.A("pk")],
        text="编辑",
        orderable=False,
        verbose_name="",
    )
    export_exclude = ("actions", "edit")

    class Meta(BaseTable.Meta):
        model = ResearcherTarget
        fields = ("year", "region", "target", "note")
