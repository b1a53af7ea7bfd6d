"""Every year filter that is a free number box, swept over every filterset of every app: it is the one
YearFilter (kejiju.core.filters), a number input bounded to FIRST_YEAR–this year, and a year out of range
or not a number is an error naming the field (never a 500, never silently ignored)."""

from __future__ import annotations

import django_filters
import pytest
from django.test import RequestFactory
from django.urls import reverse

from kejiju.core.filters import FIRST_YEAR, YearFilter, is_year_name
from kejiju.core.workdays import local_today
from tests.subclasses import app_subclasses

pytestmark = pytest.mark.django_db


def all_filtersets() -> list[type[django_filters.FilterSet]]:
    """Every FilterSet subclass of the apps (BaseFilterSet or not) that the URLconf loads."""
    return [sub for sub in app_subclasses(django_filters.FilterSet) if sub._meta.model is not None]


def year_like(name: str, filter_) -> bool:
    """A number box whose name or label says it holds a year (not a count of years, not a month)."""
    if not isinstance(filter_, django_filters.NumberFilter):
        return False
    label = str(filter_.label or "")
    return is_year_name(name) or filter_.lookup_expr == "year" or label.endswith(("年度", "年份"))


def _year_filters(request):
    for filterset_class in all_filtersets():
        filterset = filterset_class(
            data={}, queryset=filterset_class._meta.model._default_manager.none(), request=request
        )
        for name, filter_ in filterset.filters.items():
            if year_like(name, filter_):
                where = f"{filterset_class.__module__}.{filterset_class.__name__}.{name}"
                yield where, filterset_class, name, filter_


def test_every_year_number_filter_is_a_bounded_year_filter(bureau_user):
    request = RequestFactory().get("/")
    request.user = bureau_user
    this_year = local_today().year
    found = list(_year_filters(request))
    assert len(found) >= 30, [where for where, *_rest in found]
    not_year_filters = [where for where, _c, _n, filter_ in found if not isinstance(filter_, YearFilter)]
    assert not not_year_filters, f"year filters that are not YearFilter: {not_year_filters}"
    unbounded, silent = [], []
    for where, filterset_class, name, filter_ in found:
        field = filter_.field
        attrs = field.widget_attrs(field.widget) | field.widget.attrs
        ahead = filter_.extra.get("ahead", 0)
        if (int(attrs["min"]), int(attrs["max"])) != (FIRST_YEAR, this_year + ahead):
            unbounded.append(f"{where}: {attrs.get('min')}–{attrs.get('max')}")
        for bad in ("99999", "-1", str(FIRST_YEAR - 1), str(this_year + ahead + 1), "二〇二五", "2025.5"):
            filterset = filterset_class(
                data={name: bad},
                queryset=filterset_class._meta.model._default_manager.none(),
                request=request,
            )
            errors = filterset.errors.get(name, [])
            if filterset.is_valid() or not any(str(filter_.label) in str(error) for error in errors):
                silent.append(f"{where}={bad}: {errors}")
        good = filterset_class(
            data={name: str(this_year)},
            queryset=filterset_class._meta.model._default_manager.none(),
            request=request,
        )
        assert name not in good.errors, where
    assert not unbounded, f"year filters not bounded to {FIRST_YEAR}–this year: {unbounded}"
    assert not silent, f"out-of-range years accepted or refused without the field's name: {silent}"


def test_an_out_of_range_year_on_a_list_page_is_a_message_not_a_500(client, bureau_user):
    client.force_login(bureau_user)
    response = client.get(reverse("reporting:countytask_list"), {"year": "99999"})
    assert response.status_code == 200
    body = response.content.decode()
    assert f"年度不能晚于 {local_today().year} 年" in body
    response = client.get(reverse("reporting:countytask_list"), {"year": "abc"})
    assert response.status_code == 200 and "年度应填写年份" in response.content.decode()
