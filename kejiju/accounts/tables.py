import re

import django_tables2 as tables
from auditlog.models import LogEntry
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from kejiju.core.history import changes_text, readable_changes
from kejiju.core.models import AuditEvent
from kejiju.core.tables import BaseTable, BooleanColumn, DateTimeColumn
from kejiju.core.templatetags.kejiju_tags import audit_action

from .models import Region, User, UserSession


class UserTable(BaseTable):
    username = tables.Column(linkify=True)
    role = tables.Column(verbose_name="角色")
    region = tables.Column(verbose_name="所属区划")
    is_active = BooleanColumn(verbose_name="启用", yesno="是,否")
    last_login = DateTimeColumn(verbose_name="最近登录", format="Y-m-d H:i")

    class Meta(BaseTable.Meta):
        model = User
        fields = ("username", "display_name", "role", "region", "email", "is_active", "last_login")


class RegionTable(BaseTable):
    name = tables.Column(linkify=lambda record: record.get_absolute_url())
    parent = tables.Column(verbose_name="上级")

    class Meta(BaseTable.Meta):
        model = Region
        fields = ("code", "gb2260_code", "name", "kind", "parent", "sort_order", "is_active")


# Short cells of the change log kept on one line, leaving the width to 变更内容.
_NOWRAP = {"th": {"class": "text-nowrap"}, "td": {"class": "text-nowrap"}}


def local_time_text(value) -> str:
    """A logged time as the auditor reads it, in the export too: local, to the second."""
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S") if value else ""


class ChangeLogTable(BaseTable):
    timestamp = DateTimeColumn(verbose_name="时间", format="Y-m-d H:i:s", attrs=_NOWRAP)
    actor = tables.Column(verbose_name="操作人", accessor="actor__username", default="系统")
    remote_addr = tables.Column(verbose_name="IP 地址", attrs=_NOWRAP)
    action = tables.Column(verbose_name="操作", attrs=_NOWRAP)

    def render_action(self, record):
        return audit_action(record)

    def value_timestamp(self, value):
        return local_time_text(value)

    def value_action(self, record):
        return audit_action(record)

    content_type = tables.Column(verbose_name="对象类型", accessor="content_type__name", attrs=_NOWRAP)
    object_repr = tables.Column(verbose_name="对象")
    changes = tables.Column(verbose_name="变更内容", accessor="pk", orderable=False)

    def _changes(self, record) -> str:
        # The page's entries are read together (one query per related model), at the first cell.
        if getattr(record, "readable_changes", None) is None:
            page = {row.record.pk: row.record for row in self.paginated_rows}
            if record.pk in page:
                readable_changes(page.values())
                record.readable_changes = page[record.pk].readable_changes
        return changes_text(record) or "—"

    def render_changes(self, record):
        return self._changes(record)

    def value_changes(self, record):
        return self._changes(record)

    class Meta(BaseTable.Meta):
        model = LogEntry
        fields = ("timestamp", "actor", "remote_addr", "action", "content_type", "object_repr", "changes")


class AuditEventTable(BaseTable):
    created_at = DateTimeColumn(verbose_name="时间", format="Y-m-d H:i:s")

    def value_created_at(self, value):
        return local_time_text(value)

    class Meta(BaseTable.Meta):
        model = AuditEvent
        fields = ("created_at", "username", "ip_address", "event_type", "outcome", "object_repr", "detail")


# Browser and system from a User-Agent, for a short cell (the whole string is the cell's title).
_BROWSERS = (
    ("Edg/", "Edge"),
    ("OPR/", "Opera"),
    ("MicroMessenger/", "微信"),
    ("QQBrowser/", "QQ浏览器"),
    ("Firefox/", "Firefox"),
    ("Chrome/", "Chrome"),
    ("Version/", "Safari"),
)
_SYSTEMS = (
    ("Windows", "Windows"),
    ("Android", "Android"),
    ("iPhone", "iOS"),
    ("iPad", "iPadOS"),
    ("Mac OS X", "macOS"),
    ("Linux", "Linux"),
)


def short_user_agent(user_agent: str) -> str:
    """ "Chrome 120 · Windows" from a User-Agent string; its first 40 characters when unrecognised."""
    if not user_agent:
        return "—"
    browser = ""
    for marker, name in _BROWSERS:
        found = re.search(re.escape(marker) + r"(\d+)", user_agent)
        if found:
            browser = f"{name} {found.group(1)}"
            break
    system = next((name for marker, name in _SYSTEMS if marker in user_agent), "")
    short = " · ".join(part for part in (browser, system) if part)
    return short or (user_agent[:40] + ("…" if len(user_agent) > 40 else ""))


class UserSessionTable(BaseTable):
    user = tables.Column(
        verbose_name="用户",
        accessor="user__username",
        linkify=lambda record: record.user.get_absolute_url(),
        order_by=("user__username",),
    )
    display_name = tables.Column(verbose_name="姓名", accessor="user__display_name")
    role = tables.Column(verbose_name="角色", accessor="user__role", order_by=("user__role",))
    region = tables.Column(
        verbose_name="所属区划", accessor="user__region__name", order_by=("user__region__sort_order",)
    )
    ip_address = tables.Column(verbose_name="IP 地址")
    user_agent = tables.Column(verbose_name="浏览器", orderable=False)
    created_at = DateTimeColumn(verbose_name="登录时间", format="Y-m-d H:i:s")
    last_seen_at = DateTimeColumn(verbose_name="最近活动", format="Y-m-d H:i:s")
    actions = tables.Column(verbose_name="操作", accessor="pk", orderable=False)

    class Meta(BaseTable.Meta):
        model = UserSession
        fields = ("user", "display_name", "role", "region", "ip_address", "user_agent", "created_at")
        sequence = (*fields, "last_seen_at", "actions")

    def render_role(self, record):
        return record.user.role_label

    def value_role(self, record):
        return record.user.role_label

    def render_user_agent(self, value):
        return format_html('<span title="{}">{}</span>', value, short_user_agent(value))

    def value_user_agent(self, value):
        return value

    def render_actions(self, record):
        url = reverse("accounts:usersession_end", args=[record.pk])
        return format_html(
            '<a class="btn btn-sm btn-outline-danger" href="{}" data-testid="end-session">'
            '<i class="bi bi-box-arrow-right"></i> 强制下线</a>',
            url,
        )
