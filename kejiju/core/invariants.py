"""Invariants across records: what no set of records may say at once, declared next to the model's service.

A figure is wrong as soon as two records contradict each other: two 70% 所有权 grants on one achievement, the
same 科技副总 placement twice, an enterprise already 已认定 recommended to the 培育库 again. Each such rule is
declared once, as a `Share` (the shares of records in one group may not add up to more than a limit) or a
`Unique` (no two records may agree on these fields, absolutely — a database constraint — or while in some
state — a service check), and registered with `declare_invariants`. The service that owns the record checks
it (`require_share`, `require_unique`), so forms, imports and demo data all pass through the same check, and
the refusal names the fields and the conflicting record in Chinese.

Ordered dates are declared as `kejiju.core.dates.DateStep`s; they have their own sweep.

`tests/test_invariant_sweep.py` enumerates the declarations: each needs a scenario (in a
`tests/**/invariant_cases*.py` module) that makes the violating combination through the service and expects
the refusal, so a declared rule cannot go untested."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models


@dataclass(frozen=True)
class Share:
    """The values of `field` over the records of `model` that agree on `group` add up to at most `limit`.

    `label` names the share in messages (所有权比例), `group_label` the group (同一成果), `unit` the value's
    unit (%)."""

    key: str
    model: str  # "app_label.ModelName"
    field: str
    group: tuple[str, ...]
    label: str
    group_label: str
    limit: Decimal = Decimal("100")
    unit: str = "%"


@dataclass(frozen=True)
class Unique:
    """No two records of `model` agree on `fields` (`when`: only among records in that condition, a state
    check the service makes; otherwise absolute, and also a database constraint). `label` names what would be
    duplicated (科技副总派驻：同一专家、同一企业、同一任期)."""

    key: str
    model: str
    fields: tuple[str, ...]
    label: str
    when: str = ""  # a sentence for state-dependent rules (已认定且证书在有效期内); empty: absolute


Invariant = Share | Unique

_declared: dict[str, Invariant] = {}


def declare_invariants(*invariants: Invariant) -> None:
    for invariant in invariants:
        existing = _declared.get(invariant.key)
        if existing is not None and existing != invariant:
            raise ValueError(f"invariant {invariant.key} declared twice differently")
        _declared[invariant.key] = invariant


def declared_invariants() -> dict[str, Invariant]:
    return dict(_declared)


def _number(value: Decimal) -> str:
    return f"{Decimal(value).normalize():f}"


def require_share(
    share: Share,
    *,
    value: Decimal | int | None,
    others: models.QuerySet,
    field: str | None = None,
) -> None:
    """Refuse `value` when, with the values of `others` (the group's other records, the record itself
    excluded), the group would exceed the limit. The message names the share, the group and the records
    already holding it."""
    if value is None:
        return
    rows = list(others.values_list("pk", share.field))
    taken = sum((Decimal(v or 0) for _, v in rows), Decimal("0"))
    if taken + Decimal(value) <= share.limit:
        return
    holders = "、".join(str(record) for record in others[:5])
    left = max(share.limit - taken, Decimal("0"))
    raise ValidationError(
        {
            field or share.field: (
                f"{share.label}合计不能超过{_number(share.limit)}{share.unit}：{share.group_label}已有"
                f"{_number(taken)}{share.unit}（{holders}），本次最多{_number(left)}{share.unit}，"
                f"填写的是{_number(Decimal(value))}{share.unit}。"
            )
        }
    )


def require_unique(
    unique: Unique,
    *,
    existing: models.QuerySet,
    field: str | None = None,
) -> None:
    """Refuse when `existing` (records agreeing on the fields, the record itself excluded) is not empty; the
    message names what would be duplicated and the record already there."""
    conflict = existing.first()
    if conflict is None:
        return
    condition = f"（{unique.when}）" if unique.when else ""
    raise ValidationError(
        {field or unique.fields[0]: f"已存在相同的记录：{unique.label}{condition}，见“{conflict}”。"}
    )


def describe(invariant: Invariant) -> str:
    """One line for docs and test ids."""
    if isinstance(invariant, Share):
        return f"{invariant.model}.{invariant.field} Σ over {'+'.join(invariant.group)} ≤ {invariant.limit}"
    scope = f" while {invariant.when}" if invariant.when else ""
    return f"{invariant.model} unique on {'+'.join(invariant.fields)}{scope}"
