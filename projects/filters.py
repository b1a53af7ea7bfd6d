from __future__ import annotations

import datetime as dt

import django_filters
from django.db.models import Exists, OuterRef
from django.utils import timezone

from kejiju.accounts.models import Region
from kejiju.core.filters import BaseFilterSet, YearFilter

from . import rules
from .models import (
    Achievement,
    AchievementTransfer,
    Call,
    ChangeRequest,
    CooperationProject,
    Disbursement,
    LumpSumPilot,
    OwnershipGrant,
    OwnershipPilot,
    Programme,
    Project,
)
from .selectors import (
    applied_projects,
    approved_projects,
    cooperation_finished_in,
    cooperation_landed_in,
    overdue_condition,
    year_end,
)


def _regions(request):
    from kejiju.core.scoping import scope_region_ids

    queryset = Region.objects.county_level()
    if request is None:
        return queryset
    allowed = scope_region_ids(request.user)
    return queryset if allowed is None else queryset.filter(pk__in=allowed)


class ProgrammeFilterSet(BaseFilterSet):
    search_fields = ("name", "code")

    class Meta:
        model = Programme
        fields = ["is_active"]


class CallFilterSet(BaseFilterSet):
    search_fields = ("title",)

    class Meta:
        model = Call
        fields = ["programme", "year"]


class ProjectFilterSet(BaseFilterSet):
    search_fields = ("title", "number", "applicant__name", "pi_name")

    programme = django_filters.ModelChoiceFilter(
        field_name="call__programme", queryset=Programme.objects.all(), label="计划类别"
    )
    call = django_filters.ModelChoiceFilter(
        queryset=Call.objects.select_related("programme"), label="申报批次"
    )
    year = YearFilter(field_name="year", label="年度")
    state = django_filters.ChoiceFilter(choices=rules.State.choices, label="状态")
    region = django_filters.ModelChoiceFilter(queryset=_regions, label="县区")
    lump_sum = django_filters.BooleanFilter(label="包干制")
    overdue = django_filters.BooleanFilter(method="filter_overdue", label="超期未验收")
    pending_change = django_filters.BooleanFilter(method="filter_pending_change", label="有待审批变更")
    # The annual review's figures, each the same query as the figure (projects.selectors).
    applied_year = YearFilter(method="filter_applied_year", label="申报年度（年末已申报）")
    year_end_state = django_filters.ChoiceFilter(
        choices=rules.State.choices, method="filter_year_end_state", label="年末状态（随申报年度）"
    )
    approved_year = YearFilter(method="filter_approved_year", label="立项年度")
    paid_year = YearFilter(method="filter_paid_year", label="拨付年度")

    class Meta:
        model = Project
        fields = [
            "programme",
            "call",
            "year",
            "state",
            "region",
            "lump_sum",
            "overdue",
            "pending_change",
            "applied_year",
            "year_end_state",
            "approved_year",
            "paid_year",
        ]

    def filter_applied_year(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(pk__in=applied_projects(year=int(value)).values("pk"))

    def filter_year_end_state(self, queryset, name, value):
        """The state on 31 December of the 申报年度 given with it (today's state without one)."""
        year = self.form.cleaned_data.get("applied_year")
        if not value:
            return queryset
        if not year:
            return queryset.filter(state=value)
        at_end = applied_projects(year=int(year)).filter(state_at_end=value)
        return queryset.filter(pk__in=at_end.values("pk"))

    def filter_approved_year(self, queryset, name, value):
        if not value:
            return queryset
        year = int(value)
        approved = approved_projects(start=dt.date(year, 1, 1), end=year_end(year))
        return queryset.filter(pk__in=approved.values("pk"))

    def filter_paid_year(self, queryset, name, value):
        if not value:
            return queryset
        year = int(value)
        paid = Disbursement.objects.filter(
            project=OuterRef("pk"), paid_on__range=(dt.date(year, 1, 1), year_end(year))
        )
        return queryset.filter(Exists(paid))

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        condition = overdue_condition(timezone.localdate())
        return queryset.filter(condition) if value else queryset.exclude(condition)

    def filter_pending_change(self, queryset, name, value):
        if value is None:
            return queryset
        pending = ChangeRequest.objects.filter(
            project=OuterRef("pk"), decision=ChangeRequest.Decision.PENDING
        )
        return queryset.filter(Exists(pending)) if value else queryset.exclude(Exists(pending))


class CooperationProjectFilterSet(BaseFilterSet):
    search_fields = ("title", "university__name", "local_unit__name")

    region = django_filters.ModelChoiceFilter(queryset=_regions, label="县区")
    # The figures' own conditions (projects.selectors): a 已终止 record with a 落地日期 is not listed as 落地.
    landed_year = YearFilter(method="filter_landed_year", label="落地年度")
    finished_year = YearFilter(method="filter_finished_year", label="完成年度")

    class Meta:
        model = CooperationProject
        fields = ["kind", "state", "region", "task_year", "landed_year", "finished_year"]

    def filter_landed_year(self, queryset, name, value):
        return queryset if value is None else queryset.filter(cooperation_landed_in(int(value)))

    def filter_finished_year(self, queryset, name, value):
        return queryset if value is None else queryset.filter(cooperation_finished_in(int(value)))


class AchievementFilterSet(BaseFilterSet):
    search_fields = ("title", "number", "inventors")
    pilot = django_filters.ModelChoiceFilter(
        queryset=OwnershipPilot.objects.select_related("organization"), label="成果所属单位"
    )
    kind = django_filters.ChoiceFilter(choices=rules.AchievementKind.choices, label="成果类型")
    granted_year = YearFilter(method="filter_granted_year", label="赋权年度")

    class Meta:
        model = Achievement
        fields = ["q", "pilot", "kind", "granted_year"]

    def filter_granted_year(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(
            Exists(OwnershipGrant.objects.filter(achievement=OuterRef("pk"), granted_on__year=value))
        )


class AchievementTransferFilterSet(BaseFilterSet):
    search_fields = ("grant__achievement__title", "enterprise__name", "contract_no")
    pilot = django_filters.ModelChoiceFilter(
        field_name="grant__achievement__pilot",
        queryset=OwnershipPilot.objects.select_related("organization"),
        label="成果所属单位",
    )
    mode = django_filters.ChoiceFilter(choices=rules.TransferMode.choices, label="转化方式")
    year = YearFilter(field_name="transferred_on__year", label="年度")

    class Meta:
        model = AchievementTransfer
        fields = ["q", "pilot", "mode", "year"]


class LumpSumPilotFilterSet(BaseFilterSet):
    search_fields = ("organization__name", "note")

    class Meta:
        model = LumpSumPilot
        fields = ["batch", "since_year", "is_active"]


class OwnershipPilotFilterSet(BaseFilterSet):
    search_fields = ("organization__name", "scheme", "scheme_summary")
    joined_year = YearFilter(field_name="joined_on", lookup_expr="year", label="纳入试点年度")

    class Meta:
        model = OwnershipPilot
        fields = ["joined_year", "is_active"]
