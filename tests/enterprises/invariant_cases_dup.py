"""Scenarios for the 高企培育库 duplicate rule (tests/test_invariant_sweep.py): an enterprise already 已认定
with a certificate valid today is not recommended to the 培育库 again."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from enterprises import services
from enterprises.models import PoolEntry
from tests.test_invariant_sweep import InvariantCase

from .factories import EnterpriseFactory


def _pool_not_certified(world) -> InvariantCase:
    actor = world.users["bureau"]
    certified = EnterpriseFactory(region=world.county_a, name="忻州认定高企有限公司")
    other = EnterpriseFactory(region=world.county_a, name="忻州培育企业有限公司")
    issued = timezone.localdate() - timedelta(days=30)  # valid for three years from its issue
    number = f"GR{issued.year}14000123"
    return InvariantCase(
        setup=lambda: services.certificate_create(
            enterprise=certified, number=number, issued_on=issued, actor=actor
        ),
        violate=lambda: services.pool_recommend(enterprise=certified, actor=actor),
        snapshot=lambda: sorted(PoolEntry.objects.values_list("enterprise_id", "state")),
        mentions=("高企培育库", "有效期", number),
        allowed=lambda: services.pool_recommend(enterprise=other, actor=actor),
    )


CASES = {"enterprises.pool_not_certified": _pool_not_certified}
