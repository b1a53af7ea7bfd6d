"""A project's moves along its life cycle (projects.workflow) through the one workflow engine."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from kejiju.core.workflow.services import apply_transition

from .. import rules
from ..models import (
    Project,
)
from ..selectors import project_review_result


def review_score(project: Project) -> Decimal | None:
    return project_review_result(project=project).score


def project_transition(
    *,
    project: Project,
    action: str,
    user,
    comment: str = "",
    granted: Decimal | None = None,
    effective_on: dt.date | None = None,
) -> Project:
    """Move the project along its life cycle (projects.workflow) through the one engine; a refusal
    (core TransitionRefused) changes nothing. `effective_on`: the day the step took effect, when it is
    entered after the fact (default today)."""
    data = {"granted": granted} if action == rules.Action.APPROVE else {}
    apply_transition(
        record=project,
        action=action,
        actor=user,
        comment=comment.strip(),
        data=data,
        effective_on=effective_on,
    )
    return project
