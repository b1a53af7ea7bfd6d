"""Home-page to-do items of the experts app."""

from __future__ import annotations

from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from kejiju.core.registry import TodoItem

from .models import ReviewPanel, VicePresidentPlacement


def expert_todos(user) -> list[TodoItem]:
    items = []
    if user.has_perm("experts.change_vicepresidentplacement"):
        today = timezone.localdate()
        overdue = VicePresidentPlacement.objects.filter(
            state=VicePresidentPlacement.State.SERVING, term_end__lt=today
        ).count()
        if overdue:
            items.append(
                TodoItem(
                    title="科技副总任期已满，待更新状态",
                    url=reverse("experts:vicepresidentplacement_list") + "?state=在任",
                    count=overdue,
                    level="warning",
                )
            )
    if not user.has_perm("experts.change_reviewpanel"):
        return items
    url = reverse("experts:reviewpanel_list")
    labels = {
        ReviewPanel.State.DRAWING: ("评审组待确认专家", "warning"),
        ReviewPanel.State.CONFIRMED: ("评审组待录入评分", "primary"),
        ReviewPanel.State.SCORING: ("评审组评分中，待完成", "primary"),
    }
    counts = dict(
        ReviewPanel.objects.filter(state__in=list(labels))
        .order_by()
        .values_list("state")
        .annotate(n=Count("pk"))
    )
    for state, (title, level) in labels.items():
        if counts.get(state):
            items.append(TodoItem(title=title, url=f"{url}?state={state}", count=counts[state], level=level))
    return items
