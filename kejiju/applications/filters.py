import django_filters

from kejiju.accounts.models import Region
from kejiju.core.filters import BaseFilterSet, YearFilter
from projects.models import Call

from .models import Application, ApplicationState, CallGuide


class CallGuideFilterSet(BaseFilterSet):
    search_fields = ("call__title", "call__programme__name")
    year = YearFilter(field_name="call__year", label="年度")

    class Meta:
        model = CallGuide
        fields = ["q", "year"]


class ApplicationFilterSet(BaseFilterSet):
    search_fields = ("title", "unit__name", "leader_name")
    call = django_filters.ModelChoiceFilter(
        queryset=Call.objects.filter(guide__isnull=False).order_by("-year", "-opens_on"), label="申报批次"
    )
    state = django_filters.ChoiceFilter(choices=ApplicationState.choices, label="状态")
    region = django_filters.ModelChoiceFilter(queryset=Region.objects.county_level(), label="所属县区")

    class Meta:
        model = Application
        fields = ["q", "call", "state", "region"]
