from __future__ import annotations

import django_filters
from django.contrib.contenttypes.models import ContentType

from kejiju.accounts.models import Region
from kejiju.core.filters import BaseFilterSet, YearFilter
from kejiju.core.models import Organization

from .models import (
    Commissioner,
    CommissionerTeam,
    CompositionRule,
    Expert,
    ExpertField,
    ReviewPanel,
    ReviewSubject,
    VicePresidentPlacement,
)


class ExpertFilterSet(BaseFilterSet):
    search_fields = ("name", "specialty", "employer__name")
    field = django_filters.ModelChoiceFilter(
        field_name="fields", queryset=ExpertField.objects.all(), label="专业领域", distinct=True
    )
    title = django_filters.ChoiceFilter(choices=Expert.Title.choices, label="职称")
    category = django_filters.ChoiceFilter(choices=Expert.Category.choices, label="专家类别")
    state = django_filters.ChoiceFilter(choices=Expert.State.choices, label="状态")
    # Typed, not picked: at province scale experts work at thousands of units, too many for a select.
    employer = django_filters.CharFilter(
        field_name="employer__name", lookup_expr="icontains", label="工作单位"
    )
    county = django_filters.ModelChoiceFilter(queryset=Region.objects.county_level(), label="所在县区")
    # The year's 新入库专家 (an 入库 or 重新入库 event effective in it), as the annual review counts them.
    admitted_year = YearFilter(label="入库年度", method="filter_admitted_year")

    class Meta:
        model = Expert
        fields = ["q", "field", "title", "category", "state", "employer", "county", "admitted_year"]

    def filter_admitted_year(self, queryset, name, value):
        from .selectors import experts_admitted

        if value in (None, ""):
            return queryset
        if not 1 <= value <= 9999:
            return queryset.none()
        counted = experts_admitted(user=self.request.user if self.request else None, year=int(value))
        return queryset.filter(pk__in=counted.values("pk"))


class ExpertFieldFilterSet(BaseFilterSet):
    search_fields = ("name",)
    is_active = django_filters.BooleanFilter(label="启用")

    class Meta:
        model = ExpertField
        fields = ["q", "is_active"]


class CompositionRuleFilterSet(BaseFilterSet):
    search_fields = ("notes",)

    class Meta:
        model = CompositionRule
        fields = ["q"]


class _ContentTypeField(django_filters.fields.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class ContentTypeFilter(django_filters.ModelChoiceFilter):
    field_class = _ContentTypeField


class ReviewPanelFilterSet(BaseFilterSet):
    search_fields = ("title", "subjects__title", "subjects__applicant__name")
    state = django_filters.ChoiceFilter(choices=ReviewPanel.State.choices, label="状态")
    subject_type = ContentTypeFilter(
        field_name="subjects__subject_type",
        queryset=ContentType.objects.filter(pk__in=ReviewSubject.objects.values("subject_type")),
        label="评审对象类型",
        distinct=True,
    )
    created_year = YearFilter(field_name="created_at", lookup_expr="year", label="年度")

    class Meta:
        model = ReviewPanel
        fields = ["q", "state", "subject_type", "created_year"]


class PlacementFilterSet(BaseFilterSet):
    search_fields = ("name", "specialty", "university__name", "enterprise__name")
    university = django_filters.ModelChoiceFilter(
        queryset=Organization.objects.filter(kind=Organization.Kind.UNIVERSITY), label="派出高校"
    )
    enterprise = django_filters.ModelChoiceFilter(
        queryset=Organization.objects.filter(vice_presidents_hosted__isnull=False).distinct(),
        label="服务企业",
    )
    county = django_filters.ModelChoiceFilter(queryset=Region.objects.county_level(), label="所在县区")
    state = django_filters.ChoiceFilter(choices=VicePresidentPlacement.State.choices, label="状态")
    year = YearFilter(label="选聘年度")

    class Meta:
        model = VicePresidentPlacement
        fields = ["q", "university", "enterprise", "county", "state", "year"]


class TeamFilterSet(BaseFilterSet):
    search_fields = ("name", "industries")
    year = YearFilter(label="年度")
    county = django_filters.ModelChoiceFilter(
        field_name="counties", queryset=Region.objects.county_level(), label="服务县区", distinct=True
    )

    class Meta:
        model = CommissionerTeam
        fields = ["q", "year", "county"]


class CommissionerFilterSet(BaseFilterSet):
    search_fields = ("name", "employer__name", "industry")
    year = YearFilter(field_name="team__year", label="年度")
    team = django_filters.ModelChoiceFilter(queryset=CommissionerTeam.objects.all(), label="特派团")
    county = django_filters.ModelChoiceFilter(queryset=Region.objects.county_level(), label="服务县区")
    is_leader = django_filters.BooleanFilter(label="团长")

    class Meta:
        model = Commissioner
        fields = ["q", "year", "team", "county", "is_leader"]
