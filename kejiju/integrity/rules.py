"""When a 失信 record binds: one rule, as a function on a record and as the same condition for queries
(tests/integrity/test_rules.py checks that both agree).

A record binds on a day within its 惩戒 period (start and end inclusive; no end: open-ended) unless its
信用修复 took effect on or before that day, or an 异议 revoked it (撤销认定) on or before that day.
"""

from __future__ import annotations

from datetime import date

from django.db.models import Q

from .models import SCOPES, IntegrityRecord

REVOKED = IntegrityRecord.Outcome.REVOKED


def is_active(record: IntegrityRecord, *, on: date) -> bool:
    if record.starts_on > on:
        return False
    if record.ends_on is not None and record.ends_on < on:
        return False
    if record.repaired_on is not None and record.repaired_on <= on:
        return False
    return not (record.objection_outcome == REVOKED and record.objection_on and record.objection_on <= on)


def active_condition(*, on: date) -> Q:
    """`is_active` as a query condition on IntegrityRecord."""
    return (
        Q(starts_on__lte=on)
        & (Q(ends_on__isnull=True) | Q(ends_on__gte=on))
        & (Q(repaired_on__isnull=True) | Q(repaired_on__gt=on))
        & ~Q(objection_outcome=REVOKED, objection_on__lte=on)
    )


def bars(record: IntegrityRecord, scope: str) -> bool:
    """Whether the record bars its subject from the activity `scope` (a key of SCOPES)."""
    return bool(getattr(record, scope_field(scope)))


def scope_field(scope: str) -> str:
    try:
        return SCOPES[scope][0]
    except KeyError:
        raise ValueError(f"unknown integrity scope {scope!r}; one of {sorted(SCOPES)}") from None
