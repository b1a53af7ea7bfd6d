from kejiju.core.filters import OrganizationFilterSet
from kejiju.core.forms import OrganizationForm
from kejiju.core.models import Organization
from kejiju.core.tables import OrganizationTable
from kejiju.core.views.generic import (
    ObjectCreateView,
    ObjectDeleteView,
    ObjectDetailView,
    ObjectExportView,
    ObjectListView,
    ObjectUpdateView,
)


class OrganizationListView(ObjectListView):
    model = Organization
    table_class = OrganizationTable
    filterset_class = OrganizationFilterSet

    def get_base_queryset(self):
        return super().get_base_queryset().select_related("region")


class OrganizationExportView(OrganizationListView, ObjectExportView):
    pass


class OrganizationDetailView(ObjectDetailView):
    model = Organization
    detail_fields = ("name", "kind", "uscc", "region", "is_active")


class OrganizationCreateView(ObjectCreateView):
    model = Organization
    form_class = OrganizationForm


class OrganizationUpdateView(ObjectUpdateView):
    model = Organization
    form_class = OrganizationForm


class OrganizationDeleteView(ObjectDeleteView):
    model = Organization
