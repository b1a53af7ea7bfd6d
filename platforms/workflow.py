"""The platforms app's declared workflows (kejiju.core.workflow): the platform's life (纳入筹建, 认定,
升级认定, 撤销, 恢复培育), the recognition batch (单位申报 → 形式审查 → 专家评审 → 公示 → 已认定) and each
application in it (形式审查, 拟认定 or not, 公示异议, 认定).

认定 and 升级认定 take a level and a certificate number (their `fields`), set the level, the number and the
recognition date (their `effect` and `sets_date`); 升级认定 must raise the level (its `rule`); 撤销 needs a
reason. Each step follows the platform's previous step. Registering a platform (`record_created`) is the
first event of its timeline; a yearly 绩效评价 is a step on it (the state stays).

A batch moves on only when its applications allow it (rules.batch_advance_refusal); its steps move the
applications through their own transitions: 排名并公示 proposes the applications that pass or marks them
未入选, 认定 recognises each proposed one (creating or upgrading its platform, with the next certificate
number)."""

from __future__ import annotations

from django import forms

from kejiju.core.dates import DateStep
from kejiju.core.workflow.declarations import Transition, Workflow, register_workflow
from kejiju.core.workflow.forms import TransitionFields

from . import services
from .rules import (
    LEVEL_RANK,
    PLATFORM_WORKFLOW_KEY,
    ApplicationAction,
    ApplicationState,
    BatchAction,
    BatchState,
    Grade,
    Level,
    PlatformAction,
    PlatformState,
    batch_advance_refusal,
)
from .selectors import batch_snapshots

TRANSITION_PERMISSION = "platforms.transition_platform"


class RecognitionFields(TransitionFields):
    """The level and the certificate number of a 认定 / 升级认定 (an upgrade offers only higher levels)."""

    level = forms.ChoiceField(label="认定级别", choices=Level.choices)
    certificate_no = forms.CharField(label="证书编号", max_length=40)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        record = self.record
        if record is not None:
            self.fields["level"].initial = record.level
            transition = getattr(self, "transition", None)
            if transition is not None and transition.action == PlatformAction.UPGRADE:
                self.fields["level"].choices = [
                    (value, label)
                    for value, label in Level.choices
                    if LEVEL_RANK[Level(value)] > LEVEL_RANK[Level(record.level)]
                ]


def _higher_level(platform, data) -> str | None:
    level = data.get("level")
    if not level or level not in Level.values:
        return "升级认定的级别必须高于平台当前级别。"
    if LEVEL_RANK[Level(level)] <= LEVEL_RANK[Level(platform.level)]:
        return "升级认定的级别必须高于平台当前级别。"
    return None


def _has_certificate(platform, data) -> str | None:
    if data.get("level") and data.get("level") not in Level.values:
        return "请选择认定级别。"
    if not str(data.get("certificate_no") or "").strip():
        return "认定须填写证书编号。"
    return None


def _upgrade_rule(platform, data) -> str | None:
    return _higher_level(platform, data) or _has_certificate(platform, data)


def _keep_level(platform, ctx) -> dict:
    return {"from_level": platform.level, "to_level": platform.level}


def _recognise(platform, ctx) -> dict:
    """Set the level and the certificate number (the date is `sets_date`)."""
    from_level = platform.level
    platform.level = ctx.data.get("level") or platform.level
    platform.certificate_no = str(ctx.data.get("certificate_no") or "").strip()
    platform.recognised_on = ctx.effective_on
    platform.full_clean()  # the certificate number is unique
    return {"from_level": from_level, "to_level": platform.level}


def _date(action: str) -> DateStep:
    return DateStep(f"{PlatformAction(action).label}日期", earlier=("previous_step",), field="effective_on")


S = PlatformState
PLATFORM_WORKFLOW = register_workflow(
    Workflow(
        key=PLATFORM_WORKFLOW_KEY,
        model="platforms.Platform",
        states=PlatformState,
        title="创新平台",
        created=("register", "登记"),
        initial=S.CULTIVATING,
        steps={"evaluate": "绩效评价"},
        data_labels={
            "from_level": "原级别",
            "to_level": "新级别",
            "level": "认定级别",
            "certificate_no": "证书编号",
            "application": "认定申报编号",
            "batch": "认定批次",
            "year": "评价年度",
            "score": "得分",
            "grade": "等次",
            "revocation_proposed": "拟撤销",
        },
        data_values={
            **{key: dict(Level.choices) for key in ("from_level", "to_level", "level")},
            "grade": dict(Grade.choices),
        },
        transitions=(
            Transition(
                action=PlatformAction.PREPARE,
                label=PlatformAction.PREPARE.label,
                sources={S.CULTIVATING},
                target=S.PREPARING,
                permission=TRANSITION_PERMISSION,
                date=_date(PlatformAction.PREPARE),
                effect=_keep_level,
            ),
            Transition(
                action=PlatformAction.RECOGNISE,
                label=PlatformAction.RECOGNISE.label,
                sources={S.CULTIVATING, S.PREPARING},
                target=S.RECOGNISED,
                permission=TRANSITION_PERMISSION,
                date=_date(PlatformAction.RECOGNISE),
                sets_date="recognised_on",
                rule=_has_certificate,
                effect=_recognise,
                fields=RecognitionFields,
            ),
            Transition(
                action=PlatformAction.UPGRADE,
                label=PlatformAction.UPGRADE.label,
                sources={S.RECOGNISED},
                target=S.RECOGNISED,
                permission=TRANSITION_PERMISSION,
                date=_date(PlatformAction.UPGRADE),
                sets_date="recognised_on",
                rule=_upgrade_rule,
                effect=_recognise,
                fields=RecognitionFields,
            ),
            Transition(
                action=PlatformAction.REVOKE,
                label=PlatformAction.REVOKE.label,
                sources={S.CULTIVATING, S.PREPARING, S.RECOGNISED},
                target=S.REVOKED,
                permission=TRANSITION_PERMISSION,
                comment_required=True,
                date=_date(PlatformAction.REVOKE),
                effect=_keep_level,
                danger=True,
            ),
            Transition(
                action=PlatformAction.RESTORE,
                label=PlatformAction.RESTORE.label,
                sources={S.REVOKED},
                target=S.CULTIVATING,
                permission=TRANSITION_PERMISSION,
                date=_date(PlatformAction.RESTORE),
                effect=_keep_level,
            ),
        ),
    )
)


# --------------------------------------------------------------------------------------- recognition batch

ADVANCE_PERMISSION = "platforms.advance_recognitionbatch"
REVIEW_PERMISSION = "platforms.review_platformapplication"


def _batch_may_advance(batch, data) -> str | None:
    return batch_advance_refusal(state=batch.state, applications=batch_snapshots(batch=batch))


def _publicise(batch, ctx) -> dict:
    return services.batch_publicise(batch=batch, user=ctx.actor, on_date=ctx.effective_on)


def _recognise_batch(batch, ctx) -> dict:
    return services.batch_recognise(batch=batch, user=ctx.actor, on_date=ctx.effective_on)


def _batch_step(action, state_from, state_to, **options) -> Transition:
    return Transition(
        action=action,
        label=BatchAction(action).label,
        sources={state_from},
        target=state_to,
        permission=ADVANCE_PERMISSION,
        rule=_batch_may_advance,
        **options,
    )


B = BatchState
BATCH_WORKFLOW = register_workflow(
    Workflow(
        key="platforms.recognitionbatch",
        model="platforms.RecognitionBatch",
        states=BatchState,
        title="认定批次",
        created=("create", "发布批次"),
        initial=B.OPEN,
        data_labels={"publicity_end": "公示截止"},
        transitions=(
            _batch_step(
                BatchAction.CLOSE_APPLICATIONS,
                B.OPEN,
                B.FORMAL,
                date=DateStep("截止申报日期", earlier=("previous_step",), field="effective_on"),
                note="截止后各县区不能再新增、修改或删除本批次的申报，进入形式审查。",
            ),
            _batch_step(
                BatchAction.START_REVIEW,
                B.FORMAL,
                B.REVIEW,
                date=DateStep("评审开始日期", earlier=("previous_step",), field="effective_on"),
                note="通过形式审查的申报进入专家评审（评审组评分或录入线下评审得分）。",
            ),
            _batch_step(
                BatchAction.PUBLICISE,
                B.REVIEW,
                B.PUBLICITY,
                date=DateStep("公示开始日期", earlier=("deadline", "previous_step"), field="effective_on"),
                sets_date="publicity_start",
                effect=_publicise,
                note="按评审得分排名：得分不低于认定分数线且在认定名额以内的申报列为拟认定，其余为未入选；"
                "公示期为 10 个工作日。",
            ),
            _batch_step(
                BatchAction.RECOGNISE,
                B.PUBLICITY,
                B.DONE,
                date=DateStep(
                    "认定日期", earlier=("deadline", "publicity_start", "previous_step"), field="effective_on"
                ),
                sets_date="recognised_on",
                effect=_recognise_batch,
                danger=True,
                note="为拟认定的申报创建（或升级）平台并编发证书编号；公示期满后才能认定。此操作不可撤销。",
            ),
        ),
    )
)


# ------------------------------------------------------------------------------------------- applications


def _batch_in(state: str, step: str):
    def rule(application, data) -> str | None:
        batch = application.batch
        if batch.state != state:
            return f"批次当前进度为“{batch.get_state_display()}”，不能进行{step}。"
        return None

    return rule


def _formal_comment(application, ctx) -> None:
    application.formal_comment = (ctx.comment or "").strip()


def _objection(application, ctx) -> None:
    application.objection = (ctx.comment or "").strip()


def _ranked(application, ctx) -> dict:
    application.rank = ctx.data.get("rank")
    return {"rank": application.rank, "review_score": application.review_score}


def _recognise_application(application, ctx) -> dict:
    platform, number = services.platform_for_application(
        application=application, user=ctx.actor, on_date=ctx.effective_on, comment=ctx.comment
    )
    application.platform = platform
    application.certificate_no = number
    return {"certificate_no": number, "platform": platform.name}


A = ApplicationState
# Each review step belongs to one step of the batch: (the batch state it needs, its name in a refusal, who
# takes it, whether the form takes it or the batch's own step does).
_REVIEW_STEPS = {
    ApplicationAction.ACCEPT: (B.FORMAL, "形式审查", REVIEW_PERMISSION, True),
    ApplicationAction.REJECT: (B.FORMAL, "形式审查", REVIEW_PERMISSION, True),
    ApplicationAction.PROPOSE: (B.REVIEW, "排名", ADVANCE_PERMISSION, False),
    ApplicationAction.NOT_PROPOSE: (B.REVIEW, "排名", ADVANCE_PERMISSION, False),
    ApplicationAction.OBJECT: (B.PUBLICITY, "公示异议处理", REVIEW_PERMISSION, True),
    ApplicationAction.RECOGNISE: (B.PUBLICITY, "认定", ADVANCE_PERMISSION, False),
}


def _review_step(action, sources, target, **options) -> Transition:
    batch_state, step, permission, form = _REVIEW_STEPS[action]
    return Transition(
        action=action,
        label=ApplicationAction(action).label,
        sources=sources,
        target=target,
        permission=permission,
        rule=_batch_in(batch_state, step),
        form=form,
        **options,
    )


APPLICATION_WORKFLOW = register_workflow(
    Workflow(
        key="platforms.platformapplication",
        model="platforms.PlatformApplication",
        states=ApplicationState,
        title="认定申报",
        created=("submit", "申报"),
        initial=A.SUBMITTED,
        steps={"score": "录入评审得分", "panel_result": "采用评审组结果"},
        data_labels={
            "rank": "排名",
            "review_score": "评审得分",
            "score": "评审得分",
            "note": "评审说明",
            "certificate_no": "证书编号",
            "platform": "平台",
        },
        transitions=(
            _review_step(
                ApplicationAction.ACCEPT, {A.SUBMITTED, A.REJECTED}, A.ACCEPTED, effect=_formal_comment
            ),
            _review_step(
                ApplicationAction.REJECT,
                {A.SUBMITTED, A.ACCEPTED},
                A.REJECTED,
                comment_required=True,
                effect=_formal_comment,
                danger=True,
            ),
            _review_step(ApplicationAction.PROPOSE, {A.ACCEPTED}, A.PROPOSED, effect=_ranked),
            _review_step(ApplicationAction.NOT_PROPOSE, {A.ACCEPTED}, A.NOT_PROPOSED, effect=_ranked),
            _review_step(
                ApplicationAction.OBJECT,
                {A.PROPOSED},
                A.OBJECTED,
                comment_required=True,
                effect=_objection,
                danger=True,
                note="异议成立的申报不予认定；说明中填写异议内容及处理结论。",
            ),
            _review_step(
                ApplicationAction.RECOGNISE, {A.PROPOSED}, A.RECOGNISED, effect=_recognise_application
            ),
        ),
    )
)
