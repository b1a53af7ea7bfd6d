from __future__ import annotations

import django_filters
from django.db.models import Q
from django.views.decorators.debug import sensitive_variables

from kejiju.core import pii
from kejiju.core.filters import BaseFilterSet, search_condition
from kejiju.core.identifiers import is_valid_id_number

from .models import SCOPES, IntegrityRecord
from .rules import active_condition, scope_field


class IntegrityRecordFilterSet(BaseFilterSet):
    search_fields = ("name", "uscc", "source", "employer")
    kind = django_filters.ChoiceFilter(choices=IntegrityRecord.Kind.choices, label="主体类型")
    scope = django_filters.ChoiceFilter(
        choices=[(key, label) for key, (_field, label) in SCOPES.items()],
        method="filter_scope",
        label="惩戒范围",
    )
    active_on = django_filters.DateFilter(method="filter_active_on", label="某日处于惩戒期")

    class Meta:
        model = IntegrityRecord
        fields = ["q", "kind", "scope", "active_on"]

    @sensitive_variables("value")
    def search(self, queryset, name, value):
        """Names, codes and 文号 by substring; a whole valid 身份证号 by its keyed digest (never in clear)."""
        value = value.strip()
        if not value:
            return queryset
        condition = search_condition(queryset.model, self.search_fields, value)
        if is_valid_id_number(value):
            condition |= Q(id_number_digest=pii.digest(value.upper()))
        return queryset.filter(condition)

    def filter_scope(self, queryset, name, value):
        return queryset.filter(**{scope_field(value): True}) if value else queryset

    def filter_active_on(self, queryset, name, value):
        return queryset.filter(active_condition(on=value)) if value else queryset
