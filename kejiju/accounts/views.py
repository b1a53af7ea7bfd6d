from __future__ import annotations

import time

from auditlog.models import LogEntry
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views.generic import FormView, View

from kejiju.core.clientip import client_ip
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
from kejiju.core.views.generic import BreadcrumbMixin, PersonalDataMixin

from . import services
from .filters import (
    AuditEventFilterSet,
    ChangeLogFilterSet,
    RegionFilterSet,
    UserFilterSet,
    UserSessionFilterSet,
)
from .forms import (
    LoginForm,
    OTPTokenForm,
    RegionForm,
    UserCreateForm,
    UserPasswordResetForm,
    UserUpdateForm,
)
from .models import Region, User, UserSession
from .tables import AuditEventTable, ChangeLogTable, RegionTable, UserSessionTable, UserTable
from .throttles import LOGIN_FAILURES, login_needs_captcha

OTP_PENDING_SESSION_KEY = "kejiju_otp_pending"


class LoginView(auth_views.LoginView):
    """Step one: the password. A user with a two-factor device is not logged in yet: the session remembers
    who passed the password, for a few minutes, and the next page asks for the code."""

    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        if LOGIN_FAILURES.exceeded(request):
            return render(request, "accounts/throttled.html", {"message": LOGIN_FAILURES.message}, status=429)
        return super().post(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["otp_required"] = settings.OTP_REQUIRED
        return context

    def form_invalid(self, form):
        # This failure may be the one that makes the next attempt answer a captcha: show it now.
        if login_needs_captcha(self.request, form.data.get("username")):
            form.add_captcha()
        return super().form_invalid(form)

    def form_valid(self, form):
        user = form.get_user()
        if services.otp_has_device(user):
            self.request.session.cycle_key()
            self.request.session[OTP_PENDING_SESSION_KEY] = {
                "user": user.pk,
                "backend": user.backend,
                "at": int(time.time()),
                "next": self.get_success_url(),
            }
            return redirect("accounts:login_verify")
        return super().form_valid(form)


@method_decorator(login_not_required, name="dispatch")
class LoginVerifyView(FormView):
    """Step two: a code from the authenticator app, or one of the recovery codes (each works once)."""

    template_name = "accounts/login_verify.html"
    form_class = OTPTokenForm

    def dispatch(self, request, *args, **kwargs):
        pending = request.session.get(OTP_PENDING_SESSION_KEY)
        self.pending_user = None
        if pending and time.time() - pending["at"] <= settings.OTP_LOGIN_PENDING_SECONDS:
            self.pending_user = User.objects.filter(pk=pending["user"], is_active=True).first()
        if self.pending_user is None:
            request.session.pop(OTP_PENDING_SESSION_KEY, None)
            messages.info(request, "请先输入用户名和密码。")
            return redirect("accounts:login")
        if services.user_is_locked(self.pending_user, ip_address=client_ip(request)):
            request.session.pop(OTP_PENDING_SESSION_KEY, None)
            return render(request, settings.AXES_LOCKOUT_TEMPLATE, status=429)
        self.pending = pending
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        from django_otp import match_token

        user = self.pending_user
        device = match_token(user, form.cleaned_data["token"])
        if device is None:
            # Counts toward the lockout like a wrong password, and is audited as a failed login.
            user_login_failed.send(
                sender=__name__, credentials={"username": user.username}, request=self.request
            )
            form.add_error("token", "动态口令不正确或已使用过。")
            return self.form_invalid(form)
        self.request.session.pop(OTP_PENDING_SESSION_KEY, None)
        user.otp_device = device  # django-otp marks the session verified on login
        auth_login(self.request, user, backend=self.pending["backend"])
        return redirect(self.pending["next"] or settings.LOGIN_REDIRECT_URL)


class LogoutView(auth_views.LogoutView):
    pass


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = "/"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["max_age_days"] = settings.PASSWORD_MAX_AGE_DAYS
        # Offered to every account without a device, the unit accounts' too (required only for the roles
        # of OTP_REQUIRED_ROLES when OTP_REQUIRED is on).
        context["has_otp_device"] = services.otp_has_device(self.request.user)
        return context

    def form_valid(self, form):
        response = super().form_valid(form)
        audit_event_record(
            event_type=AuditEvent.Type.ACCOUNT,
            request=self.request,
            object_repr=self.request.user.username,
            detail="修改本人密码",
        )
        services.user_password_changed(request=self.request)
        messages.success(self.request, "密码已修改。")
        return response


class OTPSetupView(FormView):
    """Enrol an authenticator app: a QR code (inline SVG) and the secret, confirmed with one code; then
    the ten recovery codes, shown once."""

    template_name = "accounts/otp_setup.html"
    form_class = OTPTokenForm

    def get_context_data(self, **kwargs):
        import base64

        import segno

        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["title"] = "双因素认证"
        context["enrolled"] = services.otp_has_device(user)
        context["required"] = services.otp_required_for(user)
        if not context["enrolled"]:
            device = services.otp_pending_device(user=user)
            secret = base64.b32encode(device.bin_key).decode()
            context["secret"] = " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
            context["qr_svg"] = segno.make(device.config_url, error="m").svg_inline(
                scale=5, title="身份验证器二维码"
            )
        return context

    def post(self, request, *args, **kwargs):
        if services.otp_has_device(request.user):
            return redirect("accounts:otp_setup")
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        from django_otp import login as otp_login

        confirmed = services.otp_confirm(
            user=self.request.user, token=form.cleaned_data["token"], request=self.request
        )
        if confirmed is None:
            form.add_error("token", "动态口令不正确，请核对手机时间后重试。")
            return self.form_invalid(form)
        device, codes = confirmed
        otp_login(self.request, device)
        return render(self.request, "accounts/otp_codes.html", {"codes": codes, "title": "恢复码"})


# ------------------------------------------------------------------------------------------------ users


class UserListView(PersonalDataMixin, ObjectListView):
    model = User
    table_class = UserTable
    filterset_class = UserFilterSet
    actions = ("add", "export")

    def get_base_queryset(self):
        return User.objects.select_related("region")


class UserExportView(UserListView, ObjectExportView):
    pass


class UserDetailView(PersonalDataMixin, ObjectDetailView):
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
        "password_changed_at",
        "must_change_password",
        "last_login",
        "date_joined",
    )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["is_locked"] = services.user_is_locked(self.object)
        context["has_otp"] = services.otp_has_device(self.object)
        return context


class UserUnlockView(ActionPermissionMixin, View):
    """POST: the system admin lifts a lockout (audited as UNLOCK)."""

    model = User
    action = "change"
    http_method_names = ["post"]

    def post(self, request, pk):
        user = get_object_or_404(User, pk=pk)
        services.user_unlock(user=user, actor=request.user, request=request)
        messages.success(request, f"已解除账户“{user.username}”的锁定。")
        return redirect(user)


class UserOTPResetView(ActionPermissionMixin, View):
    """POST: the system admin removes a user's two-factor devices (a lost phone)."""

    model = User
    action = "change"
    http_method_names = ["post"]

    def post(self, request, pk):
        user = get_object_or_404(User, pk=pk)
        services.otp_reset(user=user, actor=request.user, request=request)
        messages.success(request, f"已重置“{user.username}”的双因素认证，该用户下次登录后须重新绑定。")
        return redirect(user)


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


# ------------------------------------------------------------------------------------------- sessions


class UserSessionListView(PersonalDataMixin, ObjectListView):
    """在线用户: every live session (not ended, not expired) of every account."""

    model = UserSession
    table_class = UserSessionTable
    filterset_class = UserSessionFilterSet
    actions = ()

    def get_base_queryset(self):
        return (
            super()
            .get_base_queryset()
            .live()
            .select_related("user", "user__region")
            .order_by("-last_seen_at", "-pk")
        )


class UserSessionEndView(ActionPermissionMixin, View):
    """强制下线: GET asks for confirmation, POST ends the session (audited)."""

    model = UserSession
    permission_required = "accounts.end_usersession"
    http_method_names = ["get", "post"]

    def get_breadcrumbs(self):
        return [("在线用户", reverse("accounts:usersession_list")), ("强制下线", None)]

    def _row(self, pk):
        from kejiju.core.scoping import scoped_queryset

        rows = scoped_queryset(UserSession, self.request.user).select_related("user", "user__region")
        return get_object_or_404(rows, pk=pk)

    def get(self, request, pk):
        from .tables import short_user_agent

        row = self._row(pk)
        own = request.session.session_key
        context = {
            "title": "强制下线",
            "object": row,
            "breadcrumbs": self.get_breadcrumbs(),
            "ended": row.ended_at is not None,
            "own": bool(own) and services.session_key_digest(own) == row.key_digest,
            "browser": short_user_agent(row.user_agent),
        }
        return render(request, "accounts/usersession_end.html", context)

    def post(self, request, pk):
        row = self._row(pk)
        try:
            services.user_session_end(user_session=row, actor=request.user, request=request)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"已强制下线“{row.user.username}”的会话。")
        return redirect("accounts:usersession_list")


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


class ChangeLogListView(PersonalDataMixin, ObjectListView):
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
        audit_event_record(event_type=AuditEvent.Type.EXPORT, request=request, object_repr=str(job))
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
