"""Fail-closed scoping: every model a view serves is region-scoped (visible_to) or declared global, and a
model that is neither cannot be served."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import URLPattern, URLResolver, get_resolver

from kejiju.core.scoping import UnscopedModelError, global_models, scoped_queryset


def _views(resolver=None, namespace=""):
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            yield from _views(entry, f"{namespace}{entry.namespace}:" if entry.namespace else namespace)
        elif isinstance(entry, URLPattern):
            view_class = getattr(entry.callback, "view_class", None)
            if view_class is not None:
                yield f"{namespace}{entry.name}", view_class


SERVED = sorted(
    {(name, view_class.model) for name, view_class in _views() if getattr(view_class, "model", None)},
    key=lambda item: item[0],
)


@pytest.mark.parametrize(("name", "model"), SERVED, ids=[name for name, _ in SERVED])
def test_every_served_model_is_scoped_or_global(name, model):
    scoped = hasattr(model._default_manager.all(), "visible_to")
    declared = model._meta.label_lower in global_models()
    assert scoped or declared, f"{name} serves {model._meta.label}: give it visible_to or register_global"
    assert not (scoped and declared), f"{model._meta.label} is region-scoped and declared global"


def test_global_declarations_give_reasons():
    assert all(reason.strip() for reason in global_models().values())


@pytest.mark.django_db
def test_an_undeclared_model_is_refused(bureau_user):
    with pytest.raises(UnscopedModelError):
        scoped_queryset(ContentType, bureau_user)
