import datetime as dt

import django_filters
from django.db.models import Q

from kejiju.accounts.models import Region
from kejiju.core.filters import BaseFilterSet, YearFilter

from . import selectors
from .models import FIELD_CHOICES, OutreachEvent, Platform, PlatformEvaluation, PlatformType, RecognitionBatch
from .rules import BatchState, Grade, Level, OutreachKind, OutreachState, PlatformState


def _types(request):
    return PlatformType.objects.all()


class PlatformFilterSet(BaseFilterSet):
    search_fields = ("name", "host__name", "certificate_no")
    platform_type = django_filters.ModelChoiceFilter(queryset=_types, label="平台类型")
    level = django_filters.ChoiceFilter(choices=Level.choices, label="级别")
    state = django_filters.ChoiceFilter(choices=PlatformState.choices, label="状态")
    region = django_filters.ModelChoiceFilter(queryset=Region.objects.county_level(), label="所在县区")
    field = django_filters.ChoiceFilter(choices=FIELD_CHOICES, label="技术领域")
    # The platforms counted in the annual review's figures of that year (read from their events, as the
    # figures are): 新认定 in the year, and 升级认定 in the year.
    recognised_year = YearFilter(method="filter_recognised_year", label="认定年度")
    upgraded_year = YearFilter(method="filter_upgraded_year", label="升级认定年度")

    class Meta:
        model = Platform
        fields = [
            "q",
            "platform_type",
            "level",
            "state",
            "region",
            "field",
            "recognised_year",
            "upgraded_year",
        ]

    @staticmethod
    def _year_span(value) -> dict[str, dt.date] | None:
        year = int(value)
        if not 1 <= year <= 9999:
            return None
        return {"start": dt.date(year, 1, 1), "end": dt.date(year, 12, 31)}

    def filter_recognised_year(self, queryset, name, value):
        if value in (None, ""):
            return queryset
        span = self._year_span(value)
        if span is None:
            return queryset.none()
        return queryset.filter(pk__in=selectors.recognised_platforms(**span).values("pk"))

    def filter_upgraded_year(self, queryset, name, value):
        if value in (None, ""):
            return queryset
        span = self._year_span(value)
        if span is None:
            return queryset.none()
        return queryset.filter(pk__in=selectors.upgraded_platforms(**span).values("pk"))


class PlatformTypeFilterSet(BaseFilterSet):
    search_fields = ("name", "code")

    class Meta:
        model = PlatformType
        fields = ["q", "is_active"]


class BatchFilterSet(BaseFilterSet):
    search_fields = ("title",)
    year = YearFilter(label="年度")
    platform_type = django_filters.ModelChoiceFilter(queryset=_types, label="平台类型")
    level = django_filters.ChoiceFilter(choices=Level.choices, label="认定级别")
    state = django_filters.ChoiceFilter(choices=BatchState.choices, label="进度")

    class Meta:
        model = RecognitionBatch
        fields = ["q", "year", "platform_type", "level", "state"]


class EvaluationFilterSet(BaseFilterSet):
    search_fields = ("platform__name", "platform__host__name")
    year = YearFilter(label="评价年度")
    grade = django_filters.ChoiceFilter(choices=Grade.choices, label="等次")
    platform_type = django_filters.ModelChoiceFilter(
        field_name="platform__platform_type", queryset=_types, label="平台类型"
    )
    region = django_filters.ModelChoiceFilter(
        field_name="platform__region", queryset=Region.objects.county_level(), label="所在县区"
    )
    revocation_proposed = django_filters.BooleanFilter(label="拟撤销")

    class Meta:
        model = PlatformEvaluation
        fields = ["q", "year", "grade", "platform_type", "region", "revocation_proposed"]


class OutreachEventFilterSet(BaseFilterSet):
    search_fields = ("name", "venue", "organiser_name", "platform__name")
    year = YearFilter(field_name="held_on__year", label="年度")
    kind = django_filters.ChoiceFilter(choices=OutreachKind.choices, label="活动类型")
    state = django_filters.ChoiceFilter(choices=OutreachState.choices, label="状态")
    science_week = django_filters.BooleanFilter(label="科技活动周")
    region = django_filters.ModelChoiceFilter(queryset=Region.objects.county_level(), label="所在县区")
    organiser = django_filters.CharFilter(method="filter_organiser", label="举办单位")

    class Meta:
        model = OutreachEvent
        fields = ["q", "year", "kind", "state", "science_week", "region", "organiser"]

    def filter_organiser(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(organiser_name__icontains=value) | Q(platform__name__icontains=value))
