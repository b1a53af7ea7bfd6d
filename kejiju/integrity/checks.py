"""The 科研诚信 checks the other apps' steps call: a workflow rule (`integrity_rule`) or, for a step that is
a service of its own (a disbursement, an expert's confirmation), `unit_bar` / `person_bar` directly. A unit
is found by its 统一社会信用代码, a person by the keyed digest of their 身份证号 (never decrypted). And
the 查重 rule of 受理 (`duplicates_decided_rule`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any

from .models import SCOPES, IntegrityRecord
from .selectors import active_for_digests, active_for_unit, undecided_duplicates_problem

# A person as the steps know them: (name, keyed digest of the 身份证号; "" when none was recorded).
Person = tuple[str, str]


def unit_bar(organization, scope: str, *, on: dt.date | None = None) -> str | None:
    """Why the unit may not take part in `scope` on `on` (an active 失信 record names it), or None."""
    uscc = getattr(organization, "uscc", "") if organization is not None else ""
    if not uscc:
        return None
    record = active_for_unit(uscc, scope, on).order_by("-starts_on", "-pk").first()
    return refusal(organization.name, record, scope) if record is not None else None


def person_bar(persons: Iterable[Person], scope: str, *, on: dt.date | None = None) -> str | None:
    """Why one of `persons` (a leader and their team, an expert) may not take part in `scope` on `on`, or
    None; one query whatever the number of persons."""
    names = {digest: name for name, digest in persons if digest}
    record = active_for_digests(names, scope, on).order_by("-starts_on", "-pk").first() if names else None
    return refusal(names[record.id_number_digest], record, scope) if record is not None else None


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


def integrity_rule(
    scope: str,
    *,
    unit_of: Callable[[Any], Any],
    persons_of: Callable[[Any], Iterable[Person]] | None = None,
) -> Callable[[Any, Any], str | None]:
    """A transition rule refusing the step while the record's unit, or one of its persons, is under 惩戒 of
    `scope`. The rule carries its scope, `unit_of` and `persons_of` so that the sweep finds every step that
    checks them and puts the record's own unit and persons under 惩戒."""

    def rule(record, data) -> str | None:
        return unit_bar(unit_of(record), scope) or (
            person_bar(persons_of(record), scope) if persons_of is not None else None
        )

    rule.integrity_scope = scope
    rule.unit_of = unit_of
    rule.integrity_persons = persons_of
    return rule


def duplicates_decided_rule(record, data) -> str | None:
    """A transition rule refusing 受理 of a project whose online application has likely duplicates (found
    at 提交) on which the bureau has drawn no 查重 conclusion yet (selectors.undecided_duplicates_problem)."""
    return undecided_duplicates_problem(record)
