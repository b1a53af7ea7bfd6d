from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.http import FileResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.views.generic import FormView, TemplateView, View

from kejiju.core.history import with_readable_changes
from kejiju.core.models import AuditEvent
from kejiju.core.scoping import unit_id_of_user
from kejiju.core.services import audit_event_record, report_job_request
from kejiju.core.views import (
    ActionPermissionMixin,
    ObjectCreateView,
    ObjectDeleteView,
    ObjectDetailView,
    ObjectExportView,
    ObjectListView,
    ObjectUpdateView,
    service_error_text,
)
from kejiju.core.views.generic import BreadcrumbMixin, PersonalDataMixin, ServiceFormMixin, StaffOnlyMixin
from kejiju.core.views.imports import ImportConfirmView, ImportUploadView
from kejiju.core.workflow.selectors import workflow_context
from kejiju.core.workflow.views import TransitionView as WorkflowTransitionView
from kejiju.core.xlsx import XLSX_CONTENT_TYPE

from . import forms, importer, rules, selectors, services, workflow
from .filters import (
    CertificateFilterSet,
    DoublingTargetFilterSet,
    EnterpriseFilterSet,
    PoolEntryFilterSet,
    RewardFilterSet,
    RewardTierFilterSet,
    SmesEvaluationFilterSet,
)
from .jobs import IMPORT_JOB
from .models import (
    DoublingTarget,
    Enterprise,
    EnterpriseYear,
    GaoqiCertificate,
    PoolEntry,
    Reward,
    RewardTier,
    SmesEvaluation,
)
from .tables import (
    CertificateTable,
    DoublingTargetTable,
    EnterpriseTable,
    PoolEntryTable,
    RewardTable,
    RewardTierTable,
    SmesEvaluationTable,
)

# ------------------------------------------------------------------------------------------- enterprises


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


# ------------------------------------------------------------------------------------------- import


IMPORT_SESSION_KEY = "enterprises_import"


class ImportPermissionMixin(ActionPermissionMixin):
    model = Enterprise
    permission_required = "enterprises.import_enterprise"


class EnterpriseImportTemplateView(ImportPermissionMixin, View):
    def get(self, request):
        content = importer.template_workbook(user=request.user)
        response = FileResponse(
            iter([content]),
            as_attachment=True,
            filename="企业及年度数据导入模板.xlsx",
            content_type=XLSX_CONTENT_TYPE,
        )
        return response


class EnterpriseImportView(ImportPermissionMixin, BreadcrumbMixin, ImportUploadView):
    template_name = "enterprises/import.html"
    form_class = forms.ImportUploadForm
    importer = importer
    session_key = IMPORT_SESSION_KEY

    def get_breadcrumbs(self):
        return [("企业", reverse("enterprises:enterprise_list")), ("导入", None)]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = "导入企业及年度数据"
        return context

    def preview(self, parsed):
        shown = {"preview_enterprises": parsed.enterprises[:50], "preview_figures": parsed.figures[:50]}
        return shown, {"rows": len(parsed.enterprises) + len(parsed.figures)}


class EnterpriseImportConfirmView(ImportPermissionMixin, ImportConfirmView):
    importer = importer
    session_key = IMPORT_SESSION_KEY
    upload_url_name = "enterprises:enterprise_import"
    done_url_name = "enterprises:enterprise_list"

    def in_background(self, pending):
        if pending.get("rows", 0) <= importer.INLINE_ROWS:
            return None
        job = report_job_request(
            kind=IMPORT_JOB,
            parameters={"path": pending["path"], "name": pending["name"]},
            user=self.request.user,
        )
        audit_event_record(
            event_type=AuditEvent.Type.TRANSITION,
            request=self.request,
            object_repr=f"导入 {pending['name']}"[:255],
            detail=f"后台任务 #{job.pk}",
        )
        messages.info(self.request, "文件较大，已转入后台导入；完成后本页显示结果（全部导入或全部不导入）。")
        return redirect("core:reportjob_detail", pk=job.pk)

    def summary(self, written) -> str:
        enterprises, years = written
        return f"企业 {enterprises} 条，年度数据 {years} 条"


# ------------------------------------------------------------------------------------- 科小 evaluation


class SmesEvaluationListView(ObjectListView):
    model = SmesEvaluation
    table_class = SmesEvaluationTable
    filterset_class = SmesEvaluationFilterSet
    template_name = "enterprises/smesevaluation_list.html"
    actions = ("export",)

    def get_base_queryset(self):
        return selectors.smes_evaluation_list(user=self.request.user)

    def get_table_kwargs(self):
        if not self.request.user.has_perm("enterprises.admit_smesevaluation"):
            return {"exclude": ("selection",)}
        return {}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["bulk_form"] = forms.BulkTransitionForm(user=self.request.user)
        context["can_bulk"] = self.request.user.has_perm("enterprises.admit_smesevaluation")
        return context


class SmesEvaluationExportView(SmesEvaluationListView, ObjectExportView):
    def get_table_kwargs(self):
        return {"exclude": ("selection",)}


class SmesEvaluationCreateView(EnterpriseFormView):
    model = SmesEvaluation
    action = "add"
    title = "科技型中小企业评价"
    form_class = forms.SmesEvaluationCreateForm

    def get_form_class(self):
        if unit_id_of_user(self.request.user) is not None:
            return forms.UnitSmesEvaluationForm
        return forms.SmesEvaluationCreateForm

    def perform(self, form):
        evaluation = services.smes_evaluation_create(
            enterprise=self.enterprise,
            year=form.cleaned_data["year"],
            submitted_on=form.cleaned_data.get("submitted_on"),
            actor=self.request.user,
            request=self.request,
        )
        messages.success(self.request, f"已登记评价，综合得分{evaluation.total_score}分。")
        return redirect(evaluation)


class SmesEvaluationDetailView(ObjectDetailView):
    model = SmesEvaluation
    template_name = "enterprises/smesevaluation_detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related("enterprise__region")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        evaluation, user = self.object, self.request.user
        result, row = services.smes_evaluate(
            evaluation.enterprise, year=evaluation.year, on=evaluation.submitted_on
        )
        context["result"] = result
        context["figures"] = row
        context.update(
            workflow_context(evaluation, user, transition_url="enterprises:smesevaluation_transition")
        )
        context["today"] = timezone.localdate()
        context["registration"] = None
        if evaluation.registration_number:
            from kejiju.core.identifiers import parse_smes_registration_number

            context["registration"] = parse_smes_registration_number(evaluation.registration_number)
        context["can_change"] = False
        return context


class SmesTransitionView(WorkflowTransitionView):
    model = SmesEvaluation


class SmesBulkTransitionView(ActionPermissionMixin, View):
    """POST: 开始公示 or 入库 for the evaluations ticked on the list page, all or nothing."""

    model = SmesEvaluation
    permission_required = "enterprises.admit_smesevaluation"
    http_method_names = ["post"]

    def post(self, request):
        form = forms.BulkTransitionForm(request.POST, user=request.user)
        back = reverse("enterprises:smesevaluation_list") + "?" + request.POST.get("query", "")
        ids = [int(value) for value in request.POST.getlist("selection") if value.isdigit()]
        if not form.is_valid() or not ids:
            messages.error(request, "请勾选评价记录并选择操作。")
            return HttpResponseRedirect(back)
        evaluations = list(
            selectors.smes_evaluation_list(user=request.user).filter(pk__in=ids).order_by("pk")
        )
        try:
            count = services.smes_bulk_transition(
                evaluations=evaluations,
                action=form.cleaned_data["action"],
                actor=request.user,
                on=form.cleaned_data["on"],
                request=request,
            )
        except ValidationError as error:
            messages.error(request, f"未执行（全部回退）：{service_error_text(error)}")
        else:
            label = workflow.SMES_WORKFLOW.action_label(form.cleaned_data["action"])
            messages.success(request, f"已对 {count} 条评价执行“{label}”。")
        return HttpResponseRedirect(back)


class SmesStatsView(StaffOnlyMixin, ActionPermissionMixin, TemplateView):
    """科小 入库 counts by county and year."""

    model = SmesEvaluation
    permission_required = "enterprises.view_smesevaluation"
    template_name = "enterprises/smes_stats.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        this_year = timezone.localdate().year
        years = list(range(this_year - 5, this_year + 1))
        regions, cells, totals = selectors.smes_counts_by_region(user=self.request.user, years=years)
        context["years"] = years
        context["rows"] = [
            (region, [cells.get((region.pk, year), 0) for year in years]) for region in regions
        ]
        context["totals"] = [totals[year] for year in years]
        context["headlines"] = [(year, totals[year]) for year in years if totals[year]]
        pool_cells, pool_totals = selectors.pool_counts_by_region(user=self.request.user, years=years)
        context["pool_rows"] = [
            (region, [pool_cells.get((region.pk, year), 0) for year in years]) for region in regions
        ]
        context["pool_totals"] = [pool_totals[year] for year in years]
        context["pool_headlines"] = [(year, pool_totals[year]) for year in years if pool_totals[year]]
        context["title"] = "科技型中小企业及高企培育库入库统计"
        context["breadcrumbs"] = [
            ("科技型中小企业评价", reverse("enterprises:smesevaluation_list")),
            ("入库统计", None),
        ]
        return context


# ---------------------------------------------------------------------------------------------- pool


class PoolEntryListView(ObjectListView):
    model = PoolEntry
    table_class = PoolEntryTable
    filterset_class = PoolEntryFilterSet
    actions = ("export",)

    def get_base_queryset(self):
        return selectors.pool_list(user=self.request.user)


class PoolEntryExportView(PoolEntryListView, ObjectExportView):
    pass


class PoolRecommendView(EnterpriseFormView):
    model = PoolEntry
    permission_required = "enterprises.recommend_poolentry"
    title = "推荐进入高企培育库"
    form_class = forms.PoolRecommendForm

    def perform(self, form):
        entry = services.pool_recommend(
            enterprise=self.enterprise,
            actor=self.request.user,
            recommendation=form.cleaned_data["recommendation"],
            request=self.request,
        )
        messages.success(self.request, "已推荐，待市局审核入库。")
        return redirect(entry)


class PoolRequestView(EnterpriseFormView):
    """企业申请: the enterprise's administrator applies for the 培育库 (its county office recommends)."""

    model = PoolEntry
    permission_required = "enterprises.request_poolentry"
    title = "申请进入高企培育库"
    form_class = forms.PoolRequestForm

    def perform(self, form):
        entry = services.pool_request(
            enterprise=self.enterprise,
            actor=self.request.user,
            reason=form.cleaned_data["reason"],
            request=self.request,
        )
        messages.success(self.request, "已提交申请，待县区科技局推荐。")
        return redirect(entry)


class PoolAssessView(ServiceFormMixin, ActionPermissionMixin, BreadcrumbMixin, FormView):
    """录入企业创新能力评价 for an enterprise in the 培育库 (the bureau, who tracks the pool)."""

    model = PoolEntry
    permission_required = "enterprises.admit_poolentry"
    title = "录入企业创新能力评价"
    template_name = "generic/object_form.html"
    form_class = forms.InnovationAssessmentForm

    @cached_property
    def entry(self) -> PoolEntry:
        queryset = PoolEntry.objects.visible_to(self.request.user).select_related("enterprise")
        return get_object_or_404(queryset, pk=self.kwargs["pk"])

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["user"] = self.request.user
        return kwargs

    def get_breadcrumbs(self):
        return [
            ("高企培育库", reverse("enterprises:poolentry_list")),
            (str(self.entry), self.entry.get_absolute_url()),
            (self.title, None),
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = f"{self.entry.enterprise}：{self.title}"
        context["cancel_url"] = self.entry.get_absolute_url()
        return context

    def perform(self, form):
        assessment = services.pool_innovation_assess(
            entry=self.entry,
            actor=self.request.user,
            assessed_on=form.cleaned_data["assessed_on"],
            scores=form.scores(),
            note=form.cleaned_data["note"],
            request=self.request,
        )
        messages.success(self.request, f"已录入企业创新能力评价：{assessment.total}分。")
        return redirect(self.entry)


def gaoqi_checklist_for(
    enterprise: Enterprise, *, innovation_score: int | None = None
) -> tuple[EnterpriseYear | None, list[rules.ChecklistLine]]:
    """The 高企 checklist against the latest year's figures and the three latest years' totals, the
    latest 企业创新能力评价 when there is one, and the clean record (the 科研诚信 record when the unit is
    under 惩戒 today, else the enterprise's checkbox)."""
    rows = list(EnterpriseYear.objects.filter(enterprise=enterprise).order_by("-year")[:3])
    latest = rows[0] if rows else None
    totals = EnterpriseYear.objects.filter(pk__in=[row.pk for row in rows]).aggregate(
        rd=Sum("rd_expense"), revenue=Sum("revenue"), in_china=Sum("rd_expense_in_china")
    )
    lines = rules.gaoqi_checklist(
        services.to_rule_figures(latest),
        rd_expense_3y=totals["rd"],
        revenue_3y=totals["revenue"],
        rd_in_china_3y=totals["in_china"],
        innovation_score=innovation_score,
        clean_record=enterprise.clean_record,
        integrity=selectors.integrity_finding(enterprise),
    )
    return latest, lines


class PoolEntryDetailView(ObjectDetailView):
    model = PoolEntry
    template_name = "enterprises/poolentry_detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related("enterprise__region")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        entry, user = self.object, self.request.user
        assessments = list(entry.assessments.select_related("recorded_by"))
        score = assessments[0].total if assessments else None
        latest, lines = gaoqi_checklist_for(entry.enterprise, innovation_score=score)
        context["assessments"] = assessments
        context["can_assess"] = (
            user.has_perm("enterprises.admit_poolentry") and entry.state in entry.OPEN_STATES
        )
        context["latest"] = latest
        context["checklist"] = lines
        context.update(workflow_context(entry, user, transition_url="enterprises:poolentry_transition"))
        context["this_year"] = timezone.localdate().year
        context["can_change"] = False
        return context


class PoolTransitionView(WorkflowTransitionView):
    model = PoolEntry


# ------------------------------------------------------------------------------------------ certificates


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


# ------------------------------------------------------------------------------------------ 倍增计划


class DoublingTargetListView(ObjectListView):
    model = DoublingTarget
    table_class = DoublingTargetTable
    filterset_class = DoublingTargetFilterSet
    template_name = "enterprises/doublingtarget_list.html"
    actions = ("add", "export")

    def get_base_queryset(self):
        return DoublingTarget.objects.visible_to(self.request.user).select_related("region")

    def get_table_kwargs(self):
        if not self.request.user.has_perm("enterprises.change_doublingtarget"):
            return {"exclude": ("edit",)}
        return {}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        year = self.request.GET.get("year", "")
        year = int(year) if year.isdigit() else timezone.localdate().year
        context["progress_year"] = year
        context["progress"] = selectors.doubling_progress(user=self.request.user, year=year)
        return context


class DoublingTargetExportView(DoublingTargetListView, ObjectExportView):
    pass


class DoublingTargetCreateView(ObjectCreateView):
    model = DoublingTarget
    form_class = forms.DoublingTargetForm

    def save_form(self, form):
        data = form.cleaned_data
        return services.doubling_target_save(
            region=data["region"], year=data["year"], target=data["target"], actor=self.request.user
        )


class DoublingTargetUpdateView(ObjectUpdateView):
    model = DoublingTarget
    form_class = forms.DoublingTargetForm

    def save_form(self, form):
        data = form.cleaned_data
        return services.doubling_target_save(
            region=data["region"],
            year=data["year"],
            target=data["target"],
            actor=self.request.user,
            instance=self.object,
        )


class DoublingTargetDeleteView(ObjectDeleteView):
    model = DoublingTarget


# ------------------------------------------------------------------------------------------ rewards


class RewardTierListView(ObjectListView):
    model = RewardTier
    table_class = RewardTierTable
    filterset_class = RewardTierFilterSet
    actions = ("add", "export")

    def get_table_kwargs(self):
        if not self.request.user.has_perm("enterprises.change_rewardtier"):
            return {"exclude": ("edit",)}
        return {}


class RewardTierExportView(RewardTierListView, ObjectExportView):
    pass


class RewardTierCreateView(ObjectCreateView):
    model = RewardTier
    form_class = forms.RewardTierForm

    def save_form(self, form):
        data = form.cleaned_data
        return services.reward_tier_save(
            year=data["year"],
            min_rd=data["min_rd"],
            max_rd=data["max_rd"],
            amount=data["amount"],
            actor=self.request.user,
        )


class RewardTierUpdateView(ObjectUpdateView):
    model = RewardTier
    form_class = forms.RewardTierForm

    def save_form(self, form):
        data = form.cleaned_data
        return services.reward_tier_save(
            year=data["year"],
            min_rd=data["min_rd"],
            max_rd=data["max_rd"],
            amount=data["amount"],
            actor=self.request.user,
            instance=self.object,
        )


class RewardTierDeleteView(ObjectDeleteView):
    model = RewardTier


class RewardListView(ObjectListView):
    model = Reward
    table_class = RewardTable
    filterset_class = RewardFilterSet
    template_name = "enterprises/reward_list.html"
    actions = ("export",)

    def get_base_queryset(self):
        return selectors.reward_list(user=self.request.user)

    def get_table_kwargs(self):
        if not self.request.user.has_perm("enterprises.change_reward"):
            return {"exclude": ("selection",)}
        return {}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_manage"] = self.request.user.has_perm("enterprises.change_reward")
        context["compute_form"] = forms.RewardComputeForm(user=self.request.user)
        context["action_form"] = forms.RewardActionForm(user=self.request.user)
        filterset = context["filter"]
        queryset = filterset.qs if filterset.is_valid() else filterset.queryset.none()
        context["total_amount"] = queryset.aggregate(total=Sum("amount"))["total"]
        return context


class RewardExportView(RewardListView, ObjectExportView):
    def get_table_kwargs(self):
        return {"exclude": ("selection",)}


class RewardComputeView(ActionPermissionMixin, View):
    model = Reward
    permission_required = "enterprises.add_reward"
    http_method_names = ["post"]

    def post(self, request):
        form = forms.RewardComputeForm(request.POST, user=request.user)
        if not form.is_valid():
            messages.error(request, "请选择年度。")
            return redirect("enterprises:reward_list")
        year = form.cleaned_data["year"]
        try:
            count = services.rewards_compute(year=year, actor=request.user)
        except ValidationError as error:
            messages.error(request, service_error_text(error))
        else:
            messages.success(request, f"已计算{year}年奖励 {count} 条（已审核、已发放的不变）。")
        return HttpResponseRedirect(reverse("enterprises:reward_list") + f"?year={year}")


class RewardTransitionView(ActionPermissionMixin, View):
    """POST: 审核 (approve) or 发放 (pay) the ticked rewards on the date entered (default today), 发放 with
    its 文号 or voucher number; all or nothing."""

    model = Reward
    permission_required = "enterprises.change_reward"
    http_method_names = ["post"]

    def post(self, request):
        form = forms.RewardActionForm(request.POST, user=request.user)
        ids = [int(value) for value in request.POST.getlist("selection") if value.isdigit()]
        back = reverse("enterprises:reward_list") + "?" + request.POST.get("query", "")
        if "action" in form.errors or not ids:
            messages.error(request, "请勾选奖励并选择操作。")
            return HttpResponseRedirect(back)
        if not form.is_valid():
            messages.error(
                request, "未执行：" + "；".join(e for errors in form.errors.values() for e in errors)
            )
            return HttpResponseRedirect(back)
        action = form.cleaned_data["action"]
        rewards = selectors.reward_list(user=request.user).filter(pk__in=ids)
        reward = None
        try:
            with transaction.atomic():
                for reward in rewards:
                    services.reward_transition(
                        reward=reward,
                        action=action,
                        actor=request.user,
                        on=form.cleaned_data["effective_on"],
                        voucher_no=form.cleaned_data["voucher_no"],
                    )
        except ValidationError as error:
            messages.error(request, f"未执行（全部回退）：{reward.enterprise}：{service_error_text(error)}")
        else:
            messages.success(request, f"已{'审核' if action == 'approve' else '发放'} {len(ids)} 条奖励。")
        return HttpResponseRedirect(back)
