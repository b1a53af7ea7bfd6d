"""Home-page to-do items of the projects app."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from kejiju.core.registry import TodoItem
from kejiju.core.scoping import unit_id_of_user

from . import rules, selectors
from .models import ChangeRequest, Project


def project_todos(user) -> list[TodoItem]:
    if not user.has_perm("projects.view_project"):
        return []
    items: list[TodoItem] = []
    list_url = reverse("projects:project_list")
    if user.has_perm("projects.manage_project"):
        waiting = Project.objects.visible_to(user).filter(state=rules.State.SUBMITTED).count()
        if waiting:
            items.append(TodoItem("待受理的项目申报", f"{list_url}?state={rules.State.SUBMITTED}", waiting))
    if user.has_perm("projects.decide_changerequest"):
        pending = ChangeRequest.objects.visible_to(user).filter(decision=ChangeRequest.Decision.PENDING)
        changes = pending.count()
        if changes:
            items.append(TodoItem("待审批的项目变更", f"{list_url}?pending_change=true", changes, "warning"))
    if user.has_perm("projects.manage_project"):
        applied = Project.objects.visible_to(user).filter(state=rules.State.EVALUATION).count()
        if applied:
            items.append(TodoItem("待绩效评估的项目", f"{list_url}?state={rules.State.EVALUATION}", applied))
    today = timezone.localdate()
    if unit_id_of_user(user) is not None:
        # The overdue page is the offices'; a unit is told what its own projects still owe.
        owing = selectors.unit_owing_counts(user=user, today=today)
        for key, label in (
            ("annual_reports", "本单位待报送年度报告的项目"),
            ("midterm", "本单位待报送中期材料的项目"),
            ("acceptance", "本单位待申请验收的项目"),
        ):
            if owing[key]:
                items.append(TodoItem(label, list_url, owing[key], "warning"))
        return items
    counts = selectors.overdue_counts(user=user, today=today)
    overdue_url = reverse("projects:overdue")
    if counts["acceptance"]:
        items.append(TodoItem("超期未验收的项目", overdue_url, counts["acceptance"], "danger"))
    if counts["annual_reports"]:
        items.append(TodoItem("未按期报送年度报告的项目", overdue_url, counts["annual_reports"], "warning"))
    if counts["midterm"]:
        items.append(TodoItem("未报送中期材料的项目", overdue_url, counts["midterm"], "warning"))
    return items
