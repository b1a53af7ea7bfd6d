"""Home-page to-do items of the platforms app."""

from __future__ import annotations

from django.urls import reverse

from kejiju.core.registry import TodoItem

from .models import RecognitionBatch
from .rules import BatchState
from .selectors import revocation_proposal_count


def platform_todos(user) -> list[TodoItem]:
    items: list[TodoItem] = []
    if user.has_perm("platforms.advance_recognitionbatch"):
        for batch in RecognitionBatch.objects.exclude(state__in=[BatchState.OPEN, BatchState.DONE]).order_by(
            "-year", "pk"
        ):
            items.append(
                TodoItem(
                    title=f"认定批次“{batch}”处于{batch.get_state_display()}阶段",
                    url=batch.get_absolute_url(),
                )
            )
    if user.has_perm("platforms.add_platformapplication") and not user.has_perm("accounts.view_all_regions"):
        open_batches = RecognitionBatch.objects.filter(state=BatchState.OPEN).order_by("deadline", "pk")
        for batch in open_batches:
            items.append(TodoItem(title=f"认定批次“{batch}”正在受理申报", url=batch.get_absolute_url()))
    if user.has_perm("platforms.transition_platform"):
        count = revocation_proposal_count(user=user)
        if count:
            items.append(
                TodoItem(
                    title="绩效评价连续不合格、拟撤销的平台",
                    url=reverse("platforms:platformevaluation_list") + "?revocation_proposed=true",
                    count=count,
                    level="danger",
                )
            )
    return items
