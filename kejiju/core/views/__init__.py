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
    ServiceFormMixin,
    add_service_errors,
    service_error_text,
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
    "ServiceFormMixin",
    "add_service_errors",
    "service_error_text",
]
