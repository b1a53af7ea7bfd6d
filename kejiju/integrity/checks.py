"""The 科研诚信 checks the other apps' steps call: a workflow rule (`integrity_rule`) or, for a step that is
a service of its own (a disbursement), `unit_bar` directly. A unit is found by its 统一社会信用代码."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from .models import SCOPES, IntegrityRecord
from .selectors import active_for_digest, active_for_unit


def unit_bar(organization, scope: str, *, on: dt.date | None = None) -> str | None:
    """Why the unit may not take part in `scope` on `on` (an active 失信 record names it), or None."""
    uscc = getattr(organization, "uscc", "") if organization is not None else ""
    if not uscc:
        return None
    record = active_for_unit(uscc, scope, on).order_by("-starts_on", "-pk").first()
    return refusal(organization.name, record, scope) if record is not None else None


def person_bar(name: str, digest: str, scope: str, *, on: dt.date | None = None) -> str | None:
    """Why the person whose 身份证号 has this keyed digest (an expert, a team member) may not take part in
    `scope` on `on`, or None."""
    record = active_for_digest(digest, scope, on).order_by("-starts_on", "-pk").first()
    return refusal(name, record, scope) if record is not None else None


def period_text(record: IntegrityRecord) -> str:
    """The 惩戒 period as the refusals write it: "2025-01-01 起至 2027-12-31" or "2025-01-01 起长期"."""
    until = f"至 {record.ends_on:%Y-%m-%d}" if record.ends_on else "长期"
    return f"{record.starts_on:%Y-%m-%d} 起{until}"


def refusal(name: str, record: IntegrityRecord, scope: str) -> str:
    """The one refusal text: the subject, the record's 文号 and period, the scope, the record's address."""
    return (
        f"{name}在科研诚信失信惩戒期内（{record.source}，{period_text(record)}，"
        f"限制{SCOPES[scope][1]}），不能办理。失信记录：{record.get_absolute_url()}"
    )


def integrity_rule(scope: str, *, unit_of: Callable[[Any], Any]) -> Callable[[Any, Any], str | None]:
    """A transition rule refusing the step while the record's unit is under 惩戒 of `scope`. The rule
    carries its scope (`integrity_scope`) so that the sweep finds every step that checks it."""

    def rule(record, data) -> str | None:
        return unit_bar(unit_of(record), scope)

    rule.integrity_scope = scope
    rule.unit_of = unit_of  # the sweep puts the record's own unit under 惩戒
    return rule
