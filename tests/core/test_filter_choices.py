"""Every filterset's choice filters, swept from the classes the URLconf loads: a required field offers no
empty-value (未填写) choice (only 全部 and its values); a year filter stops at the current year."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import RequestFactory

from kejiju.core.filters import BaseFilterSet
from tests.subclasses import app_subclasses

pytestmark = pytest.mark.django_db


def filtersets() -> list[type[BaseFilterSet]]:
    return [sub for sub in app_subclasses(BaseFilterSet) if sub._meta.model is not None]


def nullable(model, path: str) -> bool:
    for name in path.split("__"):
        field = model._meta.get_field(name)
        if field.null or (field.auto_created and not field.concrete) or field.many_to_many:
            return True
        model = field.related_model
    return False


def test_no_empty_choice_in_a_filter_of_a_required_field(bureau_user):
    request = RequestFactory().get("/")
    request.user = bureau_user
    offering_empty = []
    classes = filtersets()
    assert len(classes) > 20
    for filterset_class in classes:
        filterset = filterset_class(
            data={}, queryset=filterset_class._meta.model.objects.none(), request=request
        )
        for name, field in filterset.form.fields.items():
            labels = [label for _value, label in getattr(field, "choices", ())]
            if settings.FILTERS_NULL_CHOICE_LABEL not in labels:
                continue
            filter_ = filterset.filters[name]
            if filter_.method is not None or not nullable(filterset_class._meta.model, filter_.field_name):
                offering_empty.append(f"{filterset_class.__module__}.{filterset_class.__name__}.{name}")
    assert not offering_empty, f"未填写 offered for a field that is never empty: {offering_empty}"


def test_year_filters_stop_at_the_current_year(bureau_user):
    from kejiju.core.workdays import local_today

    request = RequestFactory().get("/")
    request.user = bureau_user
    this_year = local_today().year
    checked, ahead = 0, []
    for filterset_class in filtersets():
        filterset = filterset_class(
            data={}, queryset=filterset_class._meta.model.objects.none(), request=request
        )
        for name, field in filterset.form.fields.items():
            if "年" not in str(field.label) or not hasattr(field, "choices"):
                continue
            years = [int(value) for value, _label in field.choices if str(value).isdigit()]
            checked += bool(years)
            if any(year > this_year for year in years):
                ahead.append(f"{filterset_class.__name__}.{name}: {max(years)}")
    assert checked >= 5
    assert not ahead, f"year filters offering a year to come: {ahead}"


def test_a_county_office_chooses_only_among_its_own_countys_records(county_user, county_a, county_b):
    """No filter offers a county office another county, nor a record of another county (服务企业)."""
    from django import forms

    from kejiju.accounts.models import Region
    from kejiju.core.models import Organization
    from kejiju.core.scoping import region_id_of

    # A record of each county that every filter of units could offer.
    for county in (county_a, county_b):
        for kind, label in Organization.Kind.choices:
            Organization.objects.create(name=f"{county.name}测试{label}", kind=kind, region=county)
    request = RequestFactory().get("/")
    request.user = county_user
    others, checked = [], 0
    for filterset_class in filtersets():
        if filterset_class.keeps_region_filters:
            continue
        filterset = filterset_class(
            data={}, queryset=filterset_class._meta.model.objects.none(), request=request
        )
        for name, field in filterset.form.fields.items():
            if not isinstance(field, forms.ModelChoiceField):
                continue
            if field.queryset.model is Region:
                others.append(f"{filterset_class.__name__}.{name}: a county choice")
                continue
            model = field.queryset.model
            if not (hasattr(model, "region_field") or any(f.name == "region" for f in model._meta.fields)):
                continue
            checked += 1
            for record in field.queryset:
                if region_id_of(record) not in (None, county_a.pk):
                    others.append(f"{filterset_class.__name__}.{name}: {record}")
    assert checked >= 2
    assert not others, f"a county office offered other counties' records: {others}"
