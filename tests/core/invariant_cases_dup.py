"""Scenarios for the 单位库 duplicate rules (tests/test_invariant_sweep.py): no two units share a name (one
with a code and one without) or a 统一社会信用代码."""

from __future__ import annotations

from kejiju.core.models import Organization
from kejiju.core.services import organization_save
from tests.test_invariant_sweep import InvariantCase


def _snapshot():
    return sorted(Organization.objects.values_list("name", "uscc"))


def _name(world) -> InvariantCase:
    def violate():
        # the second unit typed without a code, with a stray space
        return organization_save(
            organization=Organization(name="忻州职业技术学院 ", kind=Organization.Kind.UNIVERSITY)
        )

    return InvariantCase(
        setup=lambda: organization_save(
            organization=Organization(name="忻州职业技术学院", kind=Organization.Kind.UNIVERSITY)
        ),
        violate=violate,
        snapshot=_snapshot,
        mentions=("单位名称", "忻州职业技术学院"),
        allowed=lambda: organization_save(
            organization=Organization(name="忻州师范学院", kind=Organization.Kind.UNIVERSITY)
        ),
    )


def _uscc(world) -> InvariantCase:
    from tests.enterprises.factories import make_uscc

    code, other = make_uscc(901), make_uscc(902)
    return InvariantCase(
        setup=lambda: organization_save(organization=Organization(name="忻州甲公司", uscc=code)),
        violate=lambda: organization_save(organization=Organization(name="忻州乙公司", uscc=code.lower())),
        snapshot=_snapshot,
        mentions=("统一社会信用代码", "忻州甲公司"),
        allowed=lambda: organization_save(organization=Organization(name="忻州乙公司", uscc=other)),
    )


CASES = {"core.organization_name": _name, "core.organization_uscc": _uscc}
