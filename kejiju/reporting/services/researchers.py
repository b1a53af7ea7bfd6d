"""科研人员倍增计划: the bureau's yearly research-staff target for each county."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from kejiju.accounts.models import User

from ..models import ResearcherTarget


@transaction.atomic
def researcher_target_save(*, target: ResearcherTarget, actor: User) -> ResearcherTarget:
    """The bureau sets each county's yearly research-staff target (counties read their own)."""
    permission = "reporting.change_researchertarget" if target.pk else "reporting.add_researchertarget"
    if not actor.has_perm(permission):
        raise ValidationError("科研人员倍增目标由市局设定。")
    if target.region_id and target.year and target.target is not None:
        from enterprises.rules import doubling_target_problem

        from ..selectors import researcher_base

        base = researcher_base(region_id=target.region_id, year=target.year)
        problem = doubling_target_problem(target=target.target, base=base, field="科研人员目标")
        if problem:
            raise ValidationError({"target": problem})
    target.full_clean()
    target.save()
    return target
