"""Scenarios for the 科技副总 duplicate rule (tests/test_invariant_sweep.py): the same person placed in the
same enterprise in the same year is one placement, not two."""

from __future__ import annotations

from datetime import date

from experts import services
from experts.models import Expert, VicePresidentPlacement
from kejiju.core.models import Organization
from tests.test_invariant_sweep import InvariantCase


def _placement(*, university, enterprise, name: str = "王建国") -> VicePresidentPlacement:
    return VicePresidentPlacement(
        name=name,
        title=Expert.Title.SENIOR,
        university=university,
        enterprise=enterprise,
        year=2025,
        term_start=date(2025, 9, 1),
        state=VicePresidentPlacement.State.SERVING,
    )


def _placement_once(world) -> InvariantCase:
    actor = world.users["bureau"]
    university = Organization.objects.create(name="忻州师范学院", kind=Organization.Kind.UNIVERSITY)
    enterprise = Organization.objects.create(name="忻州副总服务企业", region=world.county_a)
    return InvariantCase(
        setup=lambda: services.vice_president_save(
            placement=_placement(university=university, enterprise=enterprise), user=actor
        ),
        violate=lambda: services.vice_president_save(
            placement=_placement(university=university, enterprise=enterprise), user=actor
        ),
        snapshot=lambda: VicePresidentPlacement.objects.count(),
        mentions=("科技副总", "王建国（忻州师范学院）"),
        allowed=lambda: services.vice_president_save(
            placement=_placement(university=university, enterprise=enterprise, name="李文华"), user=actor
        ),
    )


CASES = {"experts.placement_once": _placement_once}
