"""Writes of the 省校合作 projects."""

from __future__ import annotations

from django.db import transaction

from kejiju.core.dates import require_record_dates
from kejiju.core.invariants import Unique, declare_invariants, require_unique

from .. import rules
from ..models import (
    CooperationProject,
)
from .common import _require_save, _save

COOPERATION_UNIQUE = Unique(
    key="projects.cooperation_title",
    model="projects.CooperationProject",
    fields=("task_year", "kind", "title"),
    label="省校合作项目：同一任务年度、同一类型、同一项目名称",
)
declare_invariants(COOPERATION_UNIQUE)


@transaction.atomic
def cooperation_project_save(*, project: CooperationProject, user) -> CooperationProject:
    """Save a 省校合作 project; its step dates keep their order (rules.COOPERATION_DATES)."""
    _require_save(user, project)
    project.title = " ".join(project.title.split())
    require_unique(
        COOPERATION_UNIQUE,
        existing=CooperationProject.objects.filter(
            task_year=project.task_year, kind=project.kind, title=project.title
        ).exclude(pk=project.pk),
        field="title",
    )
    require_record_dates(
        rules.COOPERATION_DATES, record=project, reached=rules.COOPERATION_REACHED, state=project.state
    )
    return _save(project)
