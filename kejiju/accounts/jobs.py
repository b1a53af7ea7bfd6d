"""Audit-log exports run as report jobs: the log grows without bound and must not tie up a web worker."""

from __future__ import annotations

from collections.abc import Iterator

from auditlog.models import LogEntry
from django.http import QueryDict
from django.utils import timezone

from kejiju.core.history import with_readable_changes
from kejiju.core.jobs import JobKind, JobOutput
from kejiju.core.models import AuditEvent
from kejiju.core.xlsx import add_sheet, filtered_queryset, new_workbook, table_export_rows, workbook_bytes

from .filters import AuditEventFilterSet, ChangeLogFilterSet
from .tables import AuditEventTable, ChangeLogTable

_CHUNK = 2000


def _readable_rows(table_class, queryset) -> Iterator[list]:
    """The export rows of the change log, read in chunks with each chunk's changes made readable together
    (one query per related model per chunk, not one per row)."""
    chunk: list = []
    for entry in queryset.iterator(chunk_size=_CHUNK):
        chunk.append(entry)
        if len(chunk) == _CHUNK:
            yield from table_export_rows(table_class(with_readable_changes(chunk)))[1]
            chunk = []
    if chunk:
        yield from table_export_rows(table_class(with_readable_changes(chunk)))[1]


def _export(job, *, title, queryset, filterset_class, table_class, readable=False) -> JobOutput:
    data = QueryDict(job.parameters.get("query", ""))
    filterset = filterset_class(data=data, queryset=queryset)
    rows_of = filtered_queryset(filterset)
    table = table_class(rows_of)
    headers, rows = table_export_rows(table)
    if readable:
        rows = _readable_rows(table_class, rows_of)
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
        readable=True,
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
