"""The 科研诚信 checks the other apps' steps call: a workflow rule (`integrity_rule`) or, for a step that is
a service of its own (a disbursement), `unit_bar` directly. A unit is found by its 统一社会信用代码. And the
查重 rule of 受理 (`duplicates_decided_rule`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from .models import SCOPES
from .selectors import active_for_unit, undecided_duplicates_problem


def unit_bar(organization, scope: str, *, on: dt.date | None = None) -> str | None:
    """Why the unit may not take part in `scope` on `on` (an active 失信 record names it), or None."""
    uscc = getattr(organization, "uscc", "") if organization is not None else ""
    if not uscc:
        return None
    record = active_for_unit(uscc, scope, on).order_by("-starts_on", "-pk").first()
    if record is None:
        return None
    until = f"至 {record.ends_on:%Y-%m-%d}" if record.ends_on else "长期"
    return (
        f"{organization.name}在科研诚信失信惩戒期内（{record.source}，{record.starts_on:%Y-%m-%d} 起{until}，"
        f"限制{SCOPES[scope][1]}），不能办理。失信记录：{record.get_absolute_url()}"
    )


def integrity_rule(scope: str, *, unit_of: Callable[[Any], Any]) -> Callable[[Any, Any], str | None]:
    """A transition rule refusing the step while the record's unit is under 惩戒 of `scope`. The rule
    carries its scope (`integrity_scope`) so that the sweep finds every step that checks it."""

    def rule(record, data) -> str | None:
        return unit_bar(unit_of(record), scope)

    rule.integrity_scope = scope
    return rule


def duplicates_decided_rule(record, data) -> str | None:
    """A transition rule refusing 受理 of a project whose online application has likely duplicates (found
    at 提交) on which the bureau has drawn no 查重 conclusion yet (selectors.undecided_duplicates_problem)."""
    return undecided_duplicates_problem(record)
