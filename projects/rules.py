"""Plain rules of the plan-project life cycle (no database access; unit-tested table by table).

Sources: 《忻州市科技计划项目运行管理规范》 (2023: 申报 → 受理 → 评审立项 → 运行管理 → 绩效评估 →
结题验收 → 整理归档), the provincial filing rules (one application per 项目负责人; none while an own
project is overdue and not accepted), the acceptance rules of the national major projects (通过 /
整改后通过 / 不通过, one 整改 round) and 国办发〔2021〕32号 on 经费包干制 (no itemised budget).
See the shared domain-rules notes, section 6.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from decimal import Decimal

from django.db import models

from kejiju.core import uploads
from kejiju.core.dates import DateStep, check_date_order, declare_date_steps
from kejiju.core.invariants import Share, Unique, declare_invariants


class State(models.TextChoices):
    SUBMITTED = "submitted", "申报"
    WITHDRAWN = "withdrawn", "已撤回"
    ACCEPTED = "accepted", "受理"
    REJECTED = "rejected", "不予受理"
    REVIEW = "review", "评审"
    APPROVED = "approved", "立项"
    NOT_APPROVED = "not_approved", "未立项"
    EXECUTING = "executing", "执行"
    SUSPENDED = "suspended", "暂停"
    EVALUATION = "evaluation", "绩效评估"
    ACCEPTANCE = "acceptance", "结题验收"
    RECTIFICATION = "rectification", "整改"
    CONCLUDED = "concluded", "验收完成"
    ARCHIVED = "archived", "归档"
    TERMINATED = "terminated", "终止"


class Action(models.TextChoices):
    WITHDRAW = "withdraw", "撤回"
    ACCEPT = "accept", "受理"
    REJECT = "reject", "不予受理"
    START_REVIEW = "start_review", "提交评审"
    APPROVE = "approve", "立项"
    NOT_APPROVE = "not_approve", "不予立项"
    SIGN_CONTRACT = "sign_contract", "签订任务书"
    SUSPEND = "suspend", "暂停"
    RESUME = "resume", "恢复执行"
    START_EVALUATION = "start_evaluation", "进入绩效评估"
    APPLY_ACCEPTANCE = "apply_acceptance", "申请结题验收"
    START_ACCEPTANCE = "start_acceptance", "进入结题验收"
    PASS = "pass", "验收通过"
    RECTIFY = "rectify", "要求整改"
    PASS_AFTER_RECTIFICATION = "pass_after_rectification", "整改后通过"
    FAIL = "fail", "验收不通过"
    ARCHIVE = "archive", "归档"
    TERMINATE = "terminate", "终止"


class AcceptanceResult(models.TextChoices):
    PASSED = "passed", "通过"
    PASSED_AFTER_RECTIFICATION = "passed_after_rectification", "整改后通过"
    FAILED = "failed", "不通过"


# The key of the project workflow (projects.workflow.PROJECT_FLOW) on its core.WorkflowEvent rows; here so
# that the selectors read the timeline without importing the workflow (which builds on them).
PROJECT_WORKFLOW = "projects.project"

# A project has money committed from 立项 on, whatever happened later (终止 keeps what was paid).
FUNDED_STATES = frozenset(
    {
        State.APPROVED,
        State.EXECUTING,
        State.SUSPENDED,
        State.EVALUATION,
        State.ACCEPTANCE,
        State.RECTIFICATION,
        State.CONCLUDED,
        State.ARCHIVED,
        State.TERMINATED,
    }
)
# Running (立项 until the acceptance conclusion): 终止 applies, disbursements and 变更 are possible.
RUNNING_STATES = frozenset(
    {
        State.APPROVED,
        State.EXECUTING,
        State.SUSPENDED,
        State.EVALUATION,
        State.ACCEPTANCE,
        State.RECTIFICATION,
    }
)
# An application not yet decided: counts against the one-application-per-PI-per-call rule.
PENDING_STATES = frozenset({State.SUBMITTED, State.ACCEPTED, State.REVIEW})
# A project still in execution after its end date is "overdue and unfinished".
UNFINISHED_STATES = RUNNING_STATES
TERMINAL_STATES = frozenset(
    {State.WITHDRAWN, State.REJECTED, State.NOT_APPROVED, State.ARCHIVED, State.TERMINATED}
)
# Disbursements may be recorded once the project is 立项 and until it is archived.
DISBURSABLE_STATES = RUNNING_STATES | {State.CONCLUDED}


# The steps of running management that take a date (kejiju.core.dates); the life-cycle transitions
# (projects.workflow) take none (they are dated by the event that records them). Money is paid, a
# 中期检查 is held, only once the project has started; a year's 年度执行报告 cannot be filed before that
# year begins ("report_year_start", supplied by the service). Each is recorded as done: no future dates.
RUNNING_DATES: dict[str, DateStep] = declare_date_steps(
    "projects.running",
    {
        "disburse": DateStep("拨付日期", earlier=("start_date",), field="paid_on"),
        "annual_report": DateStep("报送日期", earlier=("start_date", "report_year_start"), field="filed_on"),
        "midterm_check": DateStep("检查日期", earlier=("start_date",), field="checked_on"),
    },
)

# 省校合作 projects record their steps as dates on the record: 签约 → 落地 → 完成, each keyed by the state
# that records it. A date of a step the project has reached is done (no future date); a later step's date,
# when filled in early, is a plan and only keeps the order.
COOPERATION_DATES: dict[str, DateStep] = declare_date_steps(
    "projects.cooperation",
    {
        "signed": DateStep("签约日期", field="signed_on"),
        "landed": DateStep("落地日期", earlier=("signed_on",), field="landed_on"),
        "finished": DateStep("完成日期", earlier=("signed_on", "landed_on"), field="finished_on"),
    },
)
# The state from which each step counts as done (终止 keeps whatever was reached).
COOPERATION_REACHED = {
    "signed": frozenset({"signed", "building", "landed", "finished", "stopped"}),
    "landed": frozenset({"landed", "finished"}),
    "finished": frozenset({"finished"}),
}

# A grant (赋权) follows the unit's joining the pilot ("pilot_joined_on", supplied by the service); a transfer
# or licence (its contract date) of a granted achievement follows the grant.
OWNERSHIP_DATES: dict[str, DateStep] = declare_date_steps(
    "projects.ownership",
    {
        "grant": DateStep("赋权日期", earlier=("pilot_joined_on",), field="granted_on"),
        "transfer": DateStep("转化日期", earlier=("granted_on",), field="transferred_on"),
    },
)


# The shares of ownership (所有权) granted on one achievement add up to at most 100%; a grant's ownership
# passes to an enterprise (转让 or 作价入股) once: after that the team no longer holds it to pass again.
OWNERSHIP_PASSING_MODES = ("assignment", "equity")
OWNERSHIP_SHARE = Share(
    key="projects.ownership_share",
    model="projects.OwnershipGrant",
    field="share_percent",
    group=("achievement",),
    label="所有权比例",
    group_label="同一成果的所有权赋权",
)
OWNERSHIP_PASSED_ONCE = Unique(
    key="projects.ownership_passed_once",
    model="projects.AchievementTransfer",
    fields=("grant",),
    label="同一赋权的所有权只能转出一次",
    when="转让或作价入股",
)
declare_invariants(OWNERSHIP_SHARE, OWNERSHIP_PASSED_ONCE)


def state_label(state: str) -> str:
    try:
        return str(State(state).label)
    except ValueError:
        return state


def action_label(action: str) -> str:
    try:
        return str(Action(action).label)
    except ValueError:
        return action


# ------------------------------------------------------------------------------------------ applicant rules


@dataclass(frozen=True)
class ApplicantFacts:
    """What the database knows about the principal investigator and the unit when an application is
    entered or submitted (or a project approved)."""

    pending_in_same_call: int  # other undecided applications of the PI in the same call
    overdue_unfinished: int  # the PI's running projects past their end date
    open_projects: int = 0  # the PI's running projects (立项, no acceptance conclusion yet)
    unit_pending_in_same_call: int = 0  # the unit's other applications in the same call
    # Of the PI's projects counted, those matched by mobile number only (entered without a 身份证号).
    matched_by_mobile: int = 0


@dataclass(frozen=True)
class CallLimits:
    """A call's 限项 (Call.limits). The defaults are the provincial filing rules: one application per PI per
    call, none while the PI has an overdue project; no cap on running projects or per unit."""

    per_leader: int = 1
    open_per_leader: int | None = None
    per_unit: int | None = None
    block_overdue: bool = True


def applicant_rule_breaches(facts: ApplicantFacts, limits: CallLimits = CallLimits()) -> list[str]:
    """The 限项 rules an application breaks (empty list: none). Staff may override with a reason."""
    breaches = []
    if facts.pending_in_same_call >= limits.per_leader:
        if limits.per_leader == 1:
            breaches.append("该项目负责人在本批次已有待处理的申报（每人每批次限报一项）。")
        else:
            breaches.append(
                f"该项目负责人在本批次已有 {facts.pending_in_same_call} 项待处理的申报"
                f"（每人每批次限报 {limits.per_leader} 项）。"
            )
    if limits.open_per_leader is not None and facts.open_projects >= limits.open_per_leader:
        breaches.append(
            f"该项目负责人已有 {facts.open_projects} 个在研项目"
            f"（本批次要求在研项目少于 {limits.open_per_leader} 个）。"
        )
    if limits.per_unit is not None and facts.unit_pending_in_same_call >= limits.per_unit:
        breaches.append(
            f"该单位在本批次已有 {facts.unit_pending_in_same_call} 项申报"
            f"（每个单位限报 {limits.per_unit} 项）。"
        )
    if limits.block_overdue and facts.overdue_unfinished > 0:
        breaches.append(f"该项目负责人有 {facts.overdue_unfinished} 个已超期未结题的项目，不能申报新项目。")
    if breaches and facts.matched_by_mobile:
        breaches.append(
            f"（其中 {facts.matched_by_mobile} 个项目录入时未登记负责人身份证号，按手机号识别为同一负责人。）"
        )
    return breaches


def approval_rule_breaches(facts: ApplicantFacts, limits: CallLimits = CallLimits()) -> list[str]:
    """At 立项 the call's rules on what the PI holds are checked again (a project approved meanwhile, one gone
    overdue); the counts within the call were settled when the application came in."""
    return applicant_rule_breaches(
        replace(facts, pending_in_same_call=0, unit_pending_in_same_call=0), replace(limits, per_unit=None)
    )


# ------------------------------------------------------------------------------------------------ funding


def disbursement_allowed(*, granted: Decimal | None, paid: Decimal, amount: Decimal) -> str | None:
    """None when `amount` may be paid out; otherwise the reason (in Chinese)."""
    if amount <= 0:
        return "拨付金额必须大于零。"
    if granted is None or granted <= 0:
        return "项目尚无批准的市级财政资金，不能拨付。"
    if paid + amount > granted:
        return f"累计拨付 {paid + amount} 元将超过批准的市级财政资金 {granted} 元。"
    return None


def paid_ratio(*, granted: Decimal | None, paid: Decimal) -> Decimal | None:
    """Share of the city grant paid out, exact to 0.01 %, or None without a grant."""
    if not granted:
        return None
    return (paid * 100 / granted).quantize(Decimal("0.01"))


# ------------------------------------------------------------------------------------ annual reports due


ANNUAL_REPORT_DUE_MONTH_DAY = (3, 31)  # the 年度执行报告 for year Y is due by 31 March of Y + 1


def annual_report_due_date(year: int) -> dt.date:
    month, day = ANNUAL_REPORT_DUE_MONTH_DAY
    return dt.date(year + 1, month, day)


def last_report_year_due(today: dt.date) -> int:
    """The latest year whose annual report is already due on `today`."""
    return today.year - 1 if today > annual_report_due_date(today.year - 1) else today.year - 2


def missing_annual_report_years(
    *, start: dt.date, end: dt.date, filed_years: set[int], today: dt.date
) -> list[int]:
    """Years of the project's term whose report is due and not filed."""
    last = min(end.year, last_report_year_due(today))
    return [year for year in range(start.year, last + 1) if year not in filed_years]


# ------------------------------------------------------------------------------------------- attachments


ALLOWED_SIGNATURES = uploads.ALLOWED_SIGNATURES
CONTENT_TYPES = uploads.CONTENT_TYPES
attachment_extension = uploads.upload_extension


def attachment_problem(*, filename: str, head: bytes, size: int, max_bytes: int, upload=None) -> str | None:
    """None when the file may be stored; otherwise why not (the shared upload check, any allowed type)."""
    return uploads.upload_problem(filename=filename, head=head, size=size, max_bytes=max_bytes, upload=upload)


# ------------------------------------------------------------------------ 职务科技成果赋权 pilot


class AchievementKind(models.TextChoices):
    INVENTION = "invention", "发明专利"
    UTILITY = "utility", "实用新型专利"
    DESIGN = "design", "外观设计专利"
    SOFTWARE = "software", "软件著作权"
    PLANT = "plant", "植物新品种"
    CIRCUIT = "circuit", "集成电路布图设计"
    KNOW_HOW = "know_how", "技术秘密"
    OTHER = "other", "其他"


class GrantMode(models.TextChoices):
    OWNERSHIP = "ownership", "所有权"
    LONG_TERM_USE = "long_term_use", "长期使用权"


class TransferMode(models.TextChoices):
    ASSIGNMENT = "assignment", "转让"
    LICENCE = "licence", "许可"
    EQUITY = "equity", "作价入股"


# 赋予科研人员职务科技成果长期使用权的，许可使用期限不少于 10 年（国科发区〔2020〕128号）。
LONG_TERM_USE_MIN_YEARS = 10
LONG_TERM_USE_MAX_YEARS = 50


def grant_problems(*, mode: str, share_percent: Decimal | None, years: int | None) -> dict[str, str]:
    """Field → reason for each refusal of a grant (赋权) to the research team."""
    problems: dict[str, str] = {}
    if mode == GrantMode.OWNERSHIP:
        if share_percent is None:
            problems["share_percent"] = "赋予所有权时请填写科研团队所有权比例。"
        elif not Decimal("0") < share_percent <= Decimal("100"):
            problems["share_percent"] = f"所有权比例 {share_percent}% 超出范围：须大于 0% 且不超过 100%。"
        if years:
            problems["years"] = "赋予所有权时不填写使用年限。"
    elif mode == GrantMode.LONG_TERM_USE:
        if years is None:
            problems["years"] = "赋予长期使用权时请填写使用年限。"
        elif not LONG_TERM_USE_MIN_YEARS <= years <= LONG_TERM_USE_MAX_YEARS:
            problems["years"] = (
                f"长期使用权年限须在 {LONG_TERM_USE_MIN_YEARS}–{LONG_TERM_USE_MAX_YEARS} 年之间，"
                f"填写的是 {years} 年。"
            )
        if share_percent is not None:
            problems["share_percent"] = "赋予长期使用权时不填写所有权比例。"
    else:
        problems["mode"] = "请选择赋权方式。"
    return problems


def transfer_date_problem(*, transferred_on: dt.date | None, granted_on: dt.date | None) -> str | None:
    """A transfer or licence of a granted achievement cannot predate the grant (the order only: a grant
    whose date is edited is checked against its recorded transfers)."""
    return check_date_order(
        date=transferred_on,
        label=OWNERSHIP_DATES["transfer"].label,
        earlier=[("赋权日期", granted_on)],
        today=dt.date.max,
        done=False,
    )


# ------------------------------------------------------------------ what a running project still owes

# The unit files its 年报, 中期 material, 变更 and 验收 material from 立项 until the acceptance conclusion.
UNIT_FILING_STATES = RUNNING_STATES
# 中期 material is asked of projects of two years or more, once half the term has passed
# (《忻州市科技计划项目运行管理规范》: 中期检查 for multi-year projects).
MIDTERM_MIN_TERM_DAYS = 730


def acceptance_awaits(state: str) -> str:
    """Who holds up an overdue project's 验收: the unit until it applies, the bureau afterwards."""
    if state in {State.EXECUTING, State.SUSPENDED, State.APPROVED}:
        return "单位提交验收申请"
    return "市局验收结论"


def midterm_due(*, start: dt.date, end: dt.date, today: dt.date) -> bool:
    """Half the term has passed on `today` for a project of two years or more (both ends counted)."""
    return (end - start).days + 1 >= MIDTERM_MIN_TERM_DAYS and (today - start) >= (end - today)


def project_owes(
    *,
    state: str,
    start: dt.date,
    end: dt.date,
    today: dt.date,
    filed_years: set[int],
    has_midterm: bool,
) -> list[str]:
    """What the unit still owes the bureau for a project, in the order it falls due: each year's 年度报告
    (due 31 March of the next year), the 中期 material once half a long term has passed, and the 验收申请
    after the end date. Empty for a project that is not running, or whose 验收 is already with the bureau."""
    if state not in {State.EXECUTING, State.SUSPENDED}:  # before the 任务书 nothing is due yet
        return []
    owed = [
        f"{year} 年度报告"
        for year in missing_annual_report_years(start=start, end=end, filed_years=filed_years, today=today)
    ]
    if not has_midterm and end >= today and midterm_due(start=start, end=end, today=today):
        owed.append("中期材料")
    if end < today:
        owed.append("验收申请")
    return owed
