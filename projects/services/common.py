"""Helpers every write of the projects app shares: permission checks, full_clean-and-save, the row lock
and a recorded step on a project's timeline."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from kejiju.core.workflow.services import record_step

from ..models import (
    Project,
)


def _require(user, perm: str) -> None:
    if not user.has_perm(perm):
        raise PermissionDenied("只有局业务人员可以执行此操作。")


def _require_save(user, instance) -> None:
    """Adding a record asks add_<model>, editing it change_<model>."""
    meta = instance._meta
    _require(user, f"{meta.app_label}.{'change' if instance.pk else 'add'}_{meta.model_name}")


def _step(
    *, project: Project, action: str, label: str, user, comment: str = "", effective_on=None, data=None
):
    """A step on the project's timeline that keeps its state (projects.workflow.PROJECT_STEPS)."""
    return record_step(
        record=project,
        action=action,
        actor=user,
        label=label,
        comment=comment,
        effective_on=effective_on,
        data=data,
    )


def _lock(project: Project) -> Project:
    return Project.objects.select_for_update().get(pk=project.pk)


def _save(instance):
    instance.full_clean()
    instance.save()
    return instance
