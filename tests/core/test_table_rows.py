"""List tables write their rows in Python (kejiju.core.tables.BaseTable.tbody_html): for EVERY table of
every app the cells must be what django-tables2's own template gives for the same table — links, dates,
money, booleans, choice labels, related names, escaped text and empty cells.

Records come from the factories in tests/*/factories.py; a model without one gets the object the access
matrix builds for its detail or edit page (tests/*/access.py); a table without a model gets a minimal
object. One record of each model is given text that must be escaped, a second one empty optional fields."""

from __future__ import annotations

import datetime as dt
import glob
import importlib
import re
from decimal import Decimal
from types import SimpleNamespace

import factory
import pytest
from django.db import DatabaseError, models, transaction
from django.test import RequestFactory

from kejiju.core import uploads
from kejiju.core.tables import BaseTable
from tests.access import World, all_routes
from tests.subclasses import app_subclasses

pytestmark = pytest.mark.django_db

MARKED = "<b>甲</b> & “乙”"


def table_classes() -> list[type[BaseTable]]:
    return app_subclasses(BaseTable)


def factories() -> dict[type[models.Model], type[factory.django.DjangoModelFactory]]:
    found = {}
    for path in [*sorted(glob.glob("tests/*/factories.py")), "tests/factories.py"]:
        module = importlib.import_module(path[:-3].replace("/", "."))
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and issubclass(value, factory.django.DjangoModelFactory)
                and value._meta.model is not None
            ):
                found.setdefault(value._meta.model, value)
    return found


def _from_routes(model, world) -> list[models.Model]:
    """The objects the access matrix builds for this model's pages (`<app>:<model>_detail` and the like)."""
    objects = []
    for route in all_routes():
        if route.kwargs is None or route.name.split(":")[-1].rsplit("_", 1)[0] != model._meta.model_name:
            continue
        try:
            with uploads.atomic():  # builders that store files open their own
                pk = route.kwargs(world).get("pk")
        except Exception:  # noqa: S112 — a builder of another page's state; the others remain
            continue
        found = model._default_manager.filter(pk=pk).first() if pk is not None else None
        if found is not None and found not in objects:
            objects.append(found)
    return objects


def _mark(obj) -> None:
    """Text that must be escaped in the free-text fields of one record (through update(): no validation)."""
    changes = {}
    for field in obj._meta.concrete_fields:
        if (
            isinstance(field, models.CharField | models.TextField)
            and not field.choices
            and not field.unique
            and not field.primary_key
            and (field.max_length or 99) >= len(MARKED)
            and getattr(obj, field.attname)
        ):
            changes[field.attname] = MARKED
    for name, value in changes.items():
        try:
            with transaction.atomic():
                type(obj)._default_manager.filter(pk=obj.pk).update(**{name: value})
        except DatabaseError:  # a check constraint on the field's form; append-only audit rows
            continue


def _empty(obj) -> None:
    """Every optional field of a record empty: None for nullable ones, "" for blank text."""
    for field in obj._meta.concrete_fields:
        if field.primary_key or field.unique:
            continue
        if field.null:
            value = None
        elif field.blank and isinstance(field, models.CharField | models.TextField) and not field.choices:
            value = ""
        else:
            continue
        try:
            with transaction.atomic():
                type(obj)._default_manager.filter(pk=obj.pk).update(**{field.attname: value})
        except DatabaseError:  # a constraint that ties it to another field; append-only audit rows
            continue


def _reward(world):
    from enterprises.models import Reward
    from tests.enterprises.factories import CertificateFactory, EnterpriseFactory

    certificate = CertificateFactory(enterprise=EnterpriseFactory(region=world.county_a))
    return Reward.objects.create(
        enterprise=certificate.enterprise,
        year=2025,
        certificate=certificate,
        rd_expense=Decimal("1234567.50"),
        amount=Decimal("100000"),
        state=Reward.State.PAID,
        approved_on=dt.date(2025, 6, 1),
        paid_on=dt.date(2025, 7, 1),
    )


# Models with neither a factory nor a page of their own in the access matrix: a minimal record.
MINIMAL = {"enterprises.reward": _reward}


def records(model, world, made) -> list:
    objects = []
    if builder := made.get(model):
        for kwargs in ({}, {"region": world.county_a}):
            try:
                with transaction.atomic():
                    objects = [builder(**kwargs), builder(**kwargs)]
                break
            except Exception:  # a factory that needs its caller's arguments (a county)
                objects = []
    objects = objects or _from_routes(model, world)
    if not objects and model._meta.label_lower in MINIMAL:
        objects = [MINIMAL[model._meta.label_lower](world) for _n in range(2)]
    if not objects:
        objects = list(model._default_manager.all()[:2])  # written by the others (log entries, events)
    if not objects:
        return []
    _mark(objects[0])
    if len(objects) > 1:
        _empty(objects[1])
    return objects


def _normalise(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r">\s+<", "><", html)).strip()


def _stock_tbody(table, request) -> str:
    table.template_name = "django_tables2/bootstrap5.html"
    html = table.as_html(request)
    return re.search(r"<tbody[^>]*>(.*)</tbody>", html, re.S).group(1)


def _has_model(cls) -> bool:
    """A table class with a model (a subclass without its own Meta, as ExpertPIIExportTable, has its
    parent's rows)."""
    return getattr(getattr(cls, "_meta", None), "model", None) is not None


class Minimal(SimpleNamespace):
    def get_absolute_url(self):
        return "/minimal/"


def _minimal(table_class) -> list:
    """A table without a model is given plain records with a value in every column."""
    names = [name for name in table_class.base_columns if name != "actions"]
    return [Minimal(**dict.fromkeys(names, MARKED)), Minimal(**dict.fromkeys(names))]


def test_every_table_writes_the_rows_django_tables2_writes(make_user, county_a, county_b):
    world = World.build(make_user=make_user, county_a=county_a, county_b=county_b)
    request = RequestFactory().get("/")
    request.user = world.users["bureau"]
    made = factories()
    classes = table_classes()
    assert len(classes) >= 41
    data_of: dict = {}
    differing, missing, checked, escaped = [], [], 0, 0
    for table_class in classes:
        model = next((getattr(c._meta, "model", None) for c in table_class.__mro__ if _has_model(c)), None)
        if model is None:
            data = _minimal(table_class)
        else:
            if model not in data_of:
                data_of[model] = [obj.pk for obj in records(model, world, made)]
            if not data_of[model]:
                missing.append(table_class.__name__)
                continue
            data = model._default_manager.filter(pk__in=data_of[model]).order_by("pk")
        ours_table = table_class(data, request=request)
        ours = str(ours_table.tbody_html())
        stock = _stock_tbody(table_class(data, request=request), request)
        checked += 1
        escaped += "&lt;b&gt;甲&lt;/b&gt; &amp;" in ours
        if ours.count("<tr ") < 1:
            differing.append(f"{table_class.__name__}: no rows")
        if _normalise(ours) != _normalise(stock):
            differing.append(f"{table_class.__module__}.{table_class.__name__}:\n{ours}\n{stock}")
    assert not missing, f"tables without a record to render: {missing}"
    assert checked == len(classes)
    assert escaped >= 30, f"only {escaped} tables showed a marked text"
    assert not differing, "\n\n".join(differing)


def test_a_table_with_callable_cell_attributes_writes_them_per_cell(make_user, county_a, county_b):
    """Callable td attrs read each cell's value and record: such a table takes django-tables2's own row
    path, and its rows are still what the stock template writes."""
    import django_tables2 as tables

    from kejiju.core.models import Organization
    from kejiju.core.tables import OrganizationTable

    class PerCellTable(OrganizationTable):
        uscc = tables.Column(attrs={"td": {"data-code": lambda value, record: f"{record.pk}:{value}"}})

    world = World.build(make_user=make_user, county_a=county_a, county_b=county_b)
    request = RequestFactory().get("/")
    request.user = world.users["bureau"]
    data = Organization.objects.order_by("pk")
    ours = str(PerCellTable(data, request=request).tbody_html())
    assert 'data-code="' in ours
    assert _normalise(ours) == _normalise(_stock_tbody(PerCellTable(data, request=request), request))
