"""Writes of the reference records: plan categories, calls and the 包干制 pilot units."""

from __future__ import annotations

from django.db import transaction

from kejiju.core.models import Organization

from ..models import (
    Call,
    LumpSumPilot,
    Programme,
)
from .common import _require_save, _save


@transaction.atomic
def programme_save(*, programme: Programme, user) -> Programme:
    _require_save(user, programme)
    programme.code = programme.code.strip().upper()
    return _save(programme)


@transaction.atomic
def call_save(*, call: Call, user) -> Call:
    _require_save(user, call)
    _save(call)
    call.projects.exclude(year=call.year).update(year=call.year)
    return call


@transaction.atomic
def lump_sum_pilot_save(*, pilot: LumpSumPilot, user) -> LumpSumPilot:
    _require_save(user, pilot)
    return _save(pilot)


def is_lump_sum_unit(organization: Organization, *, year: int) -> bool:
    """Whether projects of `year`'s calls of this unit run under 包干制 (an active pilot since then)."""
    return LumpSumPilot.objects.filter(
        organization=organization, is_active=True, since_year__lte=year
    ).exists()
