import django_tables2 as tables


class BaseTable(tables.Table):
    """Shared look of every list table; columns named in `export_exclude` stay out of xlsx exports."""

    export_exclude = ("actions",)

    class Meta:
        template_name = "core/table.html"
        attrs = {"class": "table table-sm table-hover align-middle mb-0"}
        empty_text = "暂无符合条件的记录。"
        per_page = 50
