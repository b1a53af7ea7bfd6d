"""State machines of the 科小 evaluation and the 高企 cultivation pool, as plain tables and functions.

Sources: 科技型中小企业评价服务工作指引 (国科火字〔2022〕67号): 企业填报 → 县区形式审查 → 公示 (10个工作日) →
入库并取得登记编号 (当年有效); 登记编号 may be revoked (撤销), and the history is kept. The cultivation pool
follows the bureau's own practice: 县区推荐 → 市局入库 → 已申报 → 已认定, or 出库.
"""

from __future__ import annotations

from typing import Final

from django import forms

from kejiju.core.workflow.declarations import (
    Transition,
    TransitionRefused,
    Workflow,
    all_of,
    register_workflow,
    sources,
)
from kejiju.core.workflow.forms import TransitionFields
from kejiju.integrity.checks import integrity_rule

from .dates import POOL_DATES, REWARD_DATES, SMES_DATES, publicity_end, publicity_over
from .services.evaluation import _next_registration_number, _store_score, smes_evaluate

REWARD_VOUCHER_LABEL: Final = "发放文号（凭证号）"


# ------------------------------------------------------------------------------ declared workflows (engine)

# An enterprise's own 科小 evaluation and its 培育库 entry are its 申报: a unit under 科研诚信 惩戒 of scope
# 申报 (kejiju.integrity) passes neither 形式审查 nor 入库 of the evaluation, and is neither recommended nor
# admitted into the 培育库; the refusal names the record. Steps that only record what happened elsewhere
# (已申报, 已认定, 出库, 撤销, 不予…) are not refused.
_MAY_APPLY = integrity_rule("apply", unit_of=lambda record: record.enterprise.organization)


def _smes_review_rule(evaluation, data) -> str | None:
    result, row = smes_evaluate(evaluation.enterprise, year=evaluation.year, on=evaluation.submitted_on)
    if row is None:
        return f"缺少{evaluation.figures_year}年度数据。"
    if not result.passed:
        return "评价结论不合格，不能通过形式审查：" + "；".join(result.reasons)
    return None


def _smes_review_pass(evaluation, ctx):
    result, _row = smes_evaluate(evaluation.enterprise, year=evaluation.year, on=evaluation.submitted_on)
    _store_score(evaluation, result)
    return {"total_score": evaluation.total_score}


def _smes_start_publicity(evaluation, ctx):
    evaluation.publicity_end = publicity_end(ctx.effective_on)
    return {"publicity_start": ctx.effective_on, "publicity_end": evaluation.publicity_end}


def _smes_admit(evaluation, ctx):
    if evaluation.publicity_end is None or not publicity_over(evaluation.publicity_end, ctx.effective_on):
        end = f"{evaluation.publicity_end:%Y年%m月%d日}" if evaluation.publicity_end else "—"
        raise TransitionRefused(f"公示期至{end}，公示期满后方可入库。", field="effective_on")
    evaluation.registration_number = _next_registration_number(evaluation)
    return {"registration_number": evaluation.registration_number, "admitted_on": ctx.effective_on}


def _smes_revoke(evaluation, ctx):
    evaluation.revoke_reason = ctx.comment.strip()[:500]
    return {
        "registration_number": evaluation.registration_number,
        "admitted_on": evaluation.admitted_on,
        "revoked_on": ctx.effective_on,
    }


class PoolYearFields(TransitionFields):
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)


class PoolApplyFields(TransitionFields):
    year = forms.IntegerField(label="申报年度", min_value=2000, max_value=2100, required=False)


def _pool_admit(entry, ctx):
    entry.admitted_year = ctx.data.get("year") or ctx.effective_on.year
    return {"year": entry.admitted_year, "admitted_on": ctx.effective_on}


def _pool_apply(entry, ctx):
    entry.applied_year = ctx.data.get("year") or ctx.effective_on.year
    return {"year": entry.applied_year}


def _pool_certify(entry, ctx):
    return {"certified_on": ctx.effective_on}


def _pool_county_recommend(entry, ctx):
    """The county recommends the enterprise's own application: the entry counts as recommended that day."""
    entry.recommended_on = ctx.effective_on
    if ctx.comment.strip():
        entry.recommendation = ctx.comment.strip()[:500]
    return None


def _pool_close(entry, ctx):
    entry.exit_reason = ctx.comment.strip()[:500]
    if ctx.transition.action == "exit":
        return {"exited_on": ctx.effective_on, "admitted_on": entry.admitted_on}
    return None


def _reward_approve(reward, ctx):
    reward.approved_by = ctx.actor if getattr(ctx.actor, "pk", None) else None
    return {"amount": reward.amount, "approved_on": ctx.effective_on}


class RewardPayFields(TransitionFields):
    voucher_no = forms.CharField(
        label=REWARD_VOUCHER_LABEL,
        max_length=100,
        error_messages={"required": f"办理“发放”须填写{REWARD_VOUCHER_LABEL}。"},
    )


def _reward_pay(reward, ctx):
    voucher = str(ctx.data.get("voucher_no") or "").strip()
    if not voucher:
        raise TransitionRefused(f"办理“发放”须填写{REWARD_VOUCHER_LABEL}。", field="voucher_no")
    if len(voucher) > 100:
        raise TransitionRefused(f"{REWARD_VOUCHER_LABEL}不能超过100个字符。", field="voucher_no")
    reward.voucher_no = voucher
    return {"amount": reward.amount, "paid_on": ctx.effective_on, "voucher_no": voucher}


def _declare() -> tuple[Workflow, Workflow, Workflow]:
    from .models import PoolEntry, Reward, SmesEvaluation

    S = SmesEvaluation.State
    review, admit = "enterprises.review_smesevaluation", "enterprises.admit_smesevaluation"
    smes = Workflow(
        key="enterprises.smesevaluation",
        model="enterprises.SmesEvaluation",
        states=S,
        title="科技型中小企业评价",
        created=("submit", "企业填报"),
        initial=S.SUBMITTED,
        data_labels={
            "total_score": "综合得分",
            "publicity_start": "公示开始",
            "publicity_end": "公示结束",
            "registration_number": "入库登记编号",
            "admitted_on": "入库日期",
            "revoked_on": "撤销日期",
        },
        transitions=(
            Transition(
                "review_pass",
                "形式审查通过",
                sources({S.SUBMITTED, S.RETURNED}),
                S.REVIEWED,
                review,
                date=SMES_DATES["review_pass"],
                sets_date="reviewed_on",
                rule=all_of(_MAY_APPLY, _smes_review_rule),
                effect=_smes_review_pass,
            ),
            Transition(
                "review_return",
                "形式审查退回",
                sources(S.SUBMITTED),
                S.RETURNED,
                review,
                comment_required=True,
                date=SMES_DATES["review_return"],
                sets_date="reviewed_on",
            ),
            Transition(
                "start_publicity",
                "开始公示",
                sources(S.REVIEWED),
                S.PUBLICITY,
                admit,
                date=SMES_DATES["start_publicity"],
                sets_date="publicity_start",
                effect=_smes_start_publicity,
            ),
            Transition(
                "admit",
                "入库",
                sources(S.PUBLICITY),
                S.ADMITTED,
                admit,
                date=SMES_DATES["admit"],
                sets_date="admitted_on",
                rule=_MAY_APPLY,
                effect=_smes_admit,
            ),
            Transition(
                "reject",
                "不予入库",
                sources({S.PUBLICITY, S.REVIEWED}),
                S.REJECTED,
                admit,
                comment_required=True,
                date=SMES_DATES["reject"],
                danger=True,
            ),
            Transition(
                "revoke",
                "撤销入库",
                sources(S.ADMITTED),
                S.REVOKED,
                admit,
                comment_required=True,
                date=SMES_DATES["revoke"],
                sets_date="revoked_on",
                effect=_smes_revoke,
                danger=True,
            ),
        ),
    )
    P = PoolEntry.State
    pool_perm = "enterprises.admit_poolentry"
    pool = Workflow(
        key="enterprises.poolentry",
        model="enterprises.PoolEntry",
        states=P,
        title="高企培育库",
        created=("recommend", "县区推荐"),
        initial=P.RECOMMENDED,
        data_labels={
            "year": "年度",
            "admitted_on": "入库日期",
            "certified_on": "认定日期",
            "exited_on": "出库日期",
        },
        transitions=(
            Transition(
                "county_recommend",
                "县区推荐",
                sources(P.REQUESTED),
                P.RECOMMENDED,
                "enterprises.recommend_poolentry",
                date=POOL_DATES["county_recommend"],
                rule=_MAY_APPLY,
                effect=_pool_county_recommend,
                note="推荐后报市科技局审核入库；说明填写推荐理由。",
            ),
            Transition(
                "county_decline",
                "县区不予推荐",
                sources(P.REQUESTED),
                P.DECLINED,
                "enterprises.recommend_poolentry",
                comment_required=True,
                date=POOL_DATES["county_decline"],
                effect=_pool_close,
                danger=True,
                note="原因显示在企业的申请上。",
            ),
            Transition(
                "admit",
                "入库",
                sources(P.RECOMMENDED),
                P.ADMITTED,
                pool_perm,
                date=POOL_DATES["admit"],
                sets_date="admitted_on",
                rule=_MAY_APPLY,
                effect=_pool_admit,
                fields=PoolYearFields,
            ),
            Transition(
                "decline",
                "不予入库",
                sources(P.RECOMMENDED),
                P.DECLINED,
                pool_perm,
                comment_required=True,
                date=POOL_DATES["decline"],
                effect=_pool_close,
                danger=True,
            ),
            Transition(
                "apply",
                "标记已申报",
                sources(P.ADMITTED),
                P.APPLIED,
                pool_perm,
                date=POOL_DATES["apply"],
                effect=_pool_apply,
                fields=PoolApplyFields,
            ),
            Transition(
                "certify",
                "标记已认定",
                sources({P.ADMITTED, P.APPLIED}),
                P.CERTIFIED,
                pool_perm,
                date=POOL_DATES["certify"],
                sets_date="certified_on",
                effect=_pool_certify,
            ),
            Transition(
                "exit",
                "出库",
                sources({P.ADMITTED, P.APPLIED}),
                P.EXITED,
                pool_perm,
                comment_required=True,
                date=POOL_DATES["exit"],
                sets_date="exited_on",
                effect=_pool_close,
                danger=True,
            ),
        ),
    )
    R = Reward.State
    reward = Workflow(
        key="enterprises.reward",
        model="enterprises.Reward",
        states=R,
        title="高企奖励",
        created=("compute", "计算奖励"),
        initial=R.COMPUTED,
        data_labels={
            "amount": "奖励金额（元）",
            "approved_on": "审核日期",
            "paid_on": "发放日期",
            "voucher_no": REWARD_VOUCHER_LABEL,
        },
        transitions=(
            Transition(
                "approve",
                "审核",
                sources(R.COMPUTED),
                R.APPROVED,
                "enterprises.change_reward",
                date=REWARD_DATES["approve"],
                sets_date="approved_on",
                effect=_reward_approve,
                form=False,
            ),
            Transition(
                "pay",
                "发放",
                sources(R.APPROVED),
                R.PAID,
                "enterprises.change_reward",
                date=REWARD_DATES["pay"],
                sets_date="paid_on",
                effect=_reward_pay,
                fields=RewardPayFields,
                form=False,
            ),
        ),
    )
    return register_workflow(smes), register_workflow(pool), register_workflow(reward)


SMES_WORKFLOW, POOL_WORKFLOW, REWARD_WORKFLOW = _declare()
