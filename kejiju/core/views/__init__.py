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
    ServiceErrorsMixin,
    add_service_errors,
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
    "ServiceErrorsMixin",
    "add_service_errors",
]
