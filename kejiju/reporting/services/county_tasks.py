"""A county's yearly task list: proposing, changing, confirming (the bureau) and deleting tasks."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from kejiju.accounts.models import Region, User
from kejiju.core.scoping import user_may_see_region
from kejiju.core.workflow.services import apply_transition, record_created

from ..models import CountyTask

# Changing or deleting a task the bureau has confirmed (a county office may change its proposals only).
APPROVED_TASKS_PERM = "reporting.change_approved_countytask"


def _in_scope(actor: User, region: Region | None) -> None:
    """A task belongs to a county in the actor's scope (a county office: its own)."""
    if region is not None and not user_may_see_region(actor, region.pk):
        raise ValidationError({"region": f"不能为其他县区（{region}）填报或修改任务。"})


@transaction.atomic
def task_create(
    *,
    actor: User,
    region: Region,
    year: int,
    category: str,
    title: str,
    target_quantity: int,
    deadline: dt.date,
    partner: str = "",
    unit: str = "项",
) -> CountyTask:
    _in_scope(actor, region)
    task = CountyTask(
        region=region,
        year=year,
        category=category,
        title=title,
        partner=partner,
        target_quantity=target_quantity,
        unit=unit,
        deadline=deadline,
    )
    if actor.has_perm("reporting.approve_countytask"):
        task.status, task.approved_by, task.approved_at = CountyTask.Status.APPROVED, actor, timezone.now()
    task.full_clean()
    task.save()
    record_created(record=task, actor=actor)
    return task


@transaction.atomic
def task_update(*, actor: User, task: CountyTask, **fields) -> CountyTask:
    allowed = {"region", "year", "category", "title", "partner", "target_quantity", "unit", "deadline"}
    unknown = set(fields) - allowed
    if unknown:
        raise ValidationError(f"不能修改这些字段：{'、'.join(sorted(unknown))}")
    task = CountyTask.objects.select_for_update().get(pk=task.pk)
    _in_scope(actor, task.region)
    if task.status == CountyTask.Status.APPROVED and not actor.has_perm(
        "reporting.change_approved_countytask"
    ):
        raise ValidationError({"status": "任务已经市局确认，县区不能再修改；如需调整请联系市局。"})
    if "region" in fields:
        _in_scope(actor, fields["region"])
    if task.progress.exists() and ("year" in fields and fields["year"] != task.year):
        raise ValidationError({"year": "任务已有月度进展，不能修改年度。"})
    for name, value in fields.items():
        setattr(task, name, value)
    task.full_clean()
    task.save()
    return task


def task_approve(*, actor: User, task: CountyTask) -> CountyTask:
    apply_transition(record=task, action="approve", actor=actor)
    return task


@transaction.atomic
def task_delete(*, actor: User, task: CountyTask) -> None:
    if task.progress.exists():
        raise ValidationError("该任务已有月度进展记录，不能删除。")
    _in_scope(actor, task.region)
    if task.status == CountyTask.Status.APPROVED and not actor.has_perm(
        "reporting.change_approved_countytask"
    ):
        raise ValidationError({"status": "任务已经市局确认，县区不能删除。"})
    task.delete()
