from __future__ import annotations

from django.db.models import QuerySet

from .jobs import job_kinds
from .models import AuditEvent, ParameterValue, ReportJob


def report_jobs_visible_to(*, user) -> QuerySet[ReportJob]:
    """Jobs of the kinds the user may request; a user scoped to one county sees only the jobs they asked
    for (parameters may hold another county's figures)."""
    kinds = [name for name, kind in job_kinds().items() if user.has_perm(kind.permission)]
    queryset = ReportJob.objects.filter(kind__in=kinds).select_related("requested_by")
    if not user.has_perm("accounts.view_all_regions"):
        queryset = queryset.filter(requested_by=user)
    return queryset


def parameter_rows() -> list[dict]:
    """Every 系统参数 in declaration order with its value in force, its default and who saved it when."""
    from . import parameters

    saved = {row.name: row for row in ParameterValue.objects.select_related("changed_by")}
    rows = []
    for parameter in parameters.PARAMETERS:
        row = saved.get(parameter.name)
        try:
            value = parameters.stored_value(parameter, row.value) if row is not None else None
        except (ValueError, TypeError):
            row, value = None, None  # not in force (kejiju.core.parameters._load)
        default = parameters.default(parameter.name)
        rows.append(
            {
                "parameter": parameter,
                "value": default if row is None else value,
                "value_text": parameter.text(default if row is None else value),
                "default": default,
                "default_text": parameter.text(default),
                "saved": row,
            }
        )
    return rows


def parameter_history(*, limit: int = 100) -> QuerySet[AuditEvent]:
    """The latest changes of the 系统参数 (each an audit event: who, when, which, old → new)."""
    return AuditEvent.objects.filter(event_type=AuditEvent.Type.PARAMETER).order_by("-created_at", "-pk")[
        :limit
    ]
