from django.shortcuts import redirect

from kejiju.core.filters import OrganizationFilterSet
from kejiju.core.forms import OrganizationForm
from kejiju.core.models import Organization
from kejiju.core.services import organization_save
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

    def save_form(self, form):
        return organization_save(organization=form.instance, user=self.request.user)


class OrganizationUpdateView(ObjectUpdateView):
    model = Organization
    form_class = OrganizationForm

    def save_form(self, form):
        return organization_save(organization=form.instance, user=self.request.user)

    def get(self, request, *args, **kwargs):
        # An enterprise's unit is kept in step by the enterprises app: edit it there.
        enterprise = getattr(self.get_object(), "enterprise", None)
        if enterprise is not None:
            return redirect("enterprises:enterprise_edit", pk=enterprise.pk)
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        enterprise = getattr(self.get_object(), "enterprise", None)
        if enterprise is not None:
            return redirect("enterprises:enterprise_edit", pk=enterprise.pk)
        return super().post(request, *args, **kwargs)


class OrganizationDeleteView(ObjectDeleteView):
    model = Organization
