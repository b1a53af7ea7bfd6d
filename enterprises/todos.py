"""Home-page to-do items of the enterprises app."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from kejiju.core.registry import TodoItem


def enterprise_todos(user) -> list[TodoItem]:
    from .models import PoolEntry, SmesEvaluation
    from .selectors import certificates_expiring

    items: list[TodoItem] = []
    if user.has_perm("enterprises.review_smesevaluation"):
        count = SmesEvaluation.objects.visible_to(user).filter(state=SmesEvaluation.State.SUBMITTED).count()
        if count:
            url = reverse("enterprises:smesevaluation_list") + "?state=submitted"
            items.append(TodoItem("科小评价待形式审查", url, count))
    if user.has_perm("enterprises.admit_smesevaluation"):
        today = timezone.localdate()
        evaluations = SmesEvaluation.objects.visible_to(user)
        reviewed = evaluations.filter(state=SmesEvaluation.State.REVIEWED).count()
        if reviewed:
            url = reverse("enterprises:smesevaluation_list") + "?state=reviewed"
            items.append(TodoItem("科小评价待公示", url, reviewed))
        due = evaluations.filter(state=SmesEvaluation.State.PUBLICITY, publicity_end__lt=today).count()
        if due:
            url = reverse("enterprises:smesevaluation_list") + "?state=publicity"
            items.append(TodoItem("科小评价公示期满待入库", url, due, "warning"))
    if user.has_perm("enterprises.admit_poolentry"):
        count = PoolEntry.objects.visible_to(user).filter(state=PoolEntry.State.RECOMMENDED).count()
        if count:
            url = reverse("enterprises:poolentry_list") + "?state=recommended"
            items.append(TodoItem("高企培育库推荐待审核", url, count))
    if user.has_perm("enterprises.view_gaoqicertificate"):
        count = certificates_expiring(user=user).count()
        if count:
            items.append(
                TodoItem("高企证书6个月内到期", reverse("enterprises:certificate_expiring"), count, "warning")
            )
    return items
