"""The online application's flow: 草稿 → 提交 (项目负责人) → 单位审核 (单位管理员: 通过 or 退回) → 县区推荐
(the county office of the unit's county, or the bureau for a unit without one: 推荐 within the quota, ranked,
or 退回) → the bureau's plan-project flow from 申报 (受理 …). A returned application goes back to its
项目负责人, who sees the reason on the form, changes it and submits again. Each step is told, on commit, to
the 项目负责人, the unit's administrators, the county office and whoever must take the next step."""

from __future__ import annotations

from django import forms

from kejiju.core.workflow import Transition, Workflow, all_of, register_workflow, sources
from kejiju.core.workflow.forms import TransitionFields
from kejiju.integrity.checks import integrity_rule

from .models import ApplicationState as S

APPLICATION_FLOW = "applications.application"
SUBMIT = "applications.submit_application"
REVIEW = "applications.review_application"
RECOMMEND = "applications.recommend_application"


def _submit_rule(application, data) -> str | None:
    from .services import submit_problems

    problems = submit_problems(application)
    return "；".join(problems) if problems else None


def _persons(application) -> list[tuple[str, str]]:
    """The leader and the team, as the 科研诚信 check matches them (by the digest of the 身份证号)."""
    team = application.team.values_list("name", "id_number_digest")
    return [(application.leader_name, application.leader_id_number_digest), *team]


# A unit or person under 科研诚信 惩戒 of 申报 is refused at each level (kejiju.integrity).
_NOT_BARRED = integrity_rule("apply", unit_of=lambda application: application.unit, persons_of=_persons)


def _own_application(application, actor) -> str | None:
    if application.leader_id != actor.pk:
        return "只有该申报书的项目负责人可以提交或撤回。"
    return None


def _recommending_office(application, actor) -> str | None:
    """The county office of the unit's county recommends; the bureau only for a unit without a county."""
    if application.region_id is not None and actor.region_id != application.region_id:
        return f"该申报书由{application.region}科技局推荐。"
    return None


class RecommendFields(TransitionFields):
    rank = forms.IntegerField(label="推荐排序", min_value=1, max_value=999)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.record is not None:
            from .services import quota_of, recommended_count

            record = self.record
            quota = quota_of(call=record.call, region=record.region)
            done = recommended_count(call=record.call, region=record.region)
            self.fields["rank"].initial = done + 1
            self.fields["rank"].help_text = (
                f"本批次推荐限额 {quota} 项，已推荐 {done} 项；排序 1 为最优先。"
                if quota is not None
                else f"本批次未设推荐限额，已推荐 {done} 项；排序 1 为最优先。"
            )


def _recommend_rule(application, data) -> str | None:
    from .services import recommend_problem

    return recommend_problem(application, rank=data.get("rank"))


def _submit(application, ctx):
    from .services import submit_effect

    return submit_effect(application)


def _return(application, ctx):
    from .services import return_effect

    return return_effect(application, reason=ctx.comment)


def _recommend(application, ctx):
    from .services import recommend_effect

    return recommend_effect(application, actor=ctx.actor, rank=ctx.data["rank"])


APPLICATION_WORKFLOW = register_workflow(
    Workflow(
        key=APPLICATION_FLOW,
        model="applications.Application",
        states=S,
        title="网上申报",
        created=("create", "创建草稿"),
        initial=S.DRAFT,
        steps={"pledge": "确认科研诚信承诺书"},
        data_labels={"rank": "推荐排序", "project": "项目编号", "duplicates": "可能重复的申报或项目（项）"},
        tell_next=True,
        transitions=(
            Transition(
                "submit",
                "提交",
                sources(S.DRAFT, S.RETURNED),
                S.SUBMITTED,
                SUBMIT,
                rule=all_of(_NOT_BARRED, _submit_rule),
                actor_rule=_own_application,
                effect=_submit,
                note="提交后由本单位管理员审核；申报截止后不能再提交。",
            ),
            Transition(
                "recall",
                "撤回修改",
                sources(S.SUBMITTED),
                S.DRAFT,
                SUBMIT,
                actor_rule=_own_application,
                note="单位审核前可撤回修改，修改后须在截止日期前重新提交。",
            ),
            Transition(
                "unit_approve",
                "单位审核通过",
                sources(S.SUBMITTED),
                S.UNIT_APPROVED,
                REVIEW,
                rule=_NOT_BARRED,
                note="通过后报所在县区科技局推荐（市直单位报市科技局）。",
            ),
            Transition(
                "unit_return",
                "单位退回",
                sources(S.SUBMITTED),
                S.RETURNED,
                REVIEW,
                comment_required=True,
                effect=_return,
                danger=True,
                note="退回原因显示在项目负责人的申报书上。",
            ),
            Transition(
                "recommend",
                "推荐",
                sources(S.UNIT_APPROVED),
                S.RECOMMENDED,
                RECOMMEND,
                rule=all_of(_NOT_BARRED, _recommend_rule),
                actor_rule=_recommending_office,
                effect=_recommend,
                fields=RecommendFields,
                note="在推荐限额内按优先次序推荐；推荐后转入市局项目库（状态“申报”），由市局受理。",
            ),
            Transition(
                "county_return",
                "县区退回",
                sources(S.UNIT_APPROVED),
                S.RETURNED,
                RECOMMEND,
                comment_required=True,
                actor_rule=_recommending_office,
                effect=_return,
                danger=True,
                note="退回原因显示在项目负责人的申报书上。",
            ),
        ),
    )
)
