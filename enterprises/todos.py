"""Home-page to-do items of the enterprises app."""

from __future__ import annotations

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from kejiju.core.registry import TodoItem


def enterprise_todos(user) -> list[TodoItem]:
    from .models import PoolEntry, SmesEvaluation
    from .selectors import certificates_expiring

    items: list[TodoItem] = []
    today = timezone.localdate()
    states = SmesEvaluation.State
    wanted = {}
    if user.has_perm("enterprises.review_smesevaluation"):
        wanted["submitted"] = Count("pk", filter=Q(state=states.SUBMITTED))
    if user.has_perm("enterprises.admit_smesevaluation"):
        wanted["reviewed"] = Count("pk", filter=Q(state=states.REVIEWED))
        wanted["due"] = Count("pk", filter=Q(state=states.PUBLICITY, publicity_end__lt=today))
    # Only the rows of these states: the state index serves the scan, not the whole table.
    pending = SmesEvaluation.objects.visible_to(user).filter(
        state__in=[states.SUBMITTED, states.REVIEWED, states.PUBLICITY]
    )
    counts = pending.aggregate(**wanted) if wanted else {}
    url = reverse("enterprises:smesevaluation_list")
    if counts.get("submitted"):
        items.append(TodoItem("科小评价待形式审查", f"{url}?state=submitted", counts["submitted"]))
    if counts.get("reviewed"):
        items.append(TodoItem("科小评价待公示", f"{url}?state=reviewed", counts["reviewed"]))
    if counts.get("due"):
        items.append(TodoItem("科小评价公示期满待入库", f"{url}?state=publicity", counts["due"], "warning"))
    if user.has_perm("enterprises.recommend_poolentry"):
        count = PoolEntry.objects.visible_to(user).filter(state=PoolEntry.State.REQUESTED).count()
        if count:
            url = reverse("enterprises:poolentry_list") + "?state=requested"
            items.append(TodoItem("企业申请入库待推荐", url, count))
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
