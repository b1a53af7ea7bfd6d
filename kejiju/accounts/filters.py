import django_filters
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType

from kejiju.core.filters import BaseFilterSet, search_condition
from kejiju.core.history import changes_search
from kejiju.core.models import AuditEvent

from .models import Region, User, UserSession
from .roles import Role


class UserFilterSet(BaseFilterSet):
    keeps_region_filters = True
    search_fields = ("username", "display_name", "email")
    role = django_filters.ChoiceFilter(choices=Role.choices, label="角色")
    region = django_filters.ModelChoiceFilter(queryset=Region.objects.county_level(), label="所属区划")
    is_active = django_filters.BooleanFilter(label="启用")

    class Meta:
        model = User
        fields = ["q", "role", "region", "is_active"]


class RegionFilterSet(BaseFilterSet):
    search_fields = ("code", "name")
    kind = django_filters.ChoiceFilter(choices=Region.Kind.choices, label="类型")

    class Meta:
        model = Region
        fields = ["q", "kind"]


class DateRangeFilterMixin(django_filters.FilterSet):
    date_from = django_filters.DateFilter(field_name="timestamp", lookup_expr="date__gte", label="起始日期")
    date_to = django_filters.DateFilter(field_name="timestamp", lookup_expr="date__lte", label="截止日期")


class ChangeLogFilterSet(BaseFilterSet):
    """关键词 finds what the page shows: the object, the account, and the readable changes (a field's
    verbose name, a choice label, a value: kejiju.core.history.changes_search), not only the stored text."""

    search_fields = ("object_repr", "actor__username")
    action = django_filters.ChoiceFilter(choices=LogEntry.Action.choices, label="操作")
    content_type = django_filters.ModelChoiceFilter(
        queryset=ContentType.objects.order_by("app_label", "model"), label="对象类型"
    )
    actor = django_filters.CharFilter(field_name="actor__username", label="操作人")
    remote_addr = django_filters.CharFilter(lookup_expr="startswith", label="IP 地址")
    date_from = django_filters.DateFilter(field_name="timestamp", lookup_expr="date__gte", label="起始日期")
    date_to = django_filters.DateFilter(field_name="timestamp", lookup_expr="date__lte", label="截止日期")

    class Meta:
        model = LogEntry
        fields = ["q", "action", "content_type", "actor", "remote_addr", "date_from", "date_to"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(search_condition(LogEntry, self.search_fields, value) | changes_search(value))


class AuditEventFilterSet(BaseFilterSet):
    search_fields = ("username", "object_repr", "detail")
    event_type = django_filters.ChoiceFilter(choices=AuditEvent.Type.choices, label="事件类型")
    outcome = django_filters.ChoiceFilter(choices=AuditEvent.Outcome.choices, label="结果")
    ip_address = django_filters.CharFilter(lookup_expr="startswith", label="IP 地址")
    date_from = django_filters.DateFilter(field_name="created_at", lookup_expr="date__gte", label="起始日期")
    date_to = django_filters.DateFilter(field_name="created_at", lookup_expr="date__lte", label="截止日期")

    class Meta:
        model = AuditEvent
        fields = ["q", "event_type", "outcome", "ip_address", "date_from", "date_to"]


class UserSessionFilterSet(BaseFilterSet):
    keeps_region_filters = True
    search_fields = ("user__username", "user__display_name", "ip_address")
    role = django_filters.ChoiceFilter(field_name="user__role", choices=Role.choices, label="角色")
    region = django_filters.ModelChoiceFilter(
        field_name="user__region", queryset=Region.objects.county_level(), label="所属区划"
    )

    class Meta:
        model = UserSession
        fields = ["q", "role", "region"]
