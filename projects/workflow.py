"""The projects app's workflows, declared for the one engine (kejiju.core.workflow): the plan project's life
cycle (申报 → 受理 → 评审 → 立项 → 执行 → 绩效评估 → 结题验收 → 归档, withdrawn, refused or ended on the way)
and the decision on a 变更 request.

Who may take a step is a permission (ProjectsConfig.role_permissions): bureau staff hold
`projects.manage_project` (every step of the life cycle) and `projects.decide_changerequest`; a county
office holds `projects.withdraw_project` for its own county's applications (scope does the rest)."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from kejiju.core.workflow import (
    Transition,
    TransitionContext,
    TransitionRefused,
    Workflow,
    all_of,
    register_workflow,
    sources,
)
from kejiju.core.workflow.forms import TransitionFields
from kejiju.core.workflow.services import record_step
from kejiju.integrity.checks import duplicates_decided_rule, integrity_rule

from .models import Attachment, ChangeRequest, Project
from .rules import (
    PROJECT_WORKFLOW,
    RUNNING_STATES,
    AcceptanceResult,
    Action,
    State,
    approval_rule_breaches,
    missing_annual_report_years,
)
from .selectors import project_review_result
from .services import applicant_facts, is_lump_sum_unit, is_project_filer, paid_total

MANAGE = "projects.manage_project"
WITHDRAW = "projects.withdraw_project"
DECIDE_CHANGE = "projects.decide_changerequest"
FILE_REPORTS = "projects.file_project_reports"

# Steps recorded on a project's timeline without a state change (record_step).
PROJECT_STEPS = {
    "disburse": "拨付经费",
    "annual_report": "登记年度执行报告",
    "midterm_check": "中期检查",
    "change_request": "提出变更",
    "change_decision": "变更审批",
    "attachment": "上传附件",
    "attachment_delete": "删除附件",
    "duplicate_check": "查重结论",
}


# ----------------------------------------------------------------------------------------- the project


class ApproveFields(TransitionFields):
    granted = forms.DecimalField(
        label="批准市级资金（元）",
        required=False,
        min_value=0,
        max_digits=14,
        decimal_places=2,
        help_text="不填则按申请市级资金批准",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.record is not None:
            self.fields["granted"].initial = self.record.requested_grant


def _review_score(project) -> Decimal | None:
    return project_review_result(project=project).score


def _approve_rule(project, data) -> str | None:
    if _review_score(project) is None:
        return "专家评审组尚未完成评分，不能立项。"
    if not project.rule_override_reason:  # overridden with a reason when entered: the bureau's decision
        facts = applicant_facts(
            call=project.call,
            pi_digest=project.pi_id_number_digest,
            pi_mobile=project.pi_mobile,
            exclude_pk=project.pk,
        )
        breaches = approval_rule_breaches(facts, project.call.limits)
        if breaches:
            return "".join(breaches)
    granted = data.get("granted")
    if granted is not None and granted < 0:
        return "批准市级资金不能为负数。"
    return None


def _approve_effect(project, ctx: TransitionContext) -> dict:
    granted = ctx.data.get("granted")
    project.city_grant = granted if granted is not None else project.requested_grant
    project.lump_sum = is_lump_sum_unit(project.applicant, year=project.call.year)
    project.full_clean()
    return {"score": _review_score(project), "granted": project.city_grant}


def _contract_rule(project, data) -> str | None:
    if not project.attachments.filter(kind=Attachment.Kind.CONTRACT).exists():
        return "请先上传签订的任务书，再确认签订任务书。"
    return None


def _own_project(project, actor) -> str | None:
    if not is_project_filer(project=project, user=actor):
        return "只有本单位管理员或该项目的负责人可以申请验收。"
    return None


def _acceptance_application_rule(project, data) -> str | None:
    """The unit applies with its 验收报告 uploaded and every due 年度报告 filed."""
    problems = []
    if not project.attachments.filter(kind=Attachment.Kind.ACCEPTANCE).exists():
        problems.append("请先上传验收报告（附件类型“验收报告”）")
    missing = missing_annual_report_years(
        start=project.start_date,
        end=project.end_date,
        filed_years=set(project.annual_reports.values_list("year", flat=True)),
        today=timezone.localdate(),
    )
    if missing:
        problems.append(f"尚未报送 {'、'.join(str(year) for year in missing)} 年度报告")
    return "；".join(problems) + "。" if problems else None


def _leader(project) -> list[tuple[str, str]]:
    return [(project.pi_name, project.pi_id_number_digest)]


# A unit or leader under 科研诚信 惩戒 is not accepted (申报) nor approved (立项) (kejiju.integrity).
_MAY_APPLY = integrity_rule("apply", unit_of=lambda project: project.applicant, persons_of=_leader)
_MAY_BE_APPROVED = integrity_rule("approval", unit_of=lambda project: project.applicant, persons_of=_leader)


def _acceptance(result: str):
    def effect(project, ctx: TransitionContext) -> dict:
        project.acceptance_result = result
        return {"acceptance_result": AcceptanceResult(result).label}

    return effect


def _t(action: Action, source, target: State, **kwargs) -> Transition:
    return Transition(
        action=action.value,
        label=str(action.label),
        sources=sources(source),
        target=target,
        permission=kwargs.pop("permission", MANAGE),
        **kwargs,
    )


PROJECT_FLOW = register_workflow(
    Workflow(
        key=PROJECT_WORKFLOW,
        model="projects.Project",
        states=State,
        title="科技计划项目",
        created=("create", "录入申报"),
        initial=State.SUBMITTED,
        steps=PROJECT_STEPS,
        data_labels={
            "score": "评审得分",
            "granted": "批准市级资金（元）",
            "city_grant": "变更后市级资金（元）",
            "backfilled": "数据迁移补记",
            "acceptance_result": "验收结论",
            "amount": "金额（元）",
            "voucher": "凭证号",
            "year": "报告年度",
            "kind": "类型",
            "file": "文件",
            "decision": "查重结论",
        },
        transitions=(
            _t(Action.WITHDRAW, State.SUBMITTED, State.WITHDRAWN, permission=WITHDRAW, danger=True),
            # 受理 waits for the bureau's 查重 conclusion when likely duplicates were found at 提交.
            _t(
                Action.ACCEPT,
                State.SUBMITTED,
                State.ACCEPTED,
                rule=all_of(_MAY_APPLY, duplicates_decided_rule),
            ),
            _t(Action.REJECT, State.SUBMITTED, State.REJECTED, comment_required=True, danger=True),
            _t(Action.START_REVIEW, State.ACCEPTED, State.REVIEW),
            _t(
                Action.APPROVE,
                State.REVIEW,
                State.APPROVED,
                rule=all_of(_MAY_BE_APPROVED, _approve_rule),
                effect=_approve_effect,
                fields=ApproveFields,
            ),
            _t(Action.NOT_APPROVE, State.REVIEW, State.NOT_APPROVED, comment_required=True, danger=True),
            _t(Action.SIGN_CONTRACT, State.APPROVED, State.EXECUTING, rule=_contract_rule),
            _t(Action.SUSPEND, State.EXECUTING, State.SUSPENDED, comment_required=True, danger=True),
            _t(Action.RESUME, State.SUSPENDED, State.EXECUTING, comment_required=True),
            _t(Action.START_EVALUATION, State.EXECUTING, State.EVALUATION),
            # The unit's 验收申请: the project goes on to the bureau's 绩效评估 and 验收.
            _t(
                Action.APPLY_ACCEPTANCE,
                State.EXECUTING,
                State.EVALUATION,
                permission=FILE_REPORTS,
                rule=_acceptance_application_rule,
                actor_rule=_own_project,
                note="上传验收报告、报齐年度报告后申请；市局随后组织绩效评估和结题验收。",
            ),
            _t(Action.START_ACCEPTANCE, State.EVALUATION, State.ACCEPTANCE),
            _t(Action.PASS, State.ACCEPTANCE, State.CONCLUDED, effect=_acceptance(AcceptanceResult.PASSED)),
            _t(Action.RECTIFY, State.ACCEPTANCE, State.RECTIFICATION, comment_required=True),
            # One 整改 round: from 整改 there is no way back to 结题验收, only a final conclusion.
            _t(
                Action.PASS_AFTER_RECTIFICATION,
                State.RECTIFICATION,
                State.CONCLUDED,
                effect=_acceptance(AcceptanceResult.PASSED_AFTER_RECTIFICATION),
            ),
            _t(
                Action.FAIL,
                {State.ACCEPTANCE, State.RECTIFICATION},
                State.CONCLUDED,
                comment_required=True,
                danger=True,
                effect=_acceptance(AcceptanceResult.FAILED),
            ),
            _t(Action.ARCHIVE, State.CONCLUDED, State.ARCHIVED),
            _t(Action.TERMINATE, RUNNING_STATES, State.TERMINATED, comment_required=True, danger=True),
        ),
    )
)


# ------------------------------------------------------------------------------------ the 变更 request


_CHANGEABLE = frozenset({State.APPROVED, State.EXECUTING, State.SUSPENDED})


def _change_approve_rule(request, data) -> str | None:
    project = request.project
    if project.state not in _CHANGEABLE:
        return f"项目当前状态为“{project.get_state_display()}”，不能再批准变更。"
    grant = request.new_city_grant
    if request.kind == "budget" and grant is not None and grant < paid_total(project):
        return "新市级资金少于已拨付金额，不能批准。"
    return None


def _decided(approve: bool):
    def effect(request, ctx: TransitionContext) -> None:
        project = Project.objects.select_for_update().get(pk=request.project_id)
        if approve:
            if request.kind == "dates":
                project.start_date = request.new_start_date or project.start_date
                project.end_date = request.new_end_date or project.end_date
            elif request.kind == "budget":
                if request.new_city_grant is not None:
                    project.city_grant = request.new_city_grant
                if request.new_self_raised is not None:
                    project.self_raised = request.new_self_raised
            else:
                project.pi_name = request.new_pi_name
                project.pi_mobile = request.new_pi_mobile
                # The new leader's 身份证号 is not on the request: until staff enter it on the project,
                # 限项 and 科研诚信 match them by mobile number.
                project.pi_id_number_cipher = project.pi_id_number_digest = project.pi_id_number_masked = ""
            try:
                project.full_clean()
            except ValidationError as error:
                raise TransitionRefused(
                    f"变更后的项目数据无效：{'；'.join(error.messages)}", field="action"
                ) from error
            project.save()
        request.decision_comment = (ctx.comment or "").strip()
        request.decided_at = timezone.now()
        request.decided_by = ctx.actor if getattr(ctx.actor, "pk", None) else None
        verb = "批准" if approve else "驳回"
        # An approved budget change states the city grant it sets: the annual figures read the commitment
        # on a day from the 立项 event and these steps, never from today's Project.city_grant.
        changed = approve and request.kind == "budget" and request.new_city_grant is not None
        record_step(
            record=project,
            action="change_decision",
            actor=ctx.actor,
            effective_on=ctx.effective_on,
            comment=ctx.comment,
            label=f"{verb}{request.get_kind_display()}变更",
            data={"city_grant": request.new_city_grant} if changed else None,
        )
        return None

    return effect


def _change_flow() -> Workflow:
    decision = ChangeRequest.Decision
    return Workflow(
        key="projects.changerequest",
        model="projects.ChangeRequest",
        states=decision,
        state_field="decision",
        title="项目变更",
        created=("change_request", "提出变更"),
        initial=decision.PENDING,
        transitions=(
            Transition(
                action="approve",
                label="批准变更",
                sources=sources(decision.PENDING),
                target=decision.APPROVED,
                permission=DECIDE_CHANGE,
                rule=_change_approve_rule,
                effect=_decided(True),
            ),
            Transition(
                action="refuse",
                label="驳回变更",
                sources=sources(decision.PENDING),
                target=decision.REFUSED,
                permission=DECIDE_CHANGE,
                comment_required=True,
                danger=True,
                effect=_decided(False),
            ),
        ),
    )


CHANGE_FLOW = register_workflow(_change_flow())
