"""The expert review panel (评审组) as a declared workflow (kejiju.core.workflow): 抽取中 → 已确认 → 评分中 →
已完成, or 已撤销 on the way.

The draw creates the panel (`record_created`, "抽取专家"). The panel moves on by itself as its members act
(Transition(form=False), taken by experts.services): it is 已确认 once every regular seat is taken by a
member who confirmed ("seat"), drops back to 抽取中 when a seated member of a confirmed panel refuses
("refuse", the same step as a refusal while drawing), and is 评分中 from the first score entry ("score",
the same step as any later entry). 完成评审 (freezes the result) and 撤销评审组 (needs the reason) are taken
on the one transition form. The member-level steps that keep the state (确认专家, 登记拒绝, 备选递补,
备选不足, 指定组长, 补充抽取, 录入评分) are recorded with `record_step`; the states in which each may be
taken are experts.rules.STEP_STATES. 退回网评评分 (staff reopen one expert's submitted 网评 with the reason,
experts.reopen) keeps the panel 评分中 and is an edge of its own, so that the sweeps walk it.

Panels take effect the day they are recorded: no step takes a date. Every step asks
experts.change_reviewpanel (bureau staff)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms
from django.utils import timezone

from kejiju.core.dates import DateStep
from kejiju.core.workflow import Transition, TransitionContext, Workflow, register_workflow, sources
from kejiju.core.workflow.forms import TransitionFields

from . import rules
from .models import Expert, ReviewMember, ReviewPanel

PANEL_FLOW = "experts.reviewpanel"
CHANGE_PANEL = "experts.change_reviewpanel"

# Steps recorded on the panel's timeline (record_step); "refuse" and "score" are also the transitions a
# refusal or the first score entry takes when it moves the panel on.
PANEL_STEPS = {
    "confirm": "确认专家",
    "refuse": "登记拒绝",
    "promote": "备选递补",
    "reserves_exhausted": "备选不足",
    "leader": "指定组长",
    "supplement": "补充抽取",
    "score": "录入评分",
    "declare": "签署回避及保密声明",
    "recuse": "申明回避",
    "submit_scores": "专家提交评分",
    "material": "专家下载评审材料",
    "remind": "提醒专家",
}


def _seating(panel: ReviewPanel) -> tuple[int, int]:
    seated = [m for m in panel.members.all() if m.is_seated]
    return sum(m.status == ReviewMember.Status.CONFIRMED for m in seated), len(seated)


def seating_complete(panel: ReviewPanel) -> bool:
    confirmed, seated = _seating(panel)
    return rules.seating_complete(seated_confirmed=confirmed, seated=seated, size=panel.size)


def _all_seats_confirmed(panel: ReviewPanel, data: Mapping[str, Any]) -> str | None:
    confirmed, seated = _seating(panel)
    if not rules.seating_complete(seated_confirmed=confirmed, seated=seated, size=panel.size):
        return f"正式专家 {panel.size} 人中已确认 {confirmed} 人，尚未全部确认参加。"
    return None


def _seat_vacant(panel: ReviewPanel, data: Mapping[str, Any]) -> str | None:
    if seating_complete(panel):
        return "正式专家均已确认参加，评审组无需重新抽取。"
    return None


def _has_scores(panel: ReviewPanel, data: Mapping[str, Any]) -> str | None:
    from .models import ReviewScore

    if not ReviewScore.objects.filter(sheet__member__panel=panel).exists():
        return "尚未录入任何专家的评分。"
    return None


def _scores_complete(panel: ReviewPanel, data: Mapping[str, Any]) -> str | None:
    from .selectors import subject_results

    problems = [item.problem for item in subject_results(panel) if item.problem]
    return "".join(problems) or None


def _close(panel: ReviewPanel, context: TransitionContext) -> dict[str, Any]:
    """Compute each subject's result from the complete scores and freeze it; the subjects are free for
    another panel."""
    from .selectors import subject_results

    results = subject_results(panel, from_scores=True)
    for item in results:
        item.subject.result = item.result
        item.subject.is_open = False
        item.subject.save(update_fields=["result", "is_open"])
    panel.closed_at = timezone.now()
    panel.full_clean(validate_constraints=False)
    method = "去掉最高分和最低分后取平均" if panel.drop_extremes else "取平均"
    if len(results) == 1:
        return {"result": str(results[0].result), "scorers": len(results[0].scorers), "method": method}
    return {
        "result": "；".join(f"{item.subject}：{item.result}" for item in results),
        "method": method,
    }


def _cancel(panel: ReviewPanel, context: TransitionContext) -> dict[str, Any]:
    panel.subjects.update(is_open=False)
    return {}


class CloseFields(TransitionFields):
    """Shows the result about to be frozen (computed again when the panel is closed)."""

    preview = forms.CharField(
        label="评审得分（按当前评分）",
        required=False,
        disabled=True,
        help_text="完成后评分将被冻结，不能再修改。",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The provisional result is staff's: a seated expert reaching this page (their permission is one
        # of the flow's) must not read it, from which their own score would give the others'.
        if self.record is not None and self.user is not None and self.user.has_perm(CHANGE_PANEL):
            from .selectors import subject_results

            results = subject_results(self.record)
            if any(item.result is None for item in results):
                preview = "当前评分尚不完整，无法计算评审得分"
            elif len(results) == 1:
                preview = str(results[0].result)
            else:
                preview = "；".join(f"{item.subject}：{item.result}" for item in results)
            self.fields["preview"].initial = preview

    def clean(self):
        cleaned = super().clean()
        cleaned.pop("preview", None)  # shown only; the result is computed when the panel is closed
        return cleaned


S = ReviewPanel.State
REVIEW_ONLINE = "experts.review_as_expert"


def reopened_member(panel: ReviewPanel, data: Mapping[str, Any]) -> ReviewMember | None:
    """The member named by the step's data ("member": a ReviewMember or its id) on this panel, or None."""
    value = data.get("member")
    pk = value.pk if isinstance(value, ReviewMember) else value
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    return panel.members.select_related("expert").filter(pk=pk).first()


def _submitted_seat(panel: ReviewPanel, data: Mapping[str, Any]) -> str | None:
    member = reopened_member(panel, data)
    if member is None:
        return "请选择本评审组中已提交网评的专家。"
    if member.scores_submitted_at is None:
        return f"专家{member.expert}尚未提交网评评分，无需退回。"
    deadline = panel.online_deadline
    if deadline is not None and timezone.now() > deadline:
        return (
            f"网评已于 {timezone.localtime(deadline):%Y-%m-%d %H:%M} 截止：退回后专家不能重新提交，"
            "如需更正请由经办人录入评分。"
        )
    return None


def _reopen_scores(panel: ReviewPanel, context: TransitionContext) -> dict[str, Any]:
    """The member's submission is undone (their saved scores stay, to be changed and submitted again)."""
    member = reopened_member(panel, context.data)
    member.scores_submitted_at = None
    member.save(update_fields=["scores_submitted_at", "updated_at"])
    return {"member": str(member.expert)}


def _on_the_panel(panel: ReviewPanel, actor) -> str | None:
    if not panel.members.filter(expert__user=actor, role=ReviewMember.Role.REGULAR).exists():
        return "只有本评审组的正式专家可以办理。"
    return None


PANEL_WORKFLOW = register_workflow(
    Workflow(
        key=PANEL_FLOW,
        model="experts.ReviewPanel",
        states=S,
        title="专家评审组",
        created=("draw", "抽取专家"),
        initial=S.DRAWING,
        steps=PANEL_STEPS,
        data_labels={
            "result": "评审得分",
            "scorers": "评分专家人数",
            "method": "计分方法",
            "seed": "随机种子",
            "pool": "候选池人数",
            "skipped": "跳过人数",
            "regular": "正式专家",
            "reserves": "备选专家",
            "drawn": "抽取人数",
            "expert": "专家",
            "replaces": "递补",
            "total": "合计",
            "member": "退回评分的专家",
        },
        transitions=(
            Transition(
                "seat",
                "专家已确认",
                sources(S.DRAWING),
                S.CONFIRMED,
                CHANGE_PANEL,
                rule=_all_seats_confirmed,
                form=False,
            ),
            Transition(
                "refuse",
                "登记拒绝",
                sources(S.CONFIRMED),
                S.DRAWING,
                CHANGE_PANEL,
                rule=_seat_vacant,
                form=False,
            ),
            Transition(
                "score",
                "录入评分",
                sources(S.CONFIRMED),
                S.SCORING,
                CHANGE_PANEL,
                rule=_has_scores,
                form=False,
            ),
            # The same edges taken by a seated expert online (网评, experts.seats): their own answer or
            # scores move the panel, under their own permission, never a staff one.
            Transition(
                "seat_online",
                "专家已确认",
                sources(S.DRAWING),
                S.CONFIRMED,
                REVIEW_ONLINE,
                rule=_all_seats_confirmed,
                actor_rule=_on_the_panel,
                form=False,
            ),
            Transition(
                "refuse_online",
                "专家申明不能参加",
                sources(S.CONFIRMED),
                S.DRAWING,
                REVIEW_ONLINE,
                rule=_seat_vacant,
                actor_rule=_on_the_panel,
                form=False,
            ),
            Transition(
                "score_online",
                "专家在线评分",
                sources(S.CONFIRMED),
                S.SCORING,
                REVIEW_ONLINE,
                rule=_has_scores,
                actor_rule=_on_the_panel,
                form=False,
            ),
            # Staff reopen one expert's submitted 网评 with the reason (experts.reopen): the panel stays
            # 评分中, the expert changes and submits again before the deadline.
            Transition(
                "reopen_scores",
                "退回网评评分",
                sources(S.SCORING),
                S.SCORING,
                CHANGE_PANEL,
                comment_required=True,
                rule=_submitted_seat,
                effect=_reopen_scores,
                form=False,
            ),
            Transition(
                "close",
                "完成评审",
                sources(S.SCORING),
                S.CLOSED,
                CHANGE_PANEL,
                rule=_scores_complete,
                effect=_close,
                fields=CloseFields,
            ),
            Transition(
                "cancel",
                "撤销评审组",
                sources(S.DRAWING, S.CONFIRMED, S.SCORING),
                S.CANCELLED,
                CHANGE_PANEL,
                comment_required=True,
                effect=_cancel,
                danger=True,
            ),
        ),
    )
)


# ============================================================================================== experts

EXPERT_FLOW = "experts.expert"
CHANGE_EXPERT = "experts.change_expert"

# The library's dated steps (issue 18): 入库 creates the record (effective on the admission date); 暂停,
# 恢复, 出库 and 重新入库 are transitions that take their date. The annual figures read these events, never
# Expert.admitted_on (kept as the latest admission, a cache for the list) or exited_on.
EXPERT_ACTIONS = {
    "suspend": "暂停",
    "resume": "恢复在库",
    "exit": "出库",
    "readmit": "重新入库",
}


def _expert_date(label: str) -> DateStep:
    return DateStep(label, earlier=("admitted_on", "previous_step"), field="effective_on")


def _leave(expert, ctx: TransitionContext) -> dict[str, Any]:
    """暂停 or 出库: the date and the reason (the comment) are kept on the record too."""
    expert.exited_on = ctx.effective_on
    expert.exit_reason = ctx.comment.strip()[:200]
    return {}


def _resume(expert, ctx: TransitionContext) -> dict[str, Any]:
    expert.exited_on = None
    expert.exit_reason = ""
    return {}


def _readmit(expert, ctx: TransitionContext) -> dict[str, Any]:
    """A new tenure: admitted_on (set by sets_date) becomes its date; the comment is its 入库依据."""
    expert.exited_on = None
    expert.exit_reason = ""
    if ctx.comment.strip():
        expert.admission_reason = ctx.comment.strip()[:200]
    return {}


E = Expert.State

EXPERT_WORKFLOW = register_workflow(
    Workflow(
        key=EXPERT_FLOW,
        model="experts.Expert",
        states=E,
        title="专家入库",
        created=("admit", "入库"),
        initial=E.ACTIVE,
        transitions=(
            Transition(
                "suspend",
                EXPERT_ACTIONS["suspend"],
                sources(E.ACTIVE),
                E.SUSPENDED,
                CHANGE_EXPERT,
                comment_required=True,
                date=_expert_date("暂停日期"),
                effect=_leave,
                form=False,
            ),
            Transition(
                "resume",
                EXPERT_ACTIONS["resume"],
                sources(E.SUSPENDED),
                E.ACTIVE,
                CHANGE_EXPERT,
                date=_expert_date("恢复日期"),
                effect=_resume,
                form=False,
            ),
            Transition(
                "exit",
                EXPERT_ACTIONS["exit"],
                sources(E.ACTIVE, E.SUSPENDED),
                E.EXITED,
                CHANGE_EXPERT,
                comment_required=True,
                date=_expert_date("出库日期"),
                effect=_leave,
                danger=True,
                form=False,
            ),
            Transition(
                "readmit",
                EXPERT_ACTIONS["readmit"],
                sources(E.EXITED),
                E.ACTIVE,
                CHANGE_EXPERT,
                date=_expert_date("重新入库日期"),
                sets_date="admitted_on",
                effect=_readmit,
                form=False,
            ),
        ),
    )
)
