from __future__ import annotations

from django.db.models import QuerySet

from .jobs import job_kinds
from .models import ReportJob


def report_jobs_visible_to(*, user) -> QuerySet[ReportJob]:
    """Jobs of the kinds the user may request; a user scoped to one county sees only the jobs they asked
    for (parameters may hold another county's figures)."""
    kinds = [name for name, kind in job_kinds().items() if user.has_perm(kind.permission)]
    queryset = ReportJob.objects.filter(kind__in=kinds).select_related("requested_by")
    if not user.has_perm("accounts.view_all_regions"):
        queryset = queryset.filter(requested_by=user)
    return queryset
