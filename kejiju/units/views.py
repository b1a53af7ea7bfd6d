"""Pages of the applicant-facing side: the public registration, its verification by the county office or
the bureau, and the unit administrator's accounts page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.decorators import method_decorator
from django.views import View
from django.views.generic import FormView, TemplateView

from kejiju.accounts.models import User
from kejiju.core import uploads
from kejiju.core.throttle import Throttle
from kejiju.core.views.generic import (
    ObjectDetailView,
    ObjectListView,
    PersonalDataMixin,
    ServiceFormMixin,
    service_error_text,
)
from kejiju.core.workflow.selectors import workflow_context
from kejiju.core.workflow.views import TransitionView

from . import selectors, services
from .filters import UnitAccountFilterSet, UnitRegistrationFilterSet
from .forms import ApplicantForm, RegistrationForm
from .models import UnitRegistration
from .tables import UnitAccountTable, UnitRegistrationTable

DONE_SESSION_KEY = "units:registered"
REGISTER_THROTTLE = Throttle(
    scope="units.register",
    limit=10,
    window=3600,
    message="本网络地址提交注册过于频繁，请一小时后再试；如有疑问请联系所在县区科技局。",
)


@method_decorator(login_not_required, name="dispatch")
class RegisterView(ServiceFormMixin, FormView):
    """单位注册, open to anyone: the unit files its code, name, county, contact, licence and its
    administrator's login; nothing opens until the county office (or the bureau) verifies it."""

    template_name = "units/register.html"
    form_class = RegistrationForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            messages.info(request, "您已登录。单位注册由尚无账户的单位填写。")
            return redirect("core:home")
        return super().dispatch(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        # Every submission counts, the refused ones ("already registered") first of all.
        if REGISTER_THROTTLE.exceeded(request):
            return render(request, "units/throttled.html", {"message": REGISTER_THROTTLE.message}, status=429)
        REGISTER_THROTTLE.hit(request)
        return super().post(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "request": self.request}

    def perform(self, form):
        data = {k: v for k, v in form.cleaned_data.items() if k not in {"admin_password_again", "captcha"}}
        registration = services.registration_submit(**data)
        self.request.session[DONE_SESSION_KEY] = {
            "name": registration.name,
            "reviewer": str(registration.region) + "科技局" if registration.region else "市科技局",
        }
        return redirect("units:register_done")


@method_decorator(login_not_required, name="dispatch")
class RegisterDoneView(TemplateView):
    template_name = "units/register_done.html"

    def get(self, request, *args, **kwargs):
        done = request.session.pop(DONE_SESSION_KEY, None)
        if done is None:
            return redirect("units:register")
        return self.render_to_response(self.get_context_data(done=done))


class UnitRegistrationListView(PersonalDataMixin, ObjectListView):
    model = UnitRegistration
    table_class = UnitRegistrationTable
    filterset_class = UnitRegistrationFilterSet
    actions = ()

    def get_base_queryset(self):
        return selectors.registration_list(user=self.request.user)


class UnitRegistrationDetailView(PersonalDataMixin, ObjectDetailView):
    model = UnitRegistration
    template_name = "units/unitregistration_detail.html"
    detail_fields = (
        "uscc",
        "name",
        "kind",
        "region",
        "address",
        "contact_person",
        "contact_phone",
        "email",
        "admin_username",
        "admin_display_name",
        "state",
        "submitted_at",
        "decided_on",
        "return_reason",
        "organization",
        "admin",
    )

    def get_base_queryset(self):
        return selectors.registration_list(user=self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        transition_url = "units:unitregistration_transition"
        context.update(workflow_context(self.object, self.request.user, transition_url=transition_url))
        return context


class UnitRegistrationTransitionView(TransitionView):
    model = UnitRegistration


class LicenceDownloadView(PermissionRequiredMixin, View):
    permission_required = "units.view_unitregistration"
    raise_exception = True

    def get(self, request, pk):
        registration = get_object_or_404(selectors.registration_list(user=request.user), pk=pk)
        return uploads.download_response(
            registration.licence, filename=registration.licence_name, as_attachment=False
        )


# ------------------------------------------------------------------------------ the unit's accounts


class UnitAccountListView(PersonalDataMixin, ObjectListView):
    """本单位账户: the unit administrator's own unit's accounts (administrators and 项目负责人)."""

    model = User
    table_class = UnitAccountTable
    filterset_class = UnitAccountFilterSet
    permission_required = "units.manage_unit_accounts"
    actions = ()

    def get_base_queryset(self):
        return selectors.unit_accounts(user=self.request.user)

    def get_breadcrumbs(self):
        return [("本单位账户", None)]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = f"本单位账户：{self.request.user.organization}"
        context["list_buttons"] = [("add", "新增项目负责人", reverse("units:applicant_add"))]
        return context


class ApplicantCreateView(PermissionRequiredMixin, ServiceFormMixin, FormView):
    permission_required = "units.manage_unit_accounts"
    raise_exception = True
    template_name = "generic/object_form.html"
    form_class = ApplicantForm
    success_url = reverse_lazy("units:account_list")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def perform(self, form):
        account = services.applicant_create(actor=self.request.user, **form.cleaned_data)
        self.success_message = f"已开通项目负责人账户“{account.username}”，首次登录须修改初始密码。"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            title="新增项目负责人",
            cancel_url=reverse("units:account_list"),
            breadcrumbs=[("本单位账户", reverse("units:account_list")), ("新增项目负责人", None)],
        )
        return context


class UnitAccountActiveView(PermissionRequiredMixin, View):
    """POST: 停用 or 启用 one 项目负责人 of the unit (confirmed on the page)."""

    permission_required = "units.manage_unit_accounts"
    raise_exception = True

    def post(self, request, pk):
        account = get_object_or_404(selectors.unit_accounts(user=request.user), pk=pk)
        active = request.POST.get("active") == "1"
        try:
            services.unit_account_set_active(actor=request.user, account=account, active=active)
        except ValidationError as error:
            messages.error(request, service_error_text(error))
        else:
            messages.success(request, f"已{'启用' if active else '停用'}账户“{account.username}”。")
        return redirect("units:account_list")
