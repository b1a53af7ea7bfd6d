from __future__ import annotations

from datetime import date

import django_filters
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from kejiju.accounts.models import Region
from kejiju.core.filters import BaseFilterSet

from .industries import SECTIONS
from .models import (
    DoublingTarget,
    Enterprise,
    EnterpriseYear,
    GaoqiCertificate,
    PoolEntry,
    Reward,
    RewardTier,
    SmesEvaluation,
)
from .selectors import (
    exists_valid_certificate,
    pool_admitted,
    smes_admitted,
    valid_certificates,
)


def _years():
    this_year = timezone.localdate().year
    return [(year, f"{year}年") for year in range(this_year, this_year - 8, -1)]


def _regions(request):
    from kejiju.core.scoping import scope_region_ids

    queryset = Region.objects.county_level()
    if request is None:
        return queryset
    allowed = scope_region_ids(request.user)
    return queryset if allowed is None else queryset.filter(pk__in=allowed)


class EnterpriseFilterSet(BaseFilterSet):
    search_fields = ("name", "uscc")
    q = django_filters.CharFilter(method="search", label="名称或统一社会信用代码")
    region = django_filters.ModelChoiceFilter(queryset=_regions, label="所在县区")
    industry_section = django_filters.ChoiceFilter(choices=SECTIONS, label="行业门类")
    pool = django_filters.ChoiceFilter(
        choices=[("smes", "科技型中小企业（已入库）"), ("gaoqi_pool", "高企培育库")],
        method="filter_noop",
        label="所在库",
    )
    gaoqi = django_filters.ChoiceFilter(
        choices=[
            ("certified", "持有效高企证书"),
            ("applied", "培育库·已申报"),
            ("pool", "培育库·培育中"),
            ("none", "非高企"),
        ],
        method="filter_gaoqi",
        label="高企状态",
    )
    year = django_filters.ChoiceFilter(choices=_years, method="filter_noop", label="年度")
    is_active = django_filters.BooleanFilter(label="有效")
    gaoqi_valid_on = django_filters.DateFilter(method="filter_gaoqi_valid_on", label="某日持有效高企证书")

    class Meta:
        model = Enterprise
        fields = ["q", "region", "industry_section", "pool", "gaoqi", "year", "is_active", "gaoqi_valid_on"]

    def filter_gaoqi_valid_on(self, queryset, name, value):
        """Enterprises holding a valid certificate that day: the annual figure 有效高新技术企业."""
        return queryset.filter(exists_valid_certificate(OuterRef("pk"), value))

    def filter_noop(self, queryset, name, value):
        return queryset

    def filter_gaoqi(self, queryset, name, value):
        valid = exists_valid_certificate(OuterRef("pk"), timezone.localdate())
        if value == "certified":
            return queryset.filter(valid)
        if value == "none":
            return queryset.exclude(valid)
        state = "applied" if value == "applied" else "admitted"
        return queryset.filter(Exists(PoolEntry.objects.filter(enterprise=OuterRef("pk"), state=state)))

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        data = self.form.cleaned_data
        pool, year = data.get("pool"), int(data["year"]) if data.get("year") else None
        if pool == "smes":
            rows = SmesEvaluation.objects.filter(enterprise=OuterRef("pk"), state="admitted")
            queryset = queryset.filter(Exists(rows.filter(year=year) if year else rows))
        elif pool == "gaoqi_pool":
            rows = PoolEntry.objects.filter(enterprise=OuterRef("pk"))
            rows = rows.filter(admitted_year=year) if year else rows.filter(state__in=["admitted", "applied"])
            queryset = queryset.filter(Exists(rows))
        elif year:
            queryset = queryset.filter(
                Exists(EnterpriseYear.objects.filter(enterprise=OuterRef("pk"), year=year))
            )
        return queryset


class SmesEvaluationFilterSet(BaseFilterSet):
    search_fields = ("enterprise__name", "enterprise__uscc", "registration_number")
    year = django_filters.ChoiceFilter(choices=_years, label="评价年度")
    state = django_filters.ChoiceFilter(choices=SmesEvaluation.State.choices, label="状态")
    region = django_filters.ModelChoiceFilter(
        field_name="enterprise__region", queryset=_regions, label="县区"
    )
    passed = django_filters.BooleanFilter(label="评价合格")
    admitted_in = django_filters.ChoiceFilter(
        choices=_years, method="filter_admitted_in", label="当年入库且年末在库"
    )

    class Meta:
        model = SmesEvaluation
        fields = ["q", "year", "state", "region", "passed", "admitted_in"]

    def filter_admitted_in(self, queryset, name, value):
        """The evaluations the annual figure 科技型中小企业入库 counts for that year."""
        year = int(value)
        counted = smes_admitted(start=date(year, 1, 1), end=date(year, 12, 31))
        return queryset.filter(pk__in=counted.values("pk"))


class PoolEntryFilterSet(BaseFilterSet):
    search_fields = ("enterprise__name", "enterprise__uscc")
    admitted_year = django_filters.ChoiceFilter(choices=_years, label="入库年度")
    entered_in = django_filters.ChoiceFilter(choices=_years, method="filter_entered_in", label="入库生效年度")
    state = django_filters.ChoiceFilter(choices=PoolEntry.State.choices, label="状态")
    region = django_filters.ModelChoiceFilter(
        field_name="enterprise__region", queryset=_regions, label="县区"
    )

    class Meta:
        model = PoolEntry
        fields = ["q", "admitted_year", "entered_in", "state", "region"]

    def filter_entered_in(self, queryset, name, value):
        """The entries the annual figure 高企培育库新入库 counts for that year (入库 step in the year)."""
        year = int(value)
        counted = pool_admitted(start=date(year, 1, 1), end=date(year, 12, 31))
        return queryset.filter(pk__in=counted.values("pk"))


class CertificateFilterSet(BaseFilterSet):
    search_fields = ("number", "enterprise__name", "enterprise__uscc")
    region = django_filters.ModelChoiceFilter(
        field_name="enterprise__region", queryset=_regions, label="县区"
    )
    issued_year = django_filters.ChoiceFilter(
        field_name="issued_on", lookup_expr="year", choices=_years, label="发证年度"
    )
    valid = django_filters.BooleanFilter(method="filter_valid", label="当前有效")
    valid_on = django_filters.DateFilter(method="filter_valid_on", label="某日有效")
    revoked = django_filters.BooleanFilter(
        field_name="revoked_on", lookup_expr="isnull", exclude=True, label="已取消资格"
    )

    class Meta:
        model = GaoqiCertificate
        fields = ["q", "region", "issued_year", "valid", "valid_on", "revoked"]

    def filter_valid_on(self, queryset, name, value):
        """Certificates valid on that day (not revoked by then)."""
        return queryset.filter(pk__in=valid_certificates(value).values("pk"))

    def filter_valid(self, queryset, name, value):
        valid = Q(pk__in=valid_certificates(timezone.localdate()).values("pk"))
        return queryset.filter(valid) if value else queryset.exclude(valid)


class DoublingTargetFilterSet(BaseFilterSet):
    year = django_filters.ChoiceFilter(choices=_years, label="年度")
    region = django_filters.ModelChoiceFilter(queryset=_regions, label="县区")

    class Meta:
        model = DoublingTarget
        fields = ["year", "region"]


class RewardTierFilterSet(BaseFilterSet):
    year = django_filters.ChoiceFilter(choices=_years, label="年度")

    class Meta:
        model = RewardTier
        fields = ["year"]


class RewardFilterSet(BaseFilterSet):
    search_fields = ("enterprise__name", "enterprise__uscc")
    year = django_filters.ChoiceFilter(choices=_years, label="年度")
    state = django_filters.ChoiceFilter(choices=Reward.State.choices, label="状态")
    region = django_filters.ModelChoiceFilter(
        field_name="enterprise__region", queryset=_regions, label="县区"
    )

    class Meta:
        model = Reward
        fields = ["q", "year", "state", "region"]
