from __future__ import annotations

import django_tables2 as tables
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from kejiju.core.tables import BaseTable, DateTimeColumn

from .models import Announcement


class AnnouncementTable(BaseTable):
    """The bureau's list: every announcement, its state and its readers."""

    title = tables.Column(linkify=True)
    publish_at = DateTimeColumn(format="Y-m-d H:i", default="发布时即显示")
    expires_at = DateTimeColumn(format="Y-m-d H:i", default="长期")
    author = tables.Column(default="—")
    read_count = tables.Column(verbose_name="已读人数", orderable=True)

    class Meta(BaseTable.Meta):
        model = Announcement
        fields = ("title", "state", "audience", "pinned", "publish_at", "expires_at", "author", "read_count")
        empty_text = "暂无通知公告。"


class MyAnnouncementTable(BaseTable):
    """A reader's list: pinned first, unread marked."""

    title = tables.Column(verbose_name="标题")
    publish_at = DateTimeColumn(format="Y-m-d H:i", verbose_name="发布时间")
    attachment_count = tables.Column(verbose_name="附件数", orderable=False)
    is_read = tables.Column(verbose_name="阅读状态", orderable=False)

    class Meta(BaseTable.Meta):
        model = Announcement
        fields = ("title", "publish_at", "attachment_count", "is_read")
        empty_text = "暂无通知公告。"
        export_exclude = ()

    def render_title(self, record, value):
        pin = mark_safe('<span class="badge text-bg-danger me-1">置顶</span>') if record.pinned else ""
        return format_html('{} <a href="{}">{}</a>', pin, record.get_absolute_url(), value)

    def value_title(self, record, value):
        return f"置顶 {value}" if record.pinned else value

    def render_attachment_count(self, value):
        return value or "—"

    def value_attachment_count(self, value):
        return value or None

    def render_is_read(self, value):
        if value:
            return mark_safe('<span class="text-secondary">已读</span>')
        return mark_safe('<span class="badge text-bg-primary" data-testid="unread">未读</span>')

    def value_is_read(self, value):
        return "已读" if value else "未读"
