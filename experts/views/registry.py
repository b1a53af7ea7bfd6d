"""The expert library pages (with the protected personal data), the field list, 科技副总 and 科技特派团/员."""

from __future__ import annotations

import io

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.generic import DetailView, FormView, View

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
from kejiju.core.views.generic import BreadcrumbMixin, PersonalDataMixin
from kejiju.core.workflow.selectors import events_for
from kejiju.core.xlsx import (
    XLSX_CONTENT_TYPE,
    filtered_queryset,
    table_export_rows,
    xlsx_response,
)

from .. import importing, rules, selectors, services
from ..filters import (
    CommissionerFilterSet,
    CompositionRuleFilterSet,
    ExpertFieldFilterSet,
    ExpertFilterSet,
    PlacementFilterSet,
    TeamFilterSet,
)
from ..forms import (
    CommissionerForm,
    CompositionRuleForm,
    ExpertFieldForm,
    ExpertForm,
    ExpertImportForm,
    ExpertLookupForm,
    ExpertStateForm,
    PlacementForm,
    TeamForm,
)
from ..models import (
    Commissioner,
    CommissionerTeam,
    CompositionRule,
    Expert,
    ExpertField,
    VicePresidentPlacement,
)
from ..tables import (
    CommissionerTable,
    CompositionRuleTable,
    ExpertFieldTable,
    ExpertPIIExportTable,
    ExpertTable,
    PlacementTable,
    TeamTable,
)

PII_POST_FIELDS = ("id_number", "mobile", "number")
CLEAR_MOBILE = "清除"


# ============================================================================================== experts


class ExpertListView(PersonalDataMixin, ObjectListView):
    model = Expert
    table_class = ExpertTable
    filterset_class = ExpertFilterSet
    template_name = "experts/expert_list.html"
    actions = ("add", "import", "export")

    def get_base_queryset(self):
        return selectors.expert_list(user=self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.request.user.has_perm("experts.view_expert_pii"):
            query = self.request.GET.copy()
            query.pop("page", None)
            url = reverse("experts:expert_export_pii")
            context["pii_export_url"] = f"{url}?{query.urlencode()}" if query else url
        context["lookup_form"] = ExpertLookupForm()
        return context


class ExpertExportView(ExpertListView, ObjectExportView):
    """The default export: what the list shows, personal data masked."""

    export_filename = "专家库"


@method_decorator(never_cache, name="dispatch")
class ExpertPIIExportView(ExpertListView):
    """The unmasked export: its own permission and an UNMASK audit event naming the filter and the count."""

    permission_required = "experts.view_expert_pii"

    @method_decorator(sensitive_variables("rows", "table"))
    def get(self, request, *args, **kwargs):
        filterset = self.get_filterset(self.get_filterset_class())
        queryset = filtered_queryset(filterset)
        table = ExpertPIIExportTable(queryset, request=request)
        headers, rows = table_export_rows(table)
        rows = list(rows)
        audit_event_record(
            event_type=AuditEvent.Type.UNMASK,
            request=request,
            object_repr=f"专家库（含完整身份证号、手机号）{len(rows)} 人",
            detail=f"导出未脱敏专家名单；筛选条件：{request.GET.urlencode()[:900] or '无'}",
        )
        return xlsx_response(
            filename="专家库（含敏感信息）.xlsx",
            title="专家库",
            headers=headers,
            rows=rows,
            viewer=request.user,
        )


class ExpertDetailView(PersonalDataMixin, ObjectDetailView):
    model = Expert
    template_name = "experts/expert_detail.html"
    detail_fields = (
        "name",
        "gender",
        "id_number_masked",
        "mobile_masked",
        "title",
        "position",
        "employer",
        "specialty",
        "category",
        "county",
        "state",
        "admitted_on",
        "admission_reason",
        "exited_on",
        "exit_reason",
        "notes",
    )

    def get_queryset(self):
        return Expert.objects.select_related("employer", "county", "user")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        expert = self.object
        context["events"] = events_for(expert)  # 入库, 暂停, 出库, 重新入库 … with their dates
        seats = list(selectors.expert_review_history(expert=expert))
        history = []
        for seat in seats:
            try:
                criteria = rules.parse_criteria(seat.panel.criteria)
            except ValueError:
                criteria = []
            sheets = {sheet.subject_id: sheet for sheet in seat.sheets.all()}
            for subject in seat.panel.subjects.all():
                sheet = sheets.get(subject.pk)
                scores = {s.criterion: s.score for s in sheet.scores.all()} if sheet else {}
                total = rules.member_total(criteria, scores) if criteria else None
                history.append((seat, subject, sheet, total, seat.panel.max_total))
        totals = [total for *_, total, _ in history if total is not None]
        context.update(
            fields=expert.fields.all(),
            avoided_units=expert.avoided_units.all(),
            review_history=history,
            review_count=sum(seat.status == seat.Status.CONFIRMED for seat in seats),
            refusal_count=sum(seat.status == seat.Status.REFUSED for seat in seats),
            scored_count=len(totals),
            performance_counts=[
                (label, sum(seat.performance == value for seat in seats))
                for value, label in seats[0].Performance.choices
            ]
            if seats
            else [],
            placements=expert.placements.select_related("enterprise", "university"),
            commissions=expert.commissions.select_related("team", "county"),
            can_view_pii=self.request.user.has_perm("experts.view_expert_pii"),
            can_open_account=expert.is_available
            and self.request.user.has_perm("experts.open_expert_account"),
            state_form=ExpertStateForm(initial={"on": timezone.localdate()}),
            # The 科研诚信 records binding the expert today, for staff who may read them.
            integrity_records=selectors.expert_integrity_records(expert=expert)
            if self.request.user.has_perm("integrity.view_integrityrecord")
            else [],
        )
        return context


@method_decorator(never_cache, name="dispatch")
class ExpertPIIView(PersonalDataMixin, ActionPermissionMixin, BreadcrumbMixin, DetailView):
    """The full 身份证号 and mobile of one expert, for staff holding experts.view_expert_pii; each view is an
    UNMASK audit event. The page is never cached."""

    model = Expert
    permission_required = "experts.view_expert_pii"
    template_name = "experts/expert_pii.html"

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        audit_event_record(
            event_type=AuditEvent.Type.UNMASK,
            request=request,
            object_repr=f"专家 {self.object.name}（#{self.object.pk}）",
            detail="查看完整身份证号、手机号",
        )
        return response

    @method_decorator(sensitive_variables("context"))
    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["id_number"] = self.object.reveal_id_number()
        context["mobile"] = self.object.reveal_mobile()
        return context


def _expert_kwargs(data) -> dict:
    return {
        "name": data["name"],
        "gender": data["gender"],
        "employer": data["employer"],
        "title": data["title"],
        "fields": data["fields"],
        "admitted_on": data["admitted_on"],
        "county": data["county"],
        "position": data["position"],
        "specialty": data["specialty"],
        "category": data["category"],
        "admission_reason": data["admission_reason"],
        "avoided_units": data["avoided_units"],
        "notes": data["notes"],
    }


@method_decorator(sensitive_post_parameters(*PII_POST_FIELDS), name="dispatch")
class ExpertCreateView(ObjectCreateView):
    model = Expert
    form_class = ExpertForm

    @method_decorator(sensitive_variables("form", "data"))
    def save_form(self, form):
        data = form.cleaned_data
        return services.expert_create(
            id_number=data["id_number"], mobile=data["mobile"], user=self.request.user, **_expert_kwargs(data)
        )


@method_decorator(sensitive_post_parameters(*PII_POST_FIELDS), name="dispatch")
class ExpertUpdateView(PersonalDataMixin, ObjectUpdateView):
    model = Expert
    form_class = ExpertForm

    @method_decorator(sensitive_variables("form", "data", "mobile"))
    def save_form(self, form):
        data = form.cleaned_data
        mobile = data["mobile"].strip()
        return services.expert_update(
            expert=Expert.objects.get(pk=self.object.pk),
            id_number=data["id_number"],
            mobile="" if mobile == CLEAR_MOBILE else (mobile or None),
            user=self.request.user,
            **_expert_kwargs(data),
        )


class ExpertStateView(ActionPermissionMixin, FormView):
    model = Expert
    action = "change"
    form_class = ExpertStateForm
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        self.expert = get_object_or_404(Expert, pk=kwargs["pk"])
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            services.expert_set_state(
                expert=self.expert,
                state=data["state"],
                on=data["on"],
                reason=data["reason"],
                user=self.request.user,
            )
        except ValidationError as error:
            messages.error(self.request, "；".join(error.messages))
        else:
            messages.success(self.request, f"“{self.expert}”已改为“{data['state']}”。")
        return redirect(self.expert)

    def form_invalid(self, form):
        messages.error(self.request, "；".join(e for errors in form.errors.values() for e in errors))
        return redirect(self.expert)


class ExpertDeleteView(ObjectDeleteView):
    model = Expert


@method_decorator(sensitive_post_parameters(*PII_POST_FIELDS), name="dispatch")
@method_decorator(never_cache, name="dispatch")
class ExpertLookupView(ActionPermissionMixin, BreadcrumbMixin, FormView):
    """Exact search by 身份证号 or mobile number (POST: the number never enters a URL or an access log)."""

    model = Expert
    form_class = ExpertLookupForm
    template_name = "experts/expert_lookup.html"

    def get_breadcrumbs(self):
        return [("专家", reverse("experts:expert_list")), ("按证件号或手机号查找", None)]

    @method_decorator(sensitive_variables("form", "number", "digits"))
    def form_valid(self, form):
        number = form.cleaned_data["number"].strip()
        digits = number.replace(" ", "").replace("-", "")
        kind = "mobile" if len(digits) == 11 and digits.isdigit() else "id_number"
        found = list(selectors.expert_by_pii(**{kind: digits})[:1])
        if not found:
            form.add_error("number", "专家库中没有与该号码完全一致的专家。")
            return self.form_invalid(form)
        return redirect(found[0])


class ExpertImportView(ActionPermissionMixin, BreadcrumbMixin, FormView):
    """Upload the yearly list; all rows are checked first and nothing is saved while any row is wrong."""

    model = Expert
    action = "add"
    form_class = ExpertImportForm
    template_name = "experts/expert_import.html"

    def get_breadcrumbs(self):
        return [("专家", reverse("experts:expert_list")), ("导入专家", None)]

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["user"] = self.request.user
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["columns"] = importing.COLUMNS
        context["required"] = importing.REQUIRED
        return context

    def form_valid(self, form):
        try:
            rows = importing.read_rows(form.cleaned_data["file"])
        except importing.ImportFileError as error:
            form.add_error("file", str(error))
            return self.form_invalid(form)
        result = importing.import_experts(rows=rows, user=self.request.user)
        if result.errors:
            return self.render_to_response(self.get_context_data(form=form, errors=result.errors))
        messages.success(self.request, f"已导入 {len(result.created)} 位专家。")
        return redirect("experts:expert_list")


class ExpertImportTemplateView(ActionPermissionMixin, View):
    model = Expert
    action = "add"

    def get(self, request):
        return FileResponse(
            io.BytesIO(importing.template_workbook()),
            as_attachment=True,
            filename="专家导入模板.xlsx",
            content_type=XLSX_CONTENT_TYPE,
        )


# ============================================================================================ fields


class ExpertFieldListView(ObjectListView):
    model = ExpertField
    table_class = ExpertFieldTable
    filterset_class = ExpertFieldFilterSet
    actions = ("add",)

    def get_base_queryset(self):
        return ExpertField.objects.annotate(
            expert_count=Count("experts", filter=Q(experts__state=Expert.State.ACTIVE), distinct=True)
        )


class ExpertFieldDetailView(ObjectDetailView):
    model = ExpertField
    detail_fields = ("name", "sort_order", "is_active")


class ExpertFieldCreateView(ObjectCreateView):
    model = ExpertField
    form_class = ExpertFieldForm


class ExpertFieldUpdateView(ObjectUpdateView):
    model = ExpertField
    form_class = ExpertFieldForm


class ExpertFieldDeleteView(ObjectDeleteView):
    model = ExpertField

    def form_valid(self, form):
        try:
            services.expert_field_delete(field=self.object, user=self.request.user)
        except ValidationError as error:
            messages.error(self.request, "；".join(error.messages))
            return redirect(self.object)
        messages.success(self.request, f"已删除“{self.object}”。")
        return redirect("experts:expertfield_list")


# ============================================================================ 评审组组成规则


class CompositionRuleListView(ObjectListView):
    model = CompositionRule
    table_class = CompositionRuleTable
    filterset_class = CompositionRuleFilterSet
    actions = ("add",)


class CompositionRuleDetailView(ObjectDetailView):
    model = CompositionRule
    detail_fields = (
        "kind",
        "min_size",
        "min_technical_share",
        "min_financial",
        "min_management",
        "yearly_cap",
        "notes",
        "updated_at",
    )


class CompositionRuleFormMixin:
    model = CompositionRule
    form_class = CompositionRuleForm

    def save_form(self, form):
        return services.composition_rule_save(rule=form.instance, user=self.request.user)


class CompositionRuleCreateView(CompositionRuleFormMixin, ObjectCreateView):
    pass


class CompositionRuleUpdateView(CompositionRuleFormMixin, ObjectUpdateView):
    pass


class CompositionRuleDeleteView(ObjectDeleteView):
    model = CompositionRule


# ========================================================================================== 科技副总


class PlacementListView(ObjectListView):
    model = VicePresidentPlacement
    table_class = PlacementTable
    filterset_class = PlacementFilterSet
    template_name = "experts/placement_list.html"

    def get_base_queryset(self):
        return selectors.placement_list(user=self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        queryset = filtered_queryset(context["filter"])
        context["summary"] = queryset.aggregate(
            people=Count("pk"),
            universities=Count("university", distinct=True),
            enterprises=Count("enterprise", distinct=True),
        )
        return context


class PlacementExportView(PlacementListView, ObjectExportView):
    pass


class PlacementDetailView(ObjectDetailView):
    model = VicePresidentPlacement
    detail_fields = (
        "name",
        "gender",
        "title",
        "university",
        "expert",
        "specialty",
        "year",
        "enterprise",
        "county",
        "term_start",
        "term_end",
        "state",
        "notes",
    )

    def get_base_queryset(self):
        return super().get_base_queryset().select_related("university", "enterprise", "county", "expert")


class PlacementFormMixin:
    model = VicePresidentPlacement
    form_class = PlacementForm

    def save_form(self, form):
        return services.vice_president_save(placement=form.save(commit=False), user=self.request.user)


class PlacementCreateView(PlacementFormMixin, ObjectCreateView):
    pass


class PlacementUpdateView(PlacementFormMixin, ObjectUpdateView):
    pass


class PlacementDeleteView(ObjectDeleteView):
    model = VicePresidentPlacement


# ==================================================================================== 科技特派团 / 员


class TeamListView(ObjectListView):
    model = CommissionerTeam
    table_class = TeamTable
    filterset_class = TeamFilterSet
    template_name = "experts/team_list.html"

    def get_base_queryset(self):
        return selectors.team_list(user=self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        teams = filtered_queryset(context["filter"])
        context["summary"] = {
            "teams": teams.count(),
            "members": Commissioner.objects.filter(team__in=teams.values("pk")).count(),
        }
        return context


class TeamExportView(TeamListView, ObjectExportView):
    pass


class TeamDetailView(ObjectDetailView):
    model = CommissionerTeam
    template_name = "experts/team_detail.html"
    detail_fields = ("name", "year", "lead_unit", "industries", "notes")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["counties"] = self.object.counties.all()
        context["members"] = self.object.members.select_related("employer", "county", "expert")
        return context


class TeamFormMixin:
    model = CommissionerTeam
    form_class = TeamForm

    def save_form(self, form):
        return services.commissioner_team_save(
            team=form.save(commit=False), counties=form.cleaned_data["counties"], user=self.request.user
        )


class TeamCreateView(TeamFormMixin, ObjectCreateView):
    pass


class TeamUpdateView(TeamFormMixin, ObjectUpdateView):
    pass


class TeamDeleteView(ObjectDeleteView):
    model = CommissionerTeam


class CommissionerListView(ObjectListView):
    model = Commissioner
    table_class = CommissionerTable
    filterset_class = CommissionerFilterSet

    def get_base_queryset(self):
        return selectors.commissioner_list(user=self.request.user)


class CommissionerExportView(CommissionerListView, ObjectExportView):
    pass


class CommissionerDetailView(ObjectDetailView):
    model = Commissioner
    detail_fields = ("name", "team", "is_leader", "title", "employer", "expert", "county", "industry")

    def get_base_queryset(self):
        return super().get_base_queryset().select_related("team", "employer", "county", "expert")


class CommissionerFormMixin:
    model = Commissioner
    form_class = CommissionerForm

    def save_form(self, form):
        return services.commissioner_save(commissioner=form.save(commit=False), user=self.request.user)


class CommissionerCreateView(CommissionerFormMixin, ObjectCreateView):
    pass


class CommissionerUpdateView(CommissionerFormMixin, ObjectUpdateView):
    pass


class CommissionerDeleteView(ObjectDeleteView):
    model = Commissioner
