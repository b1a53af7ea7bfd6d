"""Audit-log exports run as report jobs: the log grows without bound and must not tie up a web worker."""

from __future__ import annotations

from auditlog.models import LogEntry
from django.http import QueryDict
from django.utils import timezone

from kejiju.core.jobs import JobKind, JobOutput
from kejiju.core.models import AuditEvent
from kejiju.core.xlsx import add_sheet, filtered_queryset, new_workbook, table_export_rows, workbook_bytes

from .filters import AuditEventFilterSet, ChangeLogFilterSet
from .tables import AuditEventTable, ChangeLogTable


def _export(job, *, title, queryset, filterset_class, table_class) -> JobOutput:
    data = QueryDict(job.parameters.get("query", ""))
    filterset = filterset_class(data=data, queryset=queryset)
    table = table_class(filtered_queryset(filterset))
    headers, rows = table_export_rows(table)
    workbook = new_workbook(viewer=None)  # marked at download (ReportJobDownloadView)
    count = add_sheet(workbook, title=title, headers=headers, rows=rows)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    return JobOutput(
        filename=f"{title}-{stamp}.xlsx", content=workbook_bytes(workbook), result={"rows": count}
    )


def build_audit_events_export(job) -> JobOutput:
    return _export(
        job,
        title="安全事件日志",
        queryset=AuditEvent.objects.all(),
        filterset_class=AuditEventFilterSet,
        table_class=AuditEventTable,
    )


def build_changelog_export(job) -> JobOutput:
    queryset = LogEntry.objects.select_related("actor", "content_type").order_by("-timestamp", "-pk")
    return _export(
        job,
        title="数据变更日志",
        queryset=queryset,
        filterset_class=ChangeLogFilterSet,
        table_class=ChangeLogTable,
    )


JOB_KINDS = [
    JobKind(
        "audit_events_export",
        "安全事件日志导出",
        build_audit_events_export,
        "core.view_auditevent",
        index=("安全事件日志", "accounts:event_list"),
    ),
    JobKind(
        "changelog_export",
        "数据变更日志导出",
        build_changelog_export,
        "auditlog.view_logentry",
        index=("数据变更日志", "accounts:changelog_list"),
    ),
]
