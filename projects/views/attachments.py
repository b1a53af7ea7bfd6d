"""A project's files: upload, download and delete."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.views.generic import View

from kejiju.core import uploads
from kejiju.core.models import AuditEvent
from kejiju.core.services import audit_event_record
from kejiju.core.views import ObjectDeleteView
from kejiju.core.views.generic import service_error_text

from .. import services
from ..forms import AttachmentForm
from ..models import Attachment
from .projects import ProjectStepView


class AttachmentCreateView(ProjectStepView):
    permission_required = "projects.add_attachment"
    form_class = AttachmentForm
    title = "上传附件"
    success_message = "附件已上传。"

    def allowed_kinds(self):
        return [
            kind
            for kind in Attachment.Kind.values
            if services.may_upload(project=self.project, user=self.request.user, kind=kind)
        ]

    def check_project(self) -> None:
        if not self.allowed_kinds():
            raise PermissionDenied("当前状态下无权上传附件。")

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["allowed_kinds"] = self.allowed_kinds()
        return kwargs

    def call_service(self, form):
        services.attachment_create(
            project=self.project,
            user=self.request.user,
            kind=form.cleaned_data["kind"],
            upload=form.cleaned_data["file"],
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        limit = services.attachment_max_bytes() // (1024 * 1024)
        context["form"].fields["file"].help_text += f"，不超过 {limit} MB"
        return context


class AttachmentDownloadView(PermissionRequiredMixin, View):
    permission_required = "projects.view_attachment"
    raise_exception = True

    def get(self, request, pk):
        attachment = get_object_or_404(
            Attachment.objects.visible_to(request.user).select_related("project"), pk=pk
        )
        response = uploads.download_response(
            attachment.file, filename=attachment.original_name, content_type=attachment.content_type
        )
        audit_event_record(
            event_type=AuditEvent.Type.DOWNLOAD,
            request=request,
            object_repr=f"{attachment.project.number} {attachment.original_name}"[:255],
        )
        return response


class AttachmentDeleteView(ObjectDeleteView):
    model = Attachment

    def get_success_url(self):
        return self.object.project.get_absolute_url()

    def delete_object(self):
        services.attachment_delete(attachment=self.object, user=self.request.user)

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except ValidationError as error:
            messages.error(self.request, service_error_text(error))
            return HttpResponseRedirect(self.get_success_url())
