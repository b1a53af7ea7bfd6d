"""Freeze semantics of 网评: a submitted score is final for the expert; staff (the panel's permission)
may reopen one member's submission with a reason while the panel is 评分中 and before its deadline — the
declared edge "reopen_scores" of experts.workflow (its rule and effect there), the reason on the panel's
timeline — and the expert is told (a notice and an e-mail on commit) to change and submit again. Once the
panel is 已完成 its result is frozen and nothing is reopened."""

from __future__ import annotations

from django.db import transaction
from django.urls import reverse

from kejiju.core.workflow.services import apply_transition
from kejiju.reporting.services import notice_send, sentence

from .models import ReviewMember


@transaction.atomic
def online_scores_reopen(*, member: ReviewMember, reason: str, user) -> ReviewMember:
    """Undo ``member``'s 网评 submission (their saved scores stay) with ``reason``; the expert is notified.
    Refused (TransitionRefused, a ValidationError naming the field) without the permission, the reason, a
    submission, or once the panel is not 评分中 or its deadline has passed."""
    reason = (reason or "").strip()
    apply_transition(
        record=member.panel, action="reopen_scores", actor=user, comment=reason, data={"member": member.pk}
    )
    member = ReviewMember.objects.select_related("panel", "expert__user").get(pk=member.pk)
    account = member.expert.user
    if account is not None and account.is_active:
        notice_send(
            recipients=[account],
            title=f"网评评分已退回：{member.panel.title}",
            body=f"评审组织人员退回了您提交的评分，原因：{sentence(reason)}请在网评截止前修改并重新提交。",
            url=reverse("experts:my_seat_review", kwargs={"pk": member.pk}),
        )
    return member
