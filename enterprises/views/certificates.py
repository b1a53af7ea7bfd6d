"""高企证书 pages: the list, export, the certificates about to expire, detail, create, edit and delete."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect

from kejiju.core.views import (
    ObjectDeleteView,
    ObjectDetailView,
    ObjectExportView,
    ObjectListView,
    ObjectUpdateView,
    service_error_text,
)

from .. import forms, selectors, services
from ..filters import CertificateFilterSet
from ..models import GaoqiCertificate
from ..tables import CertificateTable
from .enterprises import EnterpriseFormView


class CertificateListView(ObjectListView):
    model = GaoqiCertificate
    table_class = CertificateTable
    filterset_class = CertificateFilterSet
    actions = ("export",)

    def get_base_queryset(self):
        return selectors.certificate_list(user=self.request.user)


class CertificateExportView(CertificateListView, ObjectExportView):
    pass


class CertificateExpiringView(CertificateListView):
    template_name = "enterprises/certificate_expiring.html"

    def get_base_queryset(self):
        return selectors.certificates_expiring(user=self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = "6个月内到期的高企证书"
        context["list_buttons"] = []
        return context


class CertificateDetailView(ObjectDetailView):
    model = GaoqiCertificate
    detail_fields = ("number", "enterprise", "issued_on", "expires_on", "revoked_on", "note")

    def get_queryset(self):
        return super().get_queryset().select_related("enterprise")


class CertificateCreateView(EnterpriseFormView):
    model = GaoqiCertificate
    action = "add"
    title = "登记高企证书"
    form_class = forms.CertificateForm

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        del form.fields["revoked"]
        del form.fields["revoked_on"]
        return form

    def perform(self, form):
        certificate = services.certificate_create(
            enterprise=self.enterprise,
            number=form.cleaned_data["number"],
            issued_on=form.cleaned_data["issued_on"],
            note=form.cleaned_data["note"],
            actor=self.request.user,
            request=self.request,
        )
        messages.success(self.request, f"已登记证书，有效期至{certificate.expires_on:%Y-%m-%d}。")
        return redirect(certificate)


class CertificateUpdateView(ObjectUpdateView):
    model = GaoqiCertificate
    form_class = forms.CertificateForm

    def save_form(self, form):
        data = form.cleaned_data
        return services.certificate_update(
            certificate=self.object,
            number=data["number"],
            issued_on=data["issued_on"],
            revoked_on=form.revoked_on_value,
            note=data["note"],
            actor=self.request.user,
        )


class CertificateDeleteView(ObjectDeleteView):
    model = GaoqiCertificate

    def delete_object(self):
        services.certificate_delete(certificate=self.object, actor=self.request.user)

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except ValidationError as error:
            messages.error(self.request, service_error_text(error))
            return redirect(self.object)
