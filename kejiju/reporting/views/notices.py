"""My notices (我的通知): the list, opening one, and marking all read."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse
from django.views.generic import TemplateView, View

from .. import selectors, services
from ..models import Notice
from ..tables import NoticeTable
from .mixins import PermissionMixin


class NoticeListView(PermissionMixin, TemplateView):
    permission_required = "reporting.view_notice"
    template_name = "reporting/notice_list.html"

    def get_context_data(self, **kwargs):
        from django_tables2 import RequestConfig

        context = super().get_context_data(**kwargs)
        table = NoticeTable(selectors.notices_for(user=self.request.user))
        RequestConfig(self.request, paginate={"per_page": 50}).configure(table)
        context.update(
            title="我的通知",
            table=table,
            unread=services.notice_unread_count(user=self.request.user),
            breadcrumbs=[("我的通知", None)],
        )
        return context


class NoticeOpenView(PermissionMixin, View):
    """A click on a notice: it is marked read and the user is taken to what it is about (else the list)."""

    permission_required = "reporting.view_notice"

    def get(self, request, pk):
        try:
            notice = services.notice_open(user=request.user, notice_id=pk)
        except Notice.DoesNotExist as error:
            raise Http404 from error
        target = notice.url if notice.url.startswith("/") and not notice.url.startswith("//") else ""
        return HttpResponseRedirect(target or reverse("reporting:notice_list"))


class NoticeMarkAllReadView(PermissionMixin, View):
    permission_required = "reporting.view_notice"

    def post(self, request):
        marked = services.notices_mark_read(user=request.user)
        messages.success(request, f"已将 {marked} 条通知标为已读。" if marked else "没有未读通知。")
        return redirect("reporting:notice_list")
