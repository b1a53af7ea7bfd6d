from __future__ import annotations

from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.generic import FormView, View

from kejiju.core import uploads
from kejiju.core.scoping import scoped_queryset
from kejiju.core.views import (
    ActionPermissionMixin,
    ObjectCreateView,
    ObjectDeleteView,
    ObjectDetailView,
    ObjectExportView,
    ObjectListView,
    ObjectUpdateView,
)
from kejiju.core.views.generic import BreadcrumbMixin, PersonalDataMixin, ServiceFormMixin
from kejiju.core.views.imports import ImportConfirmView, ImportUploadView
from kejiju.core.xlsx import XLSX_CONTENT_TYPE

from . import importer, rules, selectors, services
from .filters import IntegrityRecordFilterSet
from .forms import DuplicateCheckSettingForm, DuplicateDecisionForm, IntegrityImportForm, IntegrityRecordForm
from .models import SCOPES, IntegrityRecord
from .tables import IntegrityRecordTable

IMPORT_SESSION_KEY = "integrity_import"


class IntegrityRecordListView(PersonalDataMixin, ObjectListView):
    model = IntegrityRecord
    table_class = IntegrityRecordTable
    filterset_class = IntegrityRecordFilterSet
    actions = ("add", "import", "export")

    def get_base_queryset(self):
        return selectors.record_list(user=self.request.user)


class IntegrityRecordExportView(IntegrityRecordListView, ObjectExportView):
    """What the list shows, ID numbers masked."""

    export_filename = "科研诚信失信记录"


class IntegrityRecordDetailView(PersonalDataMixin, ObjectDetailView):
    model = IntegrityRecord
    template_name = "integrity/integrityrecord_detail.html"

    def get_queryset(self):
        return selectors.record_list(user=self.request.user)

    def get_detail_rows(self):
        record = self.object
        rows = [("失信主体类型", record.get_kind_display()), ("失信主体名称", record.name)]
        if record.kind == IntegrityRecord.Kind.UNIT:
            rows.append(("统一社会信用代码", record.uscc))
            rows.append(("单位库中的单位", record.organization or "未登记"))
        else:
            rows.append(("身份证号", record.id_number_masked))
            rows.append(("工作单位", record.employer or None))
        rows += [
            ("文号/来源", record.source),
            ("失信行为", record.misconduct or None),
            ("惩戒开始日期", record.starts_on),
            ("惩戒结束日期", record.ends_on or "长期"),
            ("惩戒范围", record.scope_labels),
            ("当前处于惩戒期", rules.is_active(record, on=timezone.localdate())),
        ]
        return rows

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        record = self.object
        context["can_view_pii"] = (
            record.kind == IntegrityRecord.Kind.PERSON
            and bool(record.id_number_cipher)
            and self.request.user.has_perm("integrity.view_integrity_pii")
        )
        return context


def _record_kwargs(data) -> dict:
    kwargs = {name: data[name] for name in services.PLAIN_FIELDS}
    kwargs.update(kind=data["kind"], uscc=data["uscc"], scan=data.get("scan_upload"))
    return kwargs


@method_decorator(sensitive_post_parameters("id_number"), name="dispatch")
class IntegrityRecordCreateView(ObjectCreateView):
    model = IntegrityRecord
    form_class = IntegrityRecordForm

    @method_decorator(sensitive_variables("form", "data"))
    def save_form(self, form):
        data = form.cleaned_data
        return services.record_create(
            user=self.request.user, id_number=data["id_number"], **_record_kwargs(data)
        )


@method_decorator(sensitive_post_parameters("id_number"), name="dispatch")
class IntegrityRecordUpdateView(PersonalDataMixin, ObjectUpdateView):
    model = IntegrityRecord
    form_class = IntegrityRecordForm

    @method_decorator(sensitive_variables("form", "data"))
    def save_form(self, form):
        data = form.cleaned_data
        return services.record_update(
            user=self.request.user,
            record=self.object,
            id_number=data["id_number"] or None,
            **_record_kwargs(data),
        )


class IntegrityRecordDeleteView(ObjectDeleteView):
    model = IntegrityRecord

    def delete_object(self) -> None:
        services.record_delete(user=self.request.user, record=self.object)


@method_decorator(never_cache, name="dispatch")
class IntegrityRecordPIIView(PersonalDataMixin, ActionPermissionMixin, View):
    """The full 身份证号 of a person's record, for holders of integrity.view_integrity_pii; each view is an
    UNMASK audit event; never cached."""

    model = IntegrityRecord
    permission_required = "integrity.view_integrity_pii"

    @method_decorator(sensitive_variables("number"))
    def get(self, request, pk):
        record = get_object_or_404(scoped_queryset(IntegrityRecord, request.user), pk=pk)
        try:
            number = services.reveal_id_number(user=request.user, record=record, request=request)
        except ValidationError:
            raise Http404("该记录没有身份证号。") from None
        response = render(
            request,
            "integrity/integrityrecord_pii.html",
            {"object": record, "id_number": number, "view": self},
        )
        response["Cache-Control"] = "no-store"
        return response


class IntegrityRecordScanView(ActionPermissionMixin, View):
    model = IntegrityRecord

    def get(self, request, pk):
        record = get_object_or_404(scoped_queryset(IntegrityRecord, request.user), pk=pk)
        if not record.scan:
            raise Http404("没有扫描件。")
        return uploads.download_response(
            record.scan, filename=record.scan_name or "扫描件", as_attachment=False
        )


# ------------------------------------------------------------------------------------------- import


class ImportPermissionMixin(ActionPermissionMixin):
    model = IntegrityRecord
    action = "add"


class IntegrityImportTemplateView(ImportPermissionMixin, View):
    def get(self, request):
        return FileResponse(
            iter([importer.template_workbook()]),
            as_attachment=True,
            filename="科研诚信失信记录导入模板.xlsx",
            content_type=XLSX_CONTENT_TYPE,
        )


class IntegrityImportView(ImportPermissionMixin, BreadcrumbMixin, ImportUploadView):
    template_name = "integrity/import.html"
    form_class = IntegrityImportForm
    importer = importer
    session_key = IMPORT_SESSION_KEY

    def get_breadcrumbs(self):
        return [("科研诚信失信记录", reverse("integrity:integrityrecord_list")), ("导入", None)]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            title="导入失信名单", columns=importer.COLUMNS, required=importer.REQUIRED, scopes=SCOPES
        )
        return context

    def preview(self, parsed):
        return {"preview": parsed.rows[:50]}, {}


class IntegrityImportConfirmView(ImportPermissionMixin, ImportConfirmView):
    importer = importer
    session_key = IMPORT_SESSION_KEY
    upload_url_name = "integrity:integrityrecord_import"
    done_url_name = "integrity:integrityrecord_list"

    def summary(self, written) -> str:
        return f"失信记录 {written} 条"


# ---------------------------------------------------------------------------------------------- 查重


class DuplicateSettingView(PermissionRequiredMixin, ServiceFormMixin, FormView):
    """The bureau's 查重 threshold and window (one setting for the city)."""

    permission_required = "integrity.change_duplicatechecksetting"
    raise_exception = True
    template_name = "integrity/duplicate_setting.html"
    form_class = DuplicateCheckSettingForm
    success_message = "查重设置已保存，适用于此后提交的申报。"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": selectors.duplicate_setting()}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        setting = selectors.duplicate_setting()
        context.update(
            title="查重设置",
            setting=setting,
            breadcrumbs=[("查重设置", None)],
            cancel_url=reverse("integrity:duplicate_setting"),
        )
        return context

    def perform(self, form):
        services.duplicate_setting_save(user=self.request.user, **form.cleaned_data)
        return redirect("integrity:duplicate_setting")


class DuplicateDecideView(PermissionRequiredMixin, ServiceFormMixin, FormView):
    """The bureau's 查重 conclusion at 受理, on the project an online application became (非重复, or 重复:
    the project is refused in the same step)."""

    permission_required = ("integrity.decide_duplicate", "projects.manage_project")
    raise_exception = True
    template_name = "integrity/duplicate_decide.html"
    form_class = DuplicateDecisionForm

    def dispatch(self, request, *args, **kwargs):
        if not self.has_permission():
            return self.handle_no_permission()
        from projects.models import Project

        self.project = get_object_or_404(Project.objects.visible_to(request.user), pk=kwargs["pk"])
        self.duplicates = selectors.project_duplicates(project=self.project, user=request.user)
        if self.duplicates is None:
            raise Http404("该项目不是网上申报转入的项目。")
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self):
        decision = self.duplicates["decision"]
        return {"decision": decision.decision, "note": decision.note} if decision else {}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        url = self.project.get_absolute_url()
        context.update(
            title=f"查重结论：{self.project}",
            object=self.project,
            duplicates=self.duplicates,
            cancel_url=url,
            breadcrumbs=[
                ("科技计划项目", reverse("projects:project_list")),
                (str(self.project), url),
                ("查重结论", None),
            ],
        )
        return context

    def perform(self, form):
        record = services.duplicate_decide(
            user=self.request.user,
            project=self.project,
            decision=form.cleaned_data["decision"],
            note=form.cleaned_data["note"],
        )
        self.success_message = (
            "已认定为重复，项目不予受理。"
            if record.decision == record.Decision.DUPLICATE
            else "已认定为非重复，可以受理。"
        )
        return redirect(self.project.get_absolute_url())
