from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views import View

from kejiju.core import uploads
from kejiju.core.models import AuditEvent
from kejiju.core.scoping import scoped_queryset
from kejiju.core.services import audit_event_record
from kejiju.core.views import ObjectCreateView, ObjectDetailView, ObjectListView, ObjectUpdateView
from kejiju.core.views.generic import service_error_text
from kejiju.core.workflow.selectors import workflow_context
from kejiju.core.workflow.views import TransitionView

from . import rules, selectors, services
from .filters import AnnouncementFilterSet, MyAnnouncementFilterSet
from .forms import AnnouncementForm
from .models import OVERSEE_PERM, VIEW_PERM, Announcement, AnnouncementAttachment, AnnouncementState
from .tables import AnnouncementTable, MyAnnouncementTable


class AnnouncementListView(ObjectListView):
    """通知公告: what is addressed to the user, pinned first, unread marked."""

    model = Announcement
    permission_required = VIEW_PERM
    table_class = MyAnnouncementTable
    filterset_class = MyAnnouncementFilterSet
    actions = ()
    template_name = "announcements/announcement_list.html"

    def get_base_queryset(self):
        return selectors.announcements_for(user=self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["can_manage"] = user.has_perm(OVERSEE_PERM)
        return context


class AnnouncementManageView(ObjectListView):
    """通知公告管理: every announcement (drafts, future, withdrawn) with its readers counted."""

    model = Announcement
    permission_required = OVERSEE_PERM
    table_class = AnnouncementTable
    filterset_class = AnnouncementFilterSet
    actions = ("add",)

    def get_base_queryset(self):
        return selectors.announcement_manage_list(user=self.request.user)

    def get_breadcrumbs(self):
        return [("通知公告", reverse("announcements:announcement_list")), ("通知公告管理", None)]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = "通知公告管理"
        return context


def _draft_kwargs(data) -> dict:
    return {
        "title": data["title"],
        "body": data["body"],
        "audience": data["audience"],
        "regions": data["regions"],
        "publish_at": data["publish_at"],
        "expires_at": data["expires_at"],
        "pinned": data["pinned"],
        "attachment": data.get("attachment"),
    }


class AnnouncementCreateView(ObjectCreateView):
    model = Announcement
    form_class = AnnouncementForm
    success_message = "已保存为草稿，确认无误后请在详情页“发布”。"

    def save_form(self, form):
        return services.announcement_create(user=self.request.user, **_draft_kwargs(form.cleaned_data))


class AnnouncementUpdateView(ObjectUpdateView):
    model = Announcement
    form_class = AnnouncementForm

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated or not request.user.has_perm(
            "announcements.change_announcement"
        ):
            return super().dispatch(request, *args, **kwargs)  # refused there (403)
        announcement = get_object_or_404(scoped_queryset(Announcement, request.user), pk=kwargs["pk"])
        problem = rules.edit_problem(state=announcement.state)
        if problem:
            messages.error(request, problem)
            return redirect(announcement.get_absolute_url())
        return super().dispatch(request, *args, **kwargs)

    def save_form(self, form):
        return services.announcement_update(
            user=self.request.user, announcement=self.object, **_draft_kwargs(form.cleaned_data)
        )


class AnnouncementDetailView(ObjectDetailView):
    """The announcement (its opening is recorded as read); for overseers also its state, its readers, its
    办理 and its history."""

    model = Announcement
    permission_required = VIEW_PERM
    template_name = "announcements/announcement_detail.html"

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        services.mark_read(user=request.user, announcement=self.object)
        return response

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        announcement = self.object
        user = self.request.user
        oversees = user.has_perm(OVERSEE_PERM)
        context.update(
            attachments=list(announcement.attachments.all()),
            oversees=oversees,
            is_draft=announcement.state == AnnouncementState.DRAFT,
            breadcrumbs=[("通知公告", reverse("announcements:announcement_list")), (str(announcement), None)],
        )
        context["can_change"] = context["can_change"] and context["is_draft"]
        if oversees:
            context.update(
                regions=list(announcement.regions.all()),
                figures=selectors.read_figures(announcement=announcement),
                **workflow_context(
                    announcement, user, transition_url="announcements:announcement_transition"
                ),
            )
        return context


class AnnouncementTransitionView(TransitionView):
    """发布 / 撤回 (with its reason, confirmed) through the one transition form."""

    model = Announcement


class AttachmentDownloadView(PermissionRequiredMixin, View):
    """An attachment of an announcement the user may read (404 outside its audience), audited."""

    permission_required = VIEW_PERM
    raise_exception = True

    def get(self, request, pk):
        announcements = scoped_queryset(Announcement, request.user)
        attachment = get_object_or_404(
            AnnouncementAttachment.objects.filter(announcement__in=announcements), pk=pk
        )
        response = uploads.download_response(attachment.file, filename=attachment.original_name)
        audit_event_record(
            event_type=AuditEvent.Type.DOWNLOAD, request=request, object_repr=attachment.original_name[:255]
        )
        return response


class AttachmentDeleteView(PermissionRequiredMixin, View):
    permission_required = "announcements.change_announcement"
    raise_exception = True

    def post(self, request, pk):
        attachment = get_object_or_404(
            AnnouncementAttachment.objects.filter(
                announcement__in=scoped_queryset(Announcement, request.user)
            ).select_related("announcement"),
            pk=pk,
        )
        announcement = attachment.announcement
        try:
            services.attachment_delete(user=request.user, attachment=attachment)
        except ValidationError as error:
            messages.error(request, service_error_text(error))
        else:
            messages.success(request, f"已删除附件“{attachment.original_name}”。")
        return redirect(announcement.get_absolute_url())
