"""The enterprise import pages: the template download, the upload with its preview and the confirm step."""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.generic import View

from kejiju.core.models import AuditEvent
from kejiju.core.services import audit_event_record, report_job_request
from kejiju.core.views import ActionPermissionMixin
from kejiju.core.views.generic import BreadcrumbMixin
from kejiju.core.views.imports import ImportConfirmView, ImportUploadView
from kejiju.core.xlsx import XLSX_CONTENT_TYPE

from .. import forms, importer
from ..jobs import IMPORT_JOB
from ..models import Enterprise

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
