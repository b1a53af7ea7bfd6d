import django_tables2 as tables

from .models import Organization


class BaseTable(tables.Table):
    """Shared look of every list table; columns named in `export_exclude` stay out of xlsx exports."""

    export_exclude = ("actions",)

    class Meta:
        template_name = "core/table.html"
        attrs = {"class": "table table-sm table-hover align-middle mb-0"}
        empty_text = "暂无符合条件的记录。"
        per_page = 50


class OrganizationTable(BaseTable):
    name = tables.Column(linkify=True)
    region = tables.Column(verbose_name="所在县区", default="—")

    class Meta(BaseTable.Meta):
        model = Organization
        fields = ("name", "kind", "uscc", "region", "is_active")
