import django_filters
from django.db.models import Q

from kejiju.accounts.models import Region
from kejiju.core.filters import BaseFilterSet

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
    recognised_year = django_filters.NumberFilter(field_name="recognised_on__year", label="认定年度")

    class Meta:
        model = Platform
        fields = ["q", "platform_type", "level", "state", "region", "field", "recognised_year"]


class PlatformTypeFilterSet(BaseFilterSet):
    search_fields = ("name", "code")

    class Meta:
        model = PlatformType
        fields = ["q", "is_active"]


class BatchFilterSet(BaseFilterSet):
    search_fields = ("title",)
    year = django_filters.NumberFilter(label="年度")
    platform_type = django_filters.ModelChoiceFilter(queryset=_types, label="平台类型")
    level = django_filters.ChoiceFilter(choices=Level.choices, label="认定级别")
    state = django_filters.ChoiceFilter(choices=BatchState.choices, label="进度")

    class Meta:
        model = RecognitionBatch
        fields = ["q", "year", "platform_type", "level", "state"]


class EvaluationFilterSet(BaseFilterSet):
    search_fields = ("platform__name", "platform__host__name")
    year = django_filters.NumberFilter(label="评价年度")
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
    year = django_filters.NumberFilter(field_name="held_on__year", label="年度")
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
