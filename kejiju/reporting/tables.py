import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html

from kejiju.core.models import ReportJob
from kejiju.core.tables import BaseTable, BooleanColumn, DateColumn, DateTimeColumn

from .editions import edition_number_text, edition_numbers, edition_scope
from .models import CountyTask, MonthlyFiling, Notice, ResearcherTarget


class CountyTaskTable(BaseTable):
    title = tables.Column(linkify=True)
    region = tables.Column(verbose_name="县区", order_by=("region__sort_order", "region__code"))
    deadline = DateColumn(format="Y-m-d")

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
    first_submitted_at = DateTimeColumn(format="Y-m-d H:i")
    is_late = BooleanColumn(yesno="是,否")
    reviewed_by = tables.Column(verbose_name="审核人")

    class Meta(BaseTable.Meta):
        model = MonthlyFiling
        fields = ("period", "region", "state", "first_submitted_at", "is_late", "reviewed_by")


class NoticeTable(BaseTable):
    created_at = DateTimeColumn(format="Y-m-d H:i")
    # Opening a notice marks it read (one by one), then leads to what it is about.
    title = tables.Column(linkify=lambda record: reverse("reporting:notice_open", kwargs={"pk": record.pk}))
    read_at = DateTimeColumn(verbose_name="已读", format="Y-m-d H:i", default="未读")

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


class AnnualEditionTable(BaseTable):
    """Every annual review edition (one ReportJob each): its year, scope, generation time and file."""

    pk = tables.Column(
        verbose_name="版本",
        linkify=("reporting:annual_edition_detail", {"pk": tables.A("pk")}),
        order_by=("pk",),
    )
    year = tables.Column(verbose_name="年度", accessor="parameters__year", orderable=False)
    scope = tables.Column(verbose_name="范围", empty_values=(), orderable=False)
    finished_at = DateTimeColumn(verbose_name="生成时间", format="Y-m-d H:i:s")
    requested_by = tables.Column(verbose_name="申请人", default="系统")
    state = tables.Column(verbose_name="状态")
    error = tables.Column(verbose_name="失败原因", attrs={"td": {"class": "text-danger"}})
    download = tables.Column(verbose_name="文件", empty_values=(), orderable=False)

    class Meta(BaseTable.Meta):
        model = ReportJob
        fields = ("pk", "year", "scope", "finished_at", "requested_by", "state", "error", "download")

    def render_pk(self, value):
        """第 n 版 within its year and scope (numbered once for the rows shown, in one query)."""
        if not hasattr(self, "_numbers"):
            rows = self.page.object_list if getattr(self, "page", None) else self.rows
            self._numbers = edition_numbers(row.record for row in rows)
        return edition_number_text(self._numbers.get(value))

    def render_year(self, value):
        return f"{value}年"

    def render_scope(self, record):
        return edition_scope(record)

    def render_download(self, record):
        if record.state != ReportJob.State.SUCCEEDED or not record.file:
            return "—"
        url = reverse("reporting:annual_edition_download", args=[record.pk])
        return format_html('<a href="{}"><i class="bi bi-download"></i> 下载 {}</a>', url, record.filename)

    def value_download(self, record):
        return record.filename
