"""Every list page declares its filterset. Without one, django-filter builds a filter over every field of
the model — for the accounts of a unit that was the password hash and the permissions (found by looking
at the page): a list page names what it may be filtered by."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, get_resolver

from kejiju.core.views.generic import ObjectListView


def _list_views():
    def walk(patterns, prefix=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(
                    pattern.url_patterns, f"{prefix}{pattern.namespace}:" if pattern.namespace else prefix
                )
            elif isinstance(pattern, URLPattern):
                view_class = getattr(pattern.callback, "view_class", None)
                if view_class is not None and issubclass(view_class, ObjectListView):
                    yield f"{prefix}{pattern.name}", view_class

    return list(walk(get_resolver().url_patterns))


def test_every_list_page_declares_its_filterset():
    views = _list_views()
    assert len(views) >= 30
    missing = sorted(name for name, view_class in views if view_class.filterset_class is None)
    assert not missing, f"list pages without a filterset_class: {missing}"
