import django_filters

from kejiju.accounts.models import Region
from kejiju.core.filters import BaseFilterSet, YearFilter
from kejiju.core.models import ReportJob

from . import rules
from .models import CountyTask, MonthlyFiling, ResearcherTarget, TaskCategory


class CountyTaskFilterSet(BaseFilterSet):
    search_fields = ("title", "partner")
    year = YearFilter(label="年度")
    region = django_filters.ModelChoiceFilter(queryset=Region.objects.county_level(), label="县区")
    category = django_filters.ChoiceFilter(choices=TaskCategory.choices, label="类别")
    status = django_filters.ChoiceFilter(choices=CountyTask.Status.choices, label="审核状态")

    class Meta:
        model = CountyTask
        fields = ["q", "year", "region", "category", "status"]


class MonthlyFilingFilterSet(BaseFilterSet):
    search_fields = ("key_progress", "problems", "next_plan")
    year = YearFilter(label="年度")
    month = django_filters.NumberFilter(label="月份")
    region = django_filters.ModelChoiceFilter(queryset=Region.objects.county_level(), label="县区")
    state = django_filters.ChoiceFilter(choices=rules.FilingState.choices, label="状态")
    is_late = django_filters.BooleanFilter(label="逾期报送")

    class Meta:
        model = MonthlyFiling
        fields = ["q", "year", "month", "region", "state", "is_late"]


class ResearcherTargetFilterSet(BaseFilterSet):
    search_fields = ("region__name", "note")
    year = YearFilter(label="年度")
    region = django_filters.ModelChoiceFilter(queryset=Region.objects.county_level(), label="县区")

    class Meta:
        model = ResearcherTarget
        fields = ["year", "region"]


class AnnualEditionFilterSet(BaseFilterSet):
    search_fields = ("parameters__region_name", "parameters__narrative", "error")
    year = YearFilter(label="年度", method="filter_year")
    state = django_filters.ChoiceFilter(choices=ReportJob.State.choices, label="状态")

    class Meta:
        model = ReportJob
        fields = ["year", "state"]

    def filter_year(self, queryset, name, value):
        return queryset.filter(parameters__year=int(value))  # a JSON number: compare an int, not a Decimal
