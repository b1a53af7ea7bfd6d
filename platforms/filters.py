import django_filters

from kejiju.accounts.models import Region
from kejiju.core.filters import BaseFilterSet

from .models import FIELD_CHOICES, Platform, PlatformEvaluation, PlatformType, RecognitionBatch
from .rules import BatchState, Grade, Level, PlatformState


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
