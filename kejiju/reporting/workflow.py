"""The two flows of county reporting, declared for the one workflow engine (kejiju.core.workflow):

- the monthly filing (月度工作动态): 草稿 → 报送 → 确认 / 退回 → 重新报送; 保存草稿, 上传附件, 删除附件 and
  解锁补报 are steps that keep the state;
- the county's yearly task list (年度任务清单): a county's proposal (待审核) is confirmed by the bureau.

Who may take a step is a permission (reporting.submit_monthlyfiling for county offices,
reporting.review_monthlyfiling and reporting.approve_countytask for the bureau); whose record it is, the
county scope. The deadline rules are `rule=` functions; what a step fills in is its `effect=`.
"""

from __future__ import annotations

import contextvars
import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.utils import timezone

from kejiju.core.workflow import Transition, Workflow, register_workflow

from . import rules
from .models import CountyTask, FilingException, MonthlyFiling

FILING_FLOW = "reporting.monthlyfiling"
TASK_FLOW = "reporting.countytask"

# The moment a service takes a step at (tests and the form pass it; otherwise now).
filing_now: contextvars.ContextVar[dt.datetime | None] = contextvars.ContextVar("filing_now", default=None)


def _now() -> dt.datetime:
    return filing_now.get() or timezone.now()


def month_closed(filing: MonthlyFiling, now: dt.datetime) -> str | None:
    """Why the county may not file the filing's month now (未来月份, or past the deadline without 解锁)."""
    if rules.is_future_month(filing.year, filing.month, now):
        return f"{filing.year}年{filing.month}月尚未开始，不能填报未来月份。"
    if rules.is_past_deadline(filing.year, filing.month, now):
        open_exception = FilingException.objects.filter(
            region_id=filing.region_id, year=filing.year, month=filing.month, expires_at__gt=now
        ).exists()
        if not open_exception:
            closed = rules.last_filing_day(filing.year, filing.month)
            return (
                f"{filing.year}年{filing.month}月的填报已于 {closed:%Y-%m-%d} 截止，如需补报请联系市局解锁。"
            )
    return None


def _needs_progress(filing: MonthlyFiling) -> str | None:
    if not (filing.key_progress or "").strip():
        return "报送前请填写“重点工作进展”。"
    return None


def submit_rule(filing: MonthlyFiling, data: Mapping[str, Any]) -> str | None:
    """A first 报送 needs the month open (before the deadline, or 解锁) and the 重点工作进展."""
    return month_closed(filing, _now()) or _needs_progress(filing)


def resubmit_rule(filing: MonthlyFiling, data: Mapping[str, Any]) -> str | None:
    """A returned filing may always be resent, with its 重点工作进展."""
    return _needs_progress(filing)


def submit_effect(filing: MonthlyFiling, context) -> dict[str, Any] | None:
    now = _now()
    late = False
    if filing.first_submitted_at is None:
        filing.first_submitted_at = now
        filing.is_late = rules.is_past_deadline(filing.year, filing.month, now)
        late = filing.is_late
    filing.submitted_at = now
    return {"late": True} if late else None


def confirm_effect(filing: MonthlyFiling, context) -> None:
    filing.reviewed_at, filing.reviewed_by = _now(), context.actor


def return_effect(filing: MonthlyFiling, context) -> None:
    """The county hears of it through the workflow's one notice rule (reporting.services.notify_transition),
    the reason as the step's comment."""
    reason = context.comment.strip()
    filing.reviewed_at, filing.reviewed_by, filing.return_reason = _now(), context.actor, reason


def approve_effect(task: CountyTask, context) -> None:
    task.approved_by, task.approved_at = context.actor, _now()


S = rules.FilingState

FILING_WORKFLOW = register_workflow(
    Workflow(
        key=FILING_FLOW,
        model="reporting.MonthlyFiling",
        title="月度工作动态",
        states=rules.FilingState,
        initial=S.DRAFT,
        created=("create", "创建草稿"),
        transitions=(
            Transition(
                "submit",
                "报送",
                {S.DRAFT},
                S.SUBMITTED,
                "reporting.submit_monthlyfiling",
                rule=submit_rule,
                effect=submit_effect,
            ),
            Transition(
                "resubmit",
                "重新报送",
                {S.RETURNED},
                S.SUBMITTED,
                "reporting.submit_monthlyfiling",
                rule=resubmit_rule,
                effect=submit_effect,
            ),
            Transition(
                "confirm",
                "确认",
                {S.SUBMITTED},
                S.CONFIRMED,
                "reporting.review_monthlyfiling",
                effect=confirm_effect,
            ),
            Transition(
                "return",
                "退回",
                {S.SUBMITTED},
                S.RETURNED,
                "reporting.review_monthlyfiling",
                comment_required=True,
                effect=return_effect,
            ),
        ),
        steps={
            "save": "保存草稿",
            "attach": "上传附件",
            "detach": "删除附件",
            "reopen": "解锁补报",
            "remind": "催报提醒",
        },
        data_labels={"late": "逾期报送", "expires_at": "有效期至", "file": "附件"},
    )
)

TASK_WORKFLOW = register_workflow(
    Workflow(
        key=TASK_FLOW,
        model="reporting.CountyTask",
        title="年度任务",
        states=CountyTask.Status,
        state_field="status",
        initial=CountyTask.Status.PROPOSED,
        created=("create", "提出任务"),
        transitions=(
            Transition(
                "approve",
                "确认",
                {CountyTask.Status.PROPOSED},
                CountyTask.Status.APPROVED,
                "reporting.approve_countytask",
                effect=approve_effect,
            ),
        ),
    )
)
