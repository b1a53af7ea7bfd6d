"""The enterprise library's pages: the list, export, detail, create/edit, 停用/启用 and the yearly
figures (信息表) of an enterprise."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.views.generic import FormView, View

from kejiju.core.history import with_readable_changes
from kejiju.core.views import (
    ActionPermissionMixin,
    ObjectCreateView,
    ObjectDetailView,
    ObjectExportView,
    ObjectListView,
    ObjectUpdateView,
    service_error_text,
)
from kejiju.core.views.generic import BreadcrumbMixin, PersonalDataMixin, ServiceFormMixin

from .. import forms, selectors, services
from ..filters import EnterpriseFilterSet
from ..models import Enterprise, EnterpriseYear
from ..tables import EnterpriseTable


class EnterpriseListView(ObjectListView):
    model = Enterprise
    table_class = EnterpriseTable
    filterset_class = EnterpriseFilterSet
    template_name = "enterprises/enterprise_list.html"

    def get_base_queryset(self):
        return selectors.enterprise_list(user=self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        can_import = self.request.user.has_perm("enterprises.import_enterprise")
        context["can_import"] = can_import
        if not can_import:
            context["list_buttons"] = [button for button in context["list_buttons"] if button[0] != "import"]
        return context


class EnterpriseExportView(EnterpriseListView, ObjectExportView):
    def get_base_queryset(self):
        return selectors.enterprise_export(user=self.request.user)


class EnterpriseDetailView(PersonalDataMixin, ObjectDetailView):
    model = Enterprise
    template_name = "enterprises/enterprise_detail.html"
    detail_fields = (
        "name",
        "uscc",
        "region",
        "industry_section",
        "industry_code",
        "established_on",
        "address",
        "contact_person",
        "contact_phone",
        "clean_record",
        "national_award_top3",
        "provincial_rd_centre",
        "led_standard",
        "is_active",
    )

    def get_queryset(self):
        return super().get_queryset().select_related("region", "organization")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        enterprise, user = self.object, self.request.user
        context["history"] = with_readable_changes(
            selectors.enterprise_history(enterprise=enterprise)[: self.history_limit]
        )
        context["years"] = selectors.enterprise_years(enterprise=enterprise)
        context["evaluations"] = enterprise.smes_evaluations.order_by("-year")
        context["pool_entries"] = enterprise.pool_entries.order_by("-recommended_on", "-pk")
        context["certificates"] = enterprise.certificates.order_by("-issued_on")
        context["rewards"] = enterprise.rewards.order_by("-year")
        context["can_add_year"] = user.has_perm("enterprises.add_enterpriseyear")
        context["can_evaluate"] = user.has_perm("enterprises.add_smesevaluation") and enterprise.is_active
        context["can_request_pool"] = (
            user.has_perm("enterprises.request_poolentry")
            and enterprise.is_active
            and not selectors.has_open_pool_entry(enterprise)
        )
        context["can_recommend"] = (
            user.has_perm("enterprises.recommend_poolentry")
            and enterprise.is_active
            and not selectors.has_open_pool_entry(enterprise)
        )
        context["can_add_certificate"] = user.has_perm("enterprises.add_gaoqicertificate")
        context["can_deactivate"] = user.has_perm("enterprises.delete_enterprise")
        context["deactivate_form"] = forms.EnterpriseDeactivateForm(user=user)
        return context


class UsccAreaWarningMixin:
    """After a save, say so when the code was registered outside the enterprise's county (kept as typed)."""

    def form_valid(self, form):
        response = super().form_valid(form)
        warning = getattr(self.object, "uscc_area_warning", None)
        if response.status_code == 302 and warning:
            messages.warning(self.request, warning)
        return response


class EnterpriseCreateView(UsccAreaWarningMixin, ObjectCreateView):
    model = Enterprise
    form_class = forms.EnterpriseForm
    success_message = "企业已登记。"

    def save_form(self, form):
        data = dict(form.cleaned_data)
        return services.enterprise_create(
            actor=self.request.user,
            request=self.request,
            uscc=data.pop("uscc"),
            uscc_override=data.pop("uscc_override", False),
            uscc_override_reason=data.pop("uscc_override_reason", ""),
            **data,
        )


class EnterpriseUpdateView(UsccAreaWarningMixin, ObjectUpdateView):
    model = Enterprise
    form_class = forms.EnterpriseForm

    def save_form(self, form):
        data = dict(form.cleaned_data)
        return services.enterprise_update(
            enterprise=self.object,
            actor=self.request.user,
            request=self.request,
            uscc=data.pop("uscc"),
            uscc_override=data.pop("uscc_override", False),
            uscc_override_reason=data.pop("uscc_override_reason", ""),
            **data,
        )


class EnterpriseSetActiveView(ActionPermissionMixin, View):
    """POST only: deactivate (with a reason, confirmed on the detail page) or reactivate."""

    model = Enterprise
    action = "delete"
    http_method_names = ["post"]
    active = False

    def post(self, request, pk):
        enterprise = get_object_or_404(Enterprise.objects.visible_to(request.user), pk=pk)
        try:
            services.enterprise_set_active(
                enterprise=enterprise,
                active=self.active,
                actor=request.user,
                reason=request.POST.get("reason", ""),
                request=request,
            )
        except ValidationError as error:
            messages.error(request, service_error_text(error))
        else:
            messages.success(request, f"已{'启用' if self.active else '停用'}企业“{enterprise}”。")
        return redirect(enterprise)


class EnterpriseChildMixin:
    """Views under /enterprises/<pk>/…: the enterprise, scoped (another county's is a 404)."""

    @cached_property
    def enterprise(self) -> Enterprise:
        return get_object_or_404(Enterprise.objects.visible_to(self.request.user), pk=self.kwargs["pk"])

    def get_breadcrumbs(self):
        return [
            ("企业", reverse("enterprises:enterprise_list")),
            (str(self.enterprise), self.enterprise.get_absolute_url()),
            (self.title, None),
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = f"{self.enterprise}：{self.title}"
        context["cancel_url"] = self.enterprise.get_absolute_url()
        return context


class EnterpriseFormView(
    ServiceFormMixin, EnterpriseChildMixin, ActionPermissionMixin, BreadcrumbMixin, FormView
):
    """A form under /enterprises/<pk>/… calling one service for the enterprise (the form knows the user)."""

    template_name = "generic/object_form.html"

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["user"] = self.request.user
        return kwargs


class EnterpriseYearCreateView(EnterpriseFormView):
    model = EnterpriseYear
    action = "add"
    title = "填报年度数据"
    form_class = forms.EnterpriseYearForm

    def perform(self, form):
        data = dict(form.cleaned_data)
        year = data.pop("year")
        services.figures_save(enterprise=self.enterprise, year=year, actor=self.request.user, **data)
        messages.success(self.request, f"已保存{year}年度数据。")
        return redirect(self.enterprise)


class EnterpriseYearUpdateView(ObjectUpdateView):
    model = EnterpriseYear
    form_class = forms.EnterpriseYearForm

    def get_queryset(self):
        return super().get_queryset().select_related("enterprise")

    def save_form(self, form):
        data = dict(form.cleaned_data)
        data.pop("year", None)
        return services.figures_save(
            enterprise=self.object.enterprise, year=self.object.year, actor=self.request.user, **data
        )

    def get_success_url(self):
        return self.object.enterprise.get_absolute_url()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["cancel_url"] = self.object.enterprise.get_absolute_url()
        return context
