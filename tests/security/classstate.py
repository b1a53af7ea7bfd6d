"""A picture of the state that every request shares: the class-level attributes of every view class reachable
from the URL resolver (and of the classes they inherit from, Django's FormMixin.initial included), of every
form, filterset and table class, and the module-level dicts, lists and sets of the project's views, forms,
tables and filters modules.

Two pictures taken before and after a run of requests must be equal: a request that writes into any of these
(`self.initial.update(...)`, `base_fields[...]`, a class-level widget's attrs, a Meta dict, a module-level
list) hands its data to the next request of another user. Objects are compared by identity and content, as
deep as the containers, form fields, widgets, filters, columns and option objects go."""

from __future__ import annotations

import datetime as dt
import decimal
import inspect
import sys
import uuid
from collections.abc import Iterator
from types import MappingProxyType, ModuleType

import django_filters
import django_tables2 as tables
from django import forms
from django.db.models import QuerySet
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils.functional import Promise

PROJECT_PACKAGES = ("kejiju", "platforms", "enterprises", "projects", "experts")
UI_MODULE_NAMES = ("views", "forms", "tables", "filters")

_ATOMS = (
    str,
    bytes,
    int,
    float,
    bool,
    type(None),
    decimal.Decimal,
    dt.date,
    dt.time,
    dt.timedelta,
    uuid.UUID,
)


def _options_types() -> tuple[type, ...]:
    from django.forms.models import ModelFormOptions
    from django_filters.filterset import FilterSetOptions
    from django_tables2.tables import TableOptions

    return (ModelFormOptions, FilterSetOptions, TableOptions)


def _walk_types() -> tuple[type, ...]:
    """Objects whose attributes are part of the picture (the rest count by identity)."""
    return (forms.Field, forms.Widget, django_filters.Filter, tables.Column, *_options_types())


def freeze(value, depth: int = 0, seen: frozenset[int] = frozenset()):
    """A comparable picture of `value`: atoms as they are, containers and walked objects with their identity
    and contents, anything else by identity."""
    if isinstance(value, _ATOMS):
        return value
    if isinstance(value, Promise):
        return ("lazy", id(value))  # not evaluated (a reverse_lazy may name a URL this project lacks)
    if isinstance(value, type):
        return ("type", value.__module__, value.__qualname__)
    if depth > 10 or id(value) in seen:
        return ("ref", type(value).__qualname__, id(value))
    seen = seen | {id(value)}
    if isinstance(value, dict | MappingProxyType):
        return (
            "dict",
            id(value),
            tuple((repr(key), freeze(item, depth + 1, seen)) for key, item in value.items()),
        )
    if isinstance(value, list | tuple):
        identity = id(value) if isinstance(value, list) else None
        return (type(value).__name__, identity, tuple(freeze(item, depth + 1, seen) for item in value))
    if isinstance(value, set | frozenset):
        identity = id(value) if isinstance(value, set) else None
        return ("set", identity, tuple(sorted(repr(item) for item in value)))
    if isinstance(value, QuerySet):
        # A class-level queryset that was evaluated holds one request's rows.
        return ("queryset", id(value), value.model._meta.label, value._result_cache is not None)
    if isinstance(value, _walk_types()):
        attributes = tuple((name, freeze(item, depth + 1, seen)) for name, item in vars(value).items())
        return (type(value).__qualname__, id(value), attributes)
    return ("ref", type(value).__qualname__, id(value))


def _subclasses(root: type) -> Iterator[type]:
    stack, found = [root], set()
    while stack:
        for sub in stack.pop().__subclasses__():
            if sub not in found:
                found.add(sub)
                stack.append(sub)
                yield sub


def view_classes() -> set[type]:
    """Every class-based view reachable from the URL resolver, with the classes it inherits from."""
    found: set[type] = set()

    def walk(resolver):
        for entry in resolver.url_patterns:
            if isinstance(entry, URLResolver):
                walk(entry)
            elif isinstance(entry, URLPattern):
                view_class = getattr(entry.callback, "view_class", None)
                if view_class is not None:
                    found.update(c for c in view_class.__mro__ if c is not object)

    walk(get_resolver())
    return found


def _is_ui_module(name: str) -> bool:
    parts = name.split(".")
    return parts[0] in PROJECT_PACKAGES and any(
        part in UI_MODULE_NAMES or part.startswith(tuple(f"{ui}_" for ui in UI_MODULE_NAMES))
        for part in parts[1:]
    )


def ui_modules() -> list[ModuleType]:
    """The project's views, forms, tables and filters modules (views_*.py and views/ packages too)."""
    get_resolver().url_patterns  # noqa: B018 — imports every view module
    return [
        module for name, module in sorted(sys.modules.items()) if module is not None and _is_ui_module(name)
    ]


def _class_picture(cls: type, names: tuple[str, ...] | None = None) -> dict[str, object]:
    picture = {}
    for name, value in vars(cls).items():
        if name.startswith("__") or (names is not None and name not in names):
            continue
        if isinstance(value, staticmethod | classmethod | property) or inspect.isfunction(value):
            continue
        if isinstance(value, type):
            if name == "Meta":  # a class-level Meta's dicts and lists (widgets, labels, attrs, fields)
                picture["Meta"] = _class_picture(value)
            continue
        picture[name] = freeze(value)
    return picture


def picture() -> dict[tuple[object, str], object]:
    """The shared state, keyed by (class or module, attribute). The picture holds its classes, so a class
    made per request (a filterset's form class, a modelform_factory form) is never mistaken for another of
    the same name made later at the same address."""
    shown: dict[tuple[object, str], object] = {}
    classes = set(view_classes())
    for root in (forms.BaseForm, django_filters.FilterSet, tables.Table):
        classes.update(_subclasses(root))
        classes.add(root)
    for cls in classes:
        for name, value in _class_picture(cls).items():
            shown[(cls, name)] = value
    for module in ui_modules():
        for name, value in vars(module).items():
            if not name.startswith("__") and isinstance(value, dict | list | set):
                shown[(module, name)] = freeze(value)
    return shown


def _label(key: tuple[object, str]) -> str:
    owner, name = key
    if isinstance(owner, ModuleType):
        return f"{owner.__name__}.{name}"
    return f"{owner.__module__}.{owner.__qualname__}.{name}"


def differences(before: dict, after: dict) -> list[str]:
    """The attributes present in both pictures whose values differ (classes made during the run, such as
    the form classes a filterset builds per request, are not compared)."""
    return sorted(_label(key) for key in before.keys() & after.keys() if before[key] != after[key])
