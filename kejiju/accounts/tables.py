import django_tables2 as tables
from auditlog.models import LogEntry

from kejiju.core.models import AuditEvent
from kejiju.core.tables import BaseTable
from kejiju.core.templatetags.kejiju_tags import audit_action

from .models import Region, User


class UserTable(BaseTable):
    username = tables.Column(linkify=True)
    role = tables.Column(verbose_name="角色")
    region = tables.Column(verbose_name="所属区划")
    is_active = tables.BooleanColumn(verbose_name="启用", yesno="是,否")
    last_login = tables.DateTimeColumn(verbose_name="最近登录", format="Y-m-d H:i")

    class Meta(BaseTable.Meta):
        model = User
        fields = ("username", "display_name", "role", "region", "email", "is_active", "last_login")


class RegionTable(BaseTable):
    name = tables.Column(linkify=lambda record: record.get_absolute_url())
    parent = tables.Column(verbose_name="上级")

    class Meta(BaseTable.Meta):
        model = Region
        fields = ("code", "gb2260_code", "name", "kind", "parent", "sort_order", "is_active")


class ChangeLogTable(BaseTable):
    timestamp = tables.DateTimeColumn(verbose_name="时间", format="Y-m-d H:i:s")
    actor = tables.Column(verbose_name="操作人", accessor="actor__username", default="系统")
    remote_addr = tables.Column(verbose_name="IP 地址")
    action = tables.Column(verbose_name="操作")

    def render_action(self, record):
        return audit_action(record)

    def value_action(self, record):
        return audit_action(record)

    content_type = tables.Column(verbose_name="对象类型", accessor="content_type__name")
    object_repr = tables.Column(verbose_name="对象")
    changes = tables.Column(verbose_name="变更内容", accessor="changes_str", orderable=False)

    class Meta(BaseTable.Meta):
        model = LogEntry
        fields = ("timestamp", "actor", "remote_addr", "action", "content_type", "object_repr", "changes")


class AuditEventTable(BaseTable):
    created_at = tables.DateTimeColumn(verbose_name="时间", format="Y-m-d H:i:s")

    class Meta(BaseTable.Meta):
        model = AuditEvent
        fields = ("created_at", "username", "ip_address", "event_type", "outcome", "object_repr", "detail")
