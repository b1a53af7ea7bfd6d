"""Science popularisation (科普活动): the 科技活动周 and other events, with photos. County offices record
and edit their own county's events; bureau staff every county's."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.generic import FormView, View

from kejiju.core import uploads
from kejiju.core.models import AuditEvent
from kejiju.core.services import audit_event_record
from kejiju.core.views import (
    ActionPermissionMixin,
    ObjectCreateView,
    ObjectDeleteView,
    ObjectDetailView,
    ObjectExportView,
    ObjectListView,
    ObjectUpdateView,
)
from kejiju.core.views.generic import BreadcrumbMixin, ServiceFormMixin

from .. import selectors, services
from ..filters import OutreachEventFilterSet
from ..forms import OutreachEventForm, OutreachPhotoForm
from ..models import OutreachEvent, OutreachPhoto
from ..tables import OutreachEventTable
from .common import permission_first


class OutreachEventListView(ObjectListView):
    model = OutreachEvent
    table_class = OutreachEventTable
    filterset_class = OutreachEventFilterSet

    def get_base_queryset(self):
        return selectors.outreach_event_list(user=self.request.user)


class OutreachEventExportView(OutreachEventListView, ObjectExportView):
    pass


class OutreachEventDetailView(ObjectDetailView):
    model = OutreachEvent
    template_name = "platforms/outreachevent_detail.html"
    detail_fields = (
        "name",
        "held_on",
        "kind",
        "state",
        "science_week",
        "region",
        "venue",
        "audience",
        "description",
        "recorded_by",
    )

    def get_base_queryset(self):
        return selectors.outreach_event_list(user=self.request.user)

    def get_detail_rows(self):
        rows = super().get_detail_rows()
        rows.insert(5, ("举办单位", self.object.organiser))
        return rows

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["photos"] = selectors.outreach_photos(event=self.object)
        context["can_add_photo"] = user.has_perm("platforms.add_outreachphoto")
        context["can_delete_photo"] = user.has_perm("platforms.delete_outreachphoto")
        return context


class OutreachEventCreateView(ObjectCreateView):
    model = OutreachEvent
    form_class = OutreachEventForm

    def save_form(self, form):
        return services.outreach_event_save(instance=form.instance, user=self.request.user)


class OutreachEventUpdateView(ObjectUpdateView):
    model = OutreachEvent
    form_class = OutreachEventForm

    def save_form(self, form):
        return services.outreach_event_save(instance=form.instance, user=self.request.user)


class OutreachEventDeleteView(ObjectDeleteView):
    model = OutreachEvent

    def delete_object(self):
        services.outreach_event_delete(event=self.object, user=self.request.user)


class OutreachPhotoCreateView(ServiceFormMixin, ActionPermissionMixin, BreadcrumbMixin, FormView):
    model = OutreachPhoto
    action = "add"
    form_class = OutreachPhotoForm
    template_name = "generic/object_form.html"

    def dispatch(self, request, *args, **kwargs):
        permission_first(self)
        self.event = get_object_or_404(OutreachEvent.objects.visible_to(request.user), pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["user"] = self.request.user
        return kwargs

    def get_breadcrumbs(self):
        return [
            ("科普活动", reverse("platforms:outreachevent_list")),
            (str(self.event), self.event.get_absolute_url()),
            ("上传照片", None),
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        limit = services.outreach_photo_max_bytes() // (1024 * 1024)
        context["form"].fields["file"].help_text = f"PNG 或 JPEG 图片，不超过 {limit} MB"
        context["title"] = f"上传照片：{self.event}"
        context["cancel_url"] = self.event.get_absolute_url()
        return context

    def perform(self, form):
        services.outreach_photo_add(
            event=self.event,
            user=self.request.user,
            upload=form.cleaned_data["file"],
            caption=form.cleaned_data["caption"],
        )
        messages.success(self.request, "照片已上传。")
        return redirect(self.event)


class OutreachPhotoDownloadView(ActionPermissionMixin, View):
    model = OutreachPhoto

    def get(self, request, pk):
        photo = get_object_or_404(selectors.outreach_photo_list(user=request.user), pk=pk)
        response = uploads.download_response(
            photo.file, filename=photo.original_name, content_type=photo.content_type, as_attachment=False
        )
        audit_event_record(
            event_type=AuditEvent.Type.DOWNLOAD,
            request=request,
            object_repr=f"{photo.event} {photo.original_name}"[:255],
        )
        return response


class OutreachPhotoDeleteView(ObjectDeleteView):
    model = OutreachPhoto

    def get_success_url(self):
        return self.object.event.get_absolute_url()

    def delete_object(self):
        services.outreach_photo_delete(photo=self.object, user=self.request.user)
