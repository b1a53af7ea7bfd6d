from __future__ import annotations

import django_filters
from django.db.models import Q

from kejiju.core.filters import BaseFilterSet, YearFilter

from .models import Announcement, AnnouncementState, Audience


def _year_condition(year: int) -> Q:
    """The year it is (or was to be) published; a draft without a publish time by its creation. A year no
    date can have matches nothing (never a 500)."""
    if not 1 <= year <= 9998:
        return Q(pk__in=[])
    return Q(publish_at__year=year) | Q(publish_at__isnull=True, created_at__year=year)


class AnnouncementFilterSet(BaseFilterSet):
    search_fields = ("title",)
    state = django_filters.ChoiceFilter(choices=AnnouncementState.choices, label="状态")
    audience = django_filters.ChoiceFilter(choices=Audience.choices, label="发布范围")
    year = YearFilter(method="filter_year", label="年度")
    pinned = django_filters.BooleanFilter(label="置顶")

    class Meta:
        model = Announcement
        fields = ["q", "state", "audience", "year", "pinned"]

    def filter_year(self, queryset, name, value):
        return queryset.filter(_year_condition(int(value))) if value else queryset


class MyAnnouncementFilterSet(BaseFilterSet):
    search_fields = ("title",)
    year = YearFilter(method="filter_year", label="年度")
    unread = django_filters.BooleanFilter(method="filter_unread", label="只看未读")

    class Meta:
        model = Announcement
        fields = ["q", "year", "unread"]

    def filter_year(self, queryset, name, value):
        return queryset.filter(_year_condition(int(value))) if value else queryset

    def filter_unread(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(is_read=not value)
