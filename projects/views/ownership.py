"""The 职务科技成果赋权 pilot: pilot units and their schemes, achievements, grants to research teams and
transfers or licences to enterprises. Bureau staff record; leadership reads. Kept apart from 包干制."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.views.generic import TemplateView, View

from kejiju.core import uploads
from kejiju.core.models import AuditEvent
from kejiju.core.services import audit_event_record
from kejiju.core.views import (
    ActionPermissionMixin,
    ObjectCreateView,
    ObjectDetailView,
    ObjectExportView,
    ObjectListView,
    ObjectUpdateView,
)

from .. import selectors, services
from ..filters import AchievementFilterSet, AchievementTransferFilterSet, OwnershipPilotFilterSet
from ..forms import AchievementForm, AchievementTransferForm, OwnershipGrantForm, OwnershipPilotForm
from ..models import Achievement, AchievementTransfer, OwnershipGrant, OwnershipPilot
from ..tables import AchievementTable, AchievementTransferTable, OwnershipPilotTable

# ---------------------------------------------------------------------------------------- pilot units


class OwnershipPilotListView(ObjectListView):
    filterset_class = OwnershipPilotFilterSet
    model = OwnershipPilot
    table_class = OwnershipPilotTable
    actions = ("add",)

    def get_base_queryset(self):
        return selectors.ownership_pilot_list()


class OwnershipPilotDetailView(ObjectDetailView):
    model = OwnershipPilot
    template_name = "projects/ownershippilot_detail.html"
    detail_fields = ("organization", "scheme", "scheme_summary", "joined_on", "is_active")

    def get_base_queryset(self):
        return selectors.ownership_pilot_list()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["achievements"] = selectors.achievement_list().filter(pilot=self.object).order_by("title")
        context["lump_sum"] = getattr(self.object.organization, "lump_sum_pilot", None)
        return context


class OwnershipPilotCreateView(ObjectCreateView):
    model = OwnershipPilot
    form_class = OwnershipPilotForm

    def save_form(self, form):
        return services.ownership_pilot_save(pilot=form.instance, user=self.request.user)


class OwnershipPilotUpdateView(ObjectUpdateView):
    model = OwnershipPilot
    form_class = OwnershipPilotForm

    def save_form(self, form):
        return services.ownership_pilot_save(pilot=form.instance, user=self.request.user)


# --------------------------------------------------------------------------------------- achievements


class AchievementListView(ObjectListView):
    model = Achievement
    table_class = AchievementTable
    filterset_class = AchievementFilterSet

    def get_base_queryset(self):
        return selectors.achievement_list()


class AchievementExportView(AchievementListView, ObjectExportView):
    pass


class AchievementDetailView(ObjectDetailView):
    model = Achievement
    template_name = "projects/achievement_detail.html"
    detail_fields = ("title", "kind", "number", "pilot", "inventors", "source_project", "note")

    def get_base_queryset(self):
        return selectors.achievement_list()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["grants"] = selectors.achievement_grants(achievement=self.object)
        context["can_grant"] = user.has_perm("projects.add_ownershipgrant")
        context["can_change_grant"] = user.has_perm("projects.change_ownershipgrant")
        context["can_transfer"] = user.has_perm("projects.add_achievementtransfer")
        context["can_change_transfer"] = user.has_perm("projects.change_achievementtransfer")
        return context


class AchievementCreateView(ObjectCreateView):
    model = Achievement
    form_class = AchievementForm

    def get_initial(self):
        initial = super().get_initial()
        pilot = self.request.GET.get("pilot", "")
        if pilot.isdigit():
            initial["pilot"] = int(pilot)
        return initial

    def save_form(self, form):
        return services.achievement_save(achievement=form.instance, user=self.request.user)


class AchievementUpdateView(ObjectUpdateView):
    model = Achievement
    form_class = AchievementForm

    def save_form(self, form):
        return services.achievement_save(achievement=form.instance, user=self.request.user)


# ------------------------------------------------------------------------------------------- grants


class GrantCreateView(ObjectCreateView):
    model = OwnershipGrant
    form_class = OwnershipGrantForm

    def dispatch(self, request, *args, **kwargs):
        if not self.has_permission():
            return self.handle_no_permission()
        self.achievement = get_object_or_404(Achievement, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs(self):
        return [
            ("职务科技成果", reverse("projects:achievement_list")),
            (str(self.achievement), self.achievement.get_absolute_url()),
            ("登记赋权", None),
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = f"登记赋权：{self.achievement}"
        context["cancel_url"] = self.achievement.get_absolute_url()
        return context

    def save_form(self, form):
        form.instance.achievement = self.achievement
        return services.ownership_grant_save(
            grant=form.instance, user=self.request.user, upload=form.cleaned_data.get("approval_upload")
        )


class GrantUpdateView(ObjectUpdateView):
    model = OwnershipGrant
    form_class = OwnershipGrantForm

    def get_queryset(self):
        return OwnershipGrant.objects.select_related("achievement")

    def save_form(self, form):
        return services.ownership_grant_save(
            grant=form.instance, user=self.request.user, upload=form.cleaned_data.get("approval_upload")
        )


class GrantFileView(ActionPermissionMixin, View):
    model = OwnershipGrant

    def get(self, request, pk):
        grant = get_object_or_404(OwnershipGrant.objects.select_related("achievement"), pk=pk)
        if not grant.approval_file:
            raise Http404("未上传批准文件。")
        response = uploads.download_response(
            grant.approval_file, filename=grant.approval_file_name or "批准文件"
        )
        audit_event_record(
            event_type=AuditEvent.Type.DOWNLOAD,
            request=request,
            object_repr=f"{grant.achievement} {grant.approval_file_name}"[:255],
        )
        return response


# ---------------------------------------------------------------------------------------- transfers


class TransferListView(ObjectListView):
    model = AchievementTransfer
    table_class = AchievementTransferTable
    filterset_class = AchievementTransferFilterSet
    actions = ("export",)

    def get_base_queryset(self):
        return selectors.transfer_list()


class TransferExportView(TransferListView, ObjectExportView):
    pass


class TransferCreateView(ObjectCreateView):
    model = AchievementTransfer
    form_class = AchievementTransferForm

    def dispatch(self, request, *args, **kwargs):
        if not self.has_permission():
            return self.handle_no_permission()
        self.grant = get_object_or_404(OwnershipGrant.objects.select_related("achievement"), pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = f"登记成果转化：{self.grant.achievement}"
        context["cancel_url"] = self.grant.achievement.get_absolute_url()
        return context

    def save_form(self, form):
        form.instance.grant = self.grant
        return services.achievement_transfer_save(transfer=form.instance, user=self.request.user)


class TransferUpdateView(ObjectUpdateView):
    model = AchievementTransfer
    form_class = AchievementTransferForm

    def get_queryset(self):
        return AchievementTransfer.objects.select_related("grant__achievement")

    def save_form(self, form):
        return services.achievement_transfer_save(transfer=form.instance, user=self.request.user)


# ------------------------------------------------------------------------------------------ figures


class OwnershipFiguresView(ActionPermissionMixin, TemplateView):
    model = OwnershipPilot
    template_name = "projects/ownership_figures.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        years = selectors.ownership_figures_by_year(user=self.request.user)
        context.update(
            title="赋权改革统计",
            years=years,
            current_year=timezone.localdate().year,
            breadcrumbs=[("赋权试点单位", reverse("projects:ownershippilot_list")), ("赋权改革统计", None)],
        )
        return context
