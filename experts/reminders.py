"""网评 reminders: the seated experts who still owe a panel their answer or their scores are told before
the panel's 网评截止时间 — by the hourly beat task once the deadline is the 系统参数
expert_review_reminder_hours away or less, once per member and deadline, and by staff from the panel page
whenever they ask (提醒未提交的专家).

Who is reminded: a regular member who has not refused, has not submitted (scores_submitted_at), whose
expert is 在库 with an active account — awaiting confirmation (not yet answered the invitation) or
confirmed (to sign the 声明 and submit). Reserves on standby, refused members, submitted ones and experts
without an account are not; nor anyone on a panel that is 已完成 or 已撤销, or past its deadline.

Idempotency: `ReviewMember.reminded_at` keeps the last reminder, whoever sent it. The beat task reminds a
member only when that is empty or older than the start of the current window (deadline − the setting),
and sets it in the same conditional statement, so a second run, a duplicate message or a concurrent
worker sends nothing; a staff reminder within the window counts as the window's reminder, one before it
does not; a deadline moved later opens a new window. Each round joins the panel's timeline (record_step
"remind") naming the experts; the notice and the e-mail go through notice_send (e-mail on commit)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from kejiju.core import parameters
from kejiju.core.workflow.services import record_step
from kejiju.reporting.services import notice_send

from . import rules
from .models import Expert, ReviewMember, ReviewPanel, ReviewSheet, ReviewSubject

CHANGE_PANEL = "experts.change_reviewpanel"
OPEN_STATES = (ReviewPanel.State.DRAWING, ReviewPanel.State.CONFIRMED, ReviewPanel.State.SCORING)


def reminder_window() -> dt.timedelta:
    """How long before the deadline the beat task reminds (系统参数 expert_review_reminder_hours)."""
    return dt.timedelta(hours=parameters.value("expert_review_reminder_hours"))


def _owing(members: QuerySet[ReviewMember]) -> QuerySet[ReviewMember]:
    """Seated regular members who still owe their answer or their 网评 and can be reached online."""
    declared = (
        ReviewSheet.objects.filter(member=OuterRef("pk"), declared_at__isnull=False)
        .order_by()
        .values("member")
        .annotate(n=Count("pk"))
        .values("n")
    )
    subjects = (
        ReviewSubject.objects.filter(panel=OuterRef("panel"))
        .order_by()
        .values("panel")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return members.filter(
        role=ReviewMember.Role.REGULAR,
        status__in=(ReviewMember.Status.PENDING, ReviewMember.Status.CONFIRMED),
        scores_submitted_at__isnull=True,
        expert__state=Expert.State.ACTIVE,
        expert__user__is_active=True,
    ).annotate(declared_count=Coalesce(Subquery(declared), 0), subject_count=Coalesce(Subquery(subjects), 0))


def _local(moment: dt.datetime) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}"


def _what_to_do(member: ReviewMember) -> tuple[str, str]:
    """(what the member still has to do, the page to do it on); the member comes from `_owing`."""
    if member.status == ReviewMember.Status.PENDING:
        return "请登录系统答复评审邀请（接受邀请，或说明不能参加的原因）。", reverse("experts:my_seats")
    url = reverse("experts:my_seat_review", kwargs={"pk": member.pk})
    if member.declared_count < member.subject_count:  # annotated by _owing
        return "请登录系统签署回避及保密声明，并在截止前提交评分。", url
    return "请登录系统在截止前提交评分（已保存的评分须点击“提交评分”）。", url


def _names(members) -> str:
    return "、".join(str(member.expert) for member in members)


@transaction.atomic
def send_online_reminders(*, now: dt.datetime | None = None) -> int:
    """Beat: remind, once, every member owing a panel whose 网评截止时间 is within the window. Returns how
    many members were reminded."""
    now = now or timezone.now()
    window = reminder_window()
    due = (
        _owing(ReviewMember.objects.all())
        .filter(
            panel__state__in=OPEN_STATES,
            panel__online_deadline__gt=now,
            panel__online_deadline__lte=now + window,
        )
        .filter(Q(reminded_at__isnull=True) | Q(reminded_at__lt=F("panel__online_deadline") - window))
    )
    members = list(
        due.select_related("panel", "expert__user")
        .select_for_update(of=("self",))
        .order_by("panel_id", "position")
    )
    if not members:
        return 0
    ReviewMember.objects.filter(pk__in=[member.pk for member in members]).update(reminded_at=now)
    by_panel: dict[int, list[ReviewMember]] = {}
    for member in members:
        panel = member.panel
        todo, url = _what_to_do(member)
        notice_send(
            recipients=[member.expert.user],
            title=f"网评即将截止：{panel.title}",
            body=f"该事项的网评截止时间为 {_local(panel.online_deadline)}。{todo}",
            url=url,
            now=now,
        )
        by_panel.setdefault(panel.pk, []).append(member)
    for panel_members in by_panel.values():
        panel = panel_members[0].panel
        record_step(
            record=panel,
            action="remind",
            actor=None,
            label="网评截止提醒",
            comment=f"网评将于 {_local(panel.online_deadline)} 截止，已提醒：{_names(panel_members)}。",
        )
    return len(members)


@dataclass
class Reminded:
    """What a staff reminder did: the members reminded, and those who owe their 网评 but have no account
    (or are not 在库) to be reached otherwise."""

    members: list[ReviewMember]
    unreachable: list[ReviewMember] = field(default_factory=list)


@transaction.atomic
def panel_remind(*, panel: ReviewPanel, user, now: dt.datetime | None = None) -> Reminded:
    """Staff (the panel's permission) remind now every member who has not submitted: a notice and an
    e-mail each, and a step on the panel's timeline. Refused on a panel that is 已完成/已撤销 or past its
    deadline, and when nobody is left to remind."""
    if not user.has_perm(CHANGE_PANEL):
        raise PermissionDenied("无权提醒评审专家。")
    now = now or timezone.now()
    panel = ReviewPanel.objects.select_for_update().get(pk=panel.pk)
    if not rules.step_allowed("remind", panel.state):
        raise ValidationError(
            f"评审组当前状态为“{panel.get_state_display()}”，不能{rules.STEP_LABELS['remind']}。"
        )
    deadline = panel.online_deadline
    if deadline is not None and now > deadline:
        raise ValidationError(f"网评已于 {_local(deadline)} 截止，不能再提醒专家提交。")
    members = list(_owing(panel.members.all()).select_related("expert__user").order_by("position"))
    reached = {member.pk for member in members}
    unreachable = [
        member
        for member in panel.members.select_related("expert").order_by("position")
        if member.is_seated and member.scores_submitted_at is None and member.pk not in reached
    ]
    if not members:
        message = "没有需要提醒的专家：正式专家均已提交网评。"
        if unreachable:
            message = f"没有可在线提醒的专家：{_names(unreachable)}未开通评审账户或不在库，请另行联系。"
        raise ValidationError(message)
    ReviewMember.objects.filter(pk__in=reached).update(reminded_at=now)
    due = f"网评截止时间为 {_local(deadline)}。" if deadline is not None else ""
    for member in members:
        todo, url = _what_to_do(member)
        notice_send(
            recipients=[member.expert.user],
            title=f"评审提醒：{panel.title}",
            body=f"评审组织人员提醒您：{due}{todo}",
            url=url,
            now=now,
        )
    note = f"已提醒：{_names(members)}。"
    if unreachable:
        note += f"未开通评审账户或不在库、须另行联系：{_names(unreachable)}。"
    record_step(record=panel, action="remind", actor=user, comment=note)
    return Reminded(members=members, unreachable=unreachable)
