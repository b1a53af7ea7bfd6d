from __future__ import annotations

from auditlog.models import LogEntry
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.views.generic import FormView, View

from kejiju.core.models import AuditEvent
from kejiju.core.services import audit_event_record, report_job_request
from kejiju.core.views import (
    ActionPermissionMixin,
    ObjectCreateView,
    ObjectDetailView,
    ObjectExportView,
    ObjectListView,
    ObjectUpdateView,
)
from kejiju.core.views.generic import BreadcrumbMixin

from . import services
from .filters import AuditEventFilterSet, ChangeLogFilterSet, RegionFilterSet, UserFilterSet
from .forms import LoginForm, RegionForm, UserCreateForm, UserPasswordResetForm, UserUpdateForm
from .models import Region, User
from .tables import AuditEventTable, ChangeLogTable, RegionTable, UserTable


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    pass


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = "/"

    def form_valid(self, form):
        messages.success(self.request, "密码已修改。")
        return super().form_valid(form)


# ------------------------------------------------------------------------------------------------ users


class UserListView(ObjectListView):
    model = User
    table_class = UserTable
    filterset_class = UserFilterSet
    actions = ("add", "export")

    def get_base_queryset(self):
        return User.objects.select_related("region")


class UserExportView(UserListView, ObjectExportView):
    pass


class UserDetailView(ObjectDetailView):
    model = User
    template_name = "accounts/user_detail.html"
    detail_fields = (
        "username",
        "display_name",
        "role",
        "region",
        "email",
        "phone",
        "is_active",
        "last_login",
        "date_joined",
    )


class UserCreateView(ObjectCreateView):
    model = User
    form_class = UserCreateForm

    def save_form(self, form):
        data = form.cleaned_data
        return services.user_create(
            username=data["username"],
            password=data["password1"],
            role=data["role"],
            region=data["region"],
            display_name=data["display_name"],
            email=data["email"],
            phone=data["phone"],
            actor=self.request.user,
            request=self.request,
        )

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)


class UserUpdateView(ObjectUpdateView):
    model = User
    form_class = UserUpdateForm

    def save_form(self, form):
        data = form.cleaned_data
        return services.user_update(
            user=User.objects.get(pk=self.object.pk),
            role=data["role"],
            region=data["region"],
            display_name=data["display_name"],
            email=data["email"],
            phone=data["phone"],
            actor=self.request.user,
            request=self.request,
        )

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)


class UserPasswordResetView(ActionPermissionMixin, BreadcrumbMixin, FormView):
    model = User
    action = "change"
    template_name = "generic/object_form.html"
    form_class = UserPasswordResetForm

    def dispatch(self, request, *args, **kwargs):
        self.object = get_object_or_404(User, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["user"] = self.object
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = f"重置密码：{self.object.username}"
        context["cancel_url"] = self.object.get_absolute_url()
        return context

    def form_valid(self, form):
        services.user_set_password(
            user=self.object,
            password=form.cleaned_data["new_password1"],
            actor=self.request.user,
            request=self.request,
        )
        messages.success(self.request, f"已重置“{self.object.username}”的密码。")
        return redirect(self.object)


class UserSetActiveView(ActionPermissionMixin, View):
    """POST only (the detail page asks for confirmation first)."""

    model = User
    action = "change"
    http_method_names = ["post"]
    active = False

    def post(self, request, pk):
        user = get_object_or_404(User, pk=pk)
        try:
            services.user_set_active(user=user, active=self.active, actor=request.user, request=request)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"已{'启用' if self.active else '停用'}账户“{user.username}”。")
        return redirect(user)


# ---------------------------------------------------------------------------------------------- regions


class RegionListView(ObjectListView):
    model = Region
    table_class = RegionTable
    filterset_class = RegionFilterSet
    actions = ("add",)

    def get_base_queryset(self):
        return Region.objects.select_related("parent")


class RegionDetailView(ObjectDetailView):
    model = Region
    detail_fields = ("code", "gb2260_code", "name", "kind", "parent", "sort_order", "is_active")


class RegionCreateView(ObjectCreateView):
    model = Region
    form_class = RegionForm


class RegionUpdateView(ObjectUpdateView):
    model = Region
    form_class = RegionForm


# ------------------------------------------------------------------------------------------------ audit


class ChangeLogListView(ObjectListView):
    model = LogEntry
    table_class = ChangeLogTable
    filterset_class = ChangeLogFilterSet
    permission_required = "auditlog.view_logentry"
    actions = ()
    export_url_name = "accounts:changelog_export"
    template_name = "accounts/audit_list.html"

    def get_base_queryset(self):
        return LogEntry.objects.select_related("actor", "content_type").order_by("-timestamp", "-pk")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = "数据变更日志"
        context["export_url_name"] = self.export_url_name
        return context


class AuditExportView(ActionPermissionMixin, View):
    """POST: queue an export of the filtered log as a report job and show its page."""

    http_method_names = ["post"]
    job_kind: str

    def post(self, request):
        job = report_job_request(
            kind=self.job_kind, parameters={"query": request.POST.get("query", "")[:2000]}, user=request.user
        )
        audit_event_record(
            event_type=AuditEvent.Type.EXPORT, request=request, object_repr=f"{self.job_kind} #{job.pk}"
        )
        return redirect("core:reportjob_detail", pk=job.pk)


class ChangeLogExportView(AuditExportView):
    model = LogEntry
    permission_required = "auditlog.view_logentry"
    job_kind = "changelog_export"


class AuditEventListView(ObjectListView):
    model = AuditEvent
    table_class = AuditEventTable
    filterset_class = AuditEventFilterSet
    actions = ()
    export_url_name = "accounts:event_export"
    template_name = "accounts/audit_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = "安全事件日志"
        context["export_url_name"] = self.export_url_name
        return context


class AuditEventExportView(AuditExportView):
    model = AuditEvent
    job_kind = "audit_events_export"
