"""科技副总 placements and 科技特派团/员: their checks and saves (the county hears of an approved
placement)."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from kejiju.core.dates import require_record_dates
from kejiju.core.invariants import Unique, declare_invariants, require_unique

from .. import rules
from ..models import (
    Commissioner,
    CommissionerTeam,
    VicePresidentPlacement,
)

PLACEMENT_UNIQUE = Unique(
    key="experts.placement_once",
    model="experts.VicePresidentPlacement",
    fields=("name", "university", "enterprise", "year"),
    label="科技副总派驻：同一人（姓名、派出高校）、同一服务企业、同一选聘年度",
)
declare_invariants(PLACEMENT_UNIQUE)


@transaction.atomic
def vice_president_save(*, placement: VicePresidentPlacement, user=None) -> VicePresidentPlacement:
    """Validate and save a placement (form-built instance): an enterprise and a term for 在任/期满; the
    term's dates keep their order (rules.PLACEMENT_DATES) and a term that ended before today is not 在任."""
    if placement.state != VicePresidentPlacement.State.PROPOSED:
        if placement.enterprise_id is None:
            raise ValidationError({"enterprise": "在任或期满的科技副总必须填写服务企业。"})
        if placement.term_start is None:
            raise ValidationError({"term_start": "在任或期满的科技副总必须填写任期开始日期。"})
    require_record_dates(
        rules.PLACEMENT_DATES, record=placement, reached=rules.PLACEMENT_REACHED, state=placement.state
    )
    problem = rules.placement_term_problem(
        state=placement.state, term_end=placement.term_end, today=timezone.localdate()
    )
    if problem:
        raise ValidationError({"state": problem})
    if placement.enterprise_id and placement.county_id is None:
        placement.county_id = placement.enterprise.region_id
    placement.name = placement.name.strip()
    if placement.enterprise_id:
        require_unique(
            PLACEMENT_UNIQUE,
            existing=VicePresidentPlacement.objects.filter(
                name=placement.name,
                university_id=placement.university_id,
                enterprise_id=placement.enterprise_id,
                year=placement.year,
            ).exclude(pk=placement.pk),
        )
    placement.full_clean()
    State = VicePresidentPlacement.State
    before = None
    if placement.pk:
        before = (
            VicePresidentPlacement.objects.filter(pk=placement.pk).values_list("state", flat=True).first()
        )
    placement.save()
    if before == State.PROPOSED and placement.state == State.SERVING:
        _placement_approved_notice(placement=placement, user=user)
    return placement


def _placement_approved_notice(*, placement: VicePresidentPlacement, user) -> None:
    """拟任 → 在任 is the bureau's approval of the placement: the county hears of it."""
    from kejiju.reporting.services import notify_region

    term = f"，任期自 {placement.term_start:%Y-%m-%d}" if placement.term_start else ""
    notify_region(
        region_id=placement.county_id,
        actor=user,
        title=f"科技副总“{placement}”已批准在任",
        body=f"科技副总“{placement}”派驻“{placement.enterprise}”由“拟任”改为“在任”{term}。",
        url=reverse("experts:vicepresidentplacement_detail", kwargs={"pk": placement.pk}),
    )


@transaction.atomic
def commissioner_team_save(*, team: CommissionerTeam, counties: Iterable, user=None) -> CommissionerTeam:
    counties = list(counties)
    if not counties:
        raise ValidationError({"counties": "请至少选择一个服务县区。"})
    team.full_clean()
    team.save()
    team.counties.set(counties)
    return team


@transaction.atomic
def commissioner_save(*, commissioner: Commissioner, user=None) -> Commissioner:
    if commissioner.is_leader:
        others = Commissioner.objects.filter(team_id=commissioner.team_id, is_leader=True)
        if commissioner.pk:
            others = others.exclude(pk=commissioner.pk)
        if others.exists():
            raise ValidationError({"is_leader": f"“{commissioner.team}”已有团长“{others.first().name}”。"})
    team_counties = set(commissioner.team.counties.values_list("pk", flat=True))
    if team_counties and commissioner.county_id not in team_counties:
        raise ValidationError({"county": f"服务县区不在“{commissioner.team}”的服务范围内。"})
    commissioner.full_clean()
    commissioner.save()
    return commissioner
