from .generic import (
    ActionPermissionMixin,
    FormUserMixin,
    ObjectCreateView,
    ObjectDeleteView,
    ObjectDetailView,
    ObjectExportView,
    ObjectListView,
    ObjectUpdateView,
    ScopedQuerysetMixin,
)

__all__ = [
    "ActionPermissionMixin",
    "FormUserMixin",
    "ObjectCreateView",
    "ObjectDeleteView",
    "ObjectDetailView",
    "ObjectExportView",
    "ObjectListView",
    "ObjectUpdateView",
    "ScopedQuerysetMixin",
]
