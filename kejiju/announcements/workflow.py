"""通知公告: drafted by bureau staff, published (shown from its publish time), withdrawn with a reason."""

from __future__ import annotations

from django.utils import timezone

from kejiju.core.workflow import Transition, Workflow, register_workflow, sources

from .models import PUBLISH_PERM
from .models import AnnouncementState as S

ANNOUNCEMENT_FLOW = "announcements.announcement"


def _publish_rule(announcement, data):
    from .rules import publish_problem

    return publish_problem(
        body=announcement.body,
        audience=announcement.audience,
        region_count=announcement.regions.count(),
        publish_at=announcement.publish_at,
        expires_at=announcement.expires_at,
        now=timezone.now(),
    )


def _publish(announcement, ctx):
    if announcement.publish_at is None:
        announcement.publish_at = timezone.now()
    return {"publish_at": timezone.localtime(announcement.publish_at).strftime("%Y-%m-%d %H:%M")}


def _withdraw(announcement, ctx):
    announcement.withdraw_reason = ctx.comment
    return None


ANNOUNCEMENT_WORKFLOW = register_workflow(
    Workflow(
        key=ANNOUNCEMENT_FLOW,
        model="announcements.Announcement",
        states=S,
        title="通知公告",
        created=("create", "起草"),
        initial=S.DRAFT,
        data_labels={"publish_at": "发布时间"},
        transitions=(
            Transition(
                "publish",
                "发布",
                sources(S.DRAFT),
                S.PUBLISHED,
                PUBLISH_PERM,
                rule=_publish_rule,
                effect=_publish,
                note="发布后按发布范围显示给相应用户（发布时间在将来的，届时才显示），不能再修改。",
            ),
            Transition(
                "withdraw",
                "撤回",
                sources(S.PUBLISHED),
                S.WITHDRAWN,
                PUBLISH_PERM,
                comment_required=True,
                effect=_withdraw,
                danger=True,
                note="撤回后任何用户都不再看到该公告及其附件，撤回原因留在办理记录中。",
            ),
        ),
    )
)
