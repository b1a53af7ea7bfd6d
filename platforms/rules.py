"""Rules of the platforms app as plain functions (no ORM): the platform state machine, the recognition
batch and application flows, review ranking, performance grades and their consequence.

The states and the actions are Chinese-labelled enums; a refused action returns the reason in Chinese so
that services raise it and pages show it as is.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db import models

from kejiju.core.dates import DateStep, check_date_order, declare_date_steps


class Level(models.TextChoices):
    CITY = "city", "市级"
    PROVINCE = "province", "省级"
    NATIONAL = "national", "国家级"


LEVEL_RANK = {Level.CITY: 1, Level.PROVINCE: 2, Level.NATIONAL: 3}


class PlatformState(models.TextChoices):
    CULTIVATING = "cultivating", "培育"
    PREPARING = "preparing", "筹建"
    RECOGNISED = "recognised", "认定"
    REVOKED = "revoked", "撤销"


class PlatformAction(models.TextChoices):
    PREPARE = "prepare", "纳入筹建"
    RECOGNISE = "recognise", "认定"
    UPGRADE = "upgrade", "升级认定"
    REVOKE = "revoke", "撤销"
    RESTORE = "restore", "恢复培育"


# The platform's transitions, their dates, rules and effects are declared in platforms.workflow. Registering
# a platform in the registry (also one recognised before the portal) is its first step: its dates.
PLATFORM_DATES: dict[str, DateStep] = declare_date_steps(
    "platforms.platform",
    {
        "register": DateStep("登记生效日期", field="effective_on"),
        "register_recognised": DateStep("认定日期", field="recognised_on"),
    },
)


# 绩效评价 (platforms.services.evaluation_record, a step of the flow platforms.platform): the evaluation is
# dated on or after the platform's 认定日期 and the start of the year it evaluates ("year_start", supplied
# by the service), never in the future; a year that has not begun cannot be evaluated at all.
EVALUATION_DATES: dict[str, DateStep] = declare_date_steps(
    "platforms.evaluation",
    {"evaluate": DateStep("评价日期", earlier=("recognised_on", "year_start"), field="evaluated_on")},
)


def evaluation_year_problem(*, year: int, today) -> str | None:
    """None when `year` may be evaluated on `today`, else the reason (a 2028 evaluation entered in 2026)."""
    if year > today.year:
        return f"评价年度（{year}年）不能晚于当前年度（{today.year}年）：尚未到来的年度不能录入绩效评价。"
    return None


# The key of the platform workflow: platforms.workflow declares it, selectors filter its events by it.
PLATFORM_WORKFLOW_KEY = "platforms.platform"


# --------------------------------------------------------------------------------------- recognition batch


class BatchState(models.TextChoices):
    OPEN = "open", "单位申报"
    FORMAL = "formal", "形式审查"
    REVIEW = "review", "专家评审"
    PUBLICITY = "publicity", "公示"
    DONE = "done", "已认定"


BATCH_ORDER = [BatchState.OPEN, BatchState.FORMAL, BatchState.REVIEW, BatchState.PUBLICITY, BatchState.DONE]


class ApplicationState(models.TextChoices):
    SUBMITTED = "submitted", "已申报"
    ACCEPTED = "accepted", "形式审查通过"
    REJECTED = "rejected", "形式审查未通过"
    PROPOSED = "proposed", "拟认定（公示）"
    NOT_PROPOSED = "not_proposed", "未入选"
    OBJECTED = "objected", "公示有异议"
    RECOGNISED = "recognised", "已认定"


@dataclass(frozen=True)
class ApplicationSnapshot:
    """What the batch rules need to know of one application."""

    state: str
    score: Decimal | None = None
    panel_open: bool = False  # an expert review panel is still drawing or scoring


class BatchAction(models.TextChoices):
    """The batch's steps (platforms.workflow): each moves it on to the next state of BATCH_ORDER."""

    CLOSE_APPLICATIONS = "close_applications", "截止申报，进入形式审查"
    START_REVIEW = "start_review", "进入专家评审"
    PUBLICISE = "publicise", "排名并公示"
    RECOGNISE = "recognise", "认定"


BATCH_NEXT_ACTION = {
    BatchState.OPEN: BatchAction.CLOSE_APPLICATIONS,
    BatchState.FORMAL: BatchAction.START_REVIEW,
    BatchState.REVIEW: BatchAction.PUBLICISE,
    BatchState.PUBLICITY: BatchAction.RECOGNISE,
}


class ApplicationAction(models.TextChoices):
    ACCEPT = "accept", "形式审查通过"
    REJECT = "reject", "形式审查不通过"
    PROPOSE = "propose", "列为拟认定"
    NOT_PROPOSE = "not_propose", "未入选"
    OBJECT = "object", "公示异议成立"
    RECOGNISE = "recognise", "认定"


def batch_advance_refusal(*, state: str, applications: Sequence[ApplicationSnapshot]) -> str | None:
    """None when the batch may move on to its next step, else the reason it may not."""
    if state == BatchState.DONE:
        return "该批次已完成认定，不能再推进。"
    if state == BatchState.OPEN:
        if not applications:
            return "该批次还没有申报单位，不能进入形式审查。"
        return None
    if state == BatchState.FORMAL:
        waiting = sum(1 for a in applications if a.state == ApplicationState.SUBMITTED)
        if waiting:
            return f"还有 {waiting} 份申报未完成形式审查。"
        if not any(a.state == ApplicationState.ACCEPTED for a in applications):
            return "没有通过形式审查的申报，无法进入专家评审。"
        return None
    if state == BatchState.REVIEW:
        accepted = [a for a in applications if a.state == ApplicationState.ACCEPTED]
        open_panels = sum(1 for a in accepted if a.panel_open)
        if open_panels:
            return f"还有 {open_panels} 个专家评审组尚未完成评分。"
        missing = sum(1 for a in accepted if a.score is None)
        if missing:
            return f"还有 {missing} 份申报没有专家评审结果。"
        return None
    if state == BatchState.PUBLICITY:
        if not any(a.state == ApplicationState.PROPOSED for a in applications):
            return "没有拟认定的申报（全部公示有异议），无法认定。"
        return None
    return f"未知的批次状态“{state}”。"


def batch_next_state(state: str) -> str:
    return BATCH_ORDER[BATCH_ORDER.index(BatchState(state)) + 1]


# The default scoring sheet of a platform recognition review (100 points); staff may edit it per panel.
# An application offers it to the expert library's panel (models) and the review step reads panels with it.
RECOGNITION_CRITERIA = [
    {"key": "basis", "label": "研发条件与基础", "max_score": 30, "weight": 1},
    {"key": "team", "label": "研发团队与人才", "max_score": 25, "weight": 1},
    {"key": "output", "label": "研发投入与创新成果", "max_score": 25, "weight": 1},
    {"key": "management", "label": "运行管理与开放共享", "max_score": 20, "weight": 1},
]


@dataclass(frozen=True)
class Ranked:
    key: object
    score: Decimal
    rank: int
    proposed: bool


def rank_applications(
    scores: Iterable[tuple[object, Decimal]], *, pass_score: Decimal, quota: int | None
) -> list[Ranked]:
    """Rank by score (highest first; equal scores share a rank, competition style 1,2,2,4). An application
    is proposed for recognition when its score reaches `pass_score` and its rank is within `quota` (no
    quota: every one that passes). Ties at the quota line are all proposed: the rule does not pick among
    equals."""
    ordered = sorted(scores, key=lambda item: item[1], reverse=True)
    result: list[Ranked] = []
    previous: Decimal | None = None
    rank = 0
    for position, (key, score) in enumerate(ordered, start=1):
        if score != previous:
            rank = position
            previous = score
        proposed = score >= pass_score and (quota is None or rank <= quota)
        result.append(Ranked(key=key, score=score, rank=rank, proposed=proposed))
    return result


def certificate_number(*, prefix: str, year: int, serial: int) -> str:
    """忻州市 city-level certificate numbers: `<type prefix>-<year>-<3-digit serial>`, e.g. XZKL-2023-001."""
    if serial < 1 or serial > 999:
        raise ValueError("serial must be between 1 and 999")
    return f"{prefix}-{year}-{serial:03d}"


# ----------------------------------------------------------------------------------- performance evaluation


class Grade(models.TextChoices):
    EXCELLENT = "excellent", "优秀"
    GOOD = "good", "良好"
    PASS = "pass", "合格"
    FAIL = "fail", "不合格"


@dataclass(frozen=True)
class GradeThresholds:
    excellent: Decimal = Decimal("90")
    good: Decimal = Decimal("80")
    passing: Decimal = Decimal("60")

    def refusal(self) -> str | None:
        if not (Decimal("0") <= self.passing <= self.good <= self.excellent <= Decimal("100")):
            return "分数线须满足 0 ≤ 合格 ≤ 良好 ≤ 优秀 ≤ 100。"
        return None


def grade_for(score: Decimal, thresholds: GradeThresholds) -> str:
    if score >= thresholds.excellent:
        return Grade.EXCELLENT
    if score >= thresholds.good:
        return Grade.GOOD
    if score >= thresholds.passing:
        return Grade.PASS
    return Grade.FAIL


def revocation_proposed(grades_by_year: dict[int, str], *, year: int, fail_streak: int) -> bool:
    """True when the platform's grades for `year` and the `fail_streak - 1` years before it are all
    不合格 (consecutive years: a missing year breaks the streak). `fail_streak` 0 turns the rule off."""
    if fail_streak <= 0:
        return False
    return all(grades_by_year.get(year - offset) == Grade.FAIL for offset in range(fail_streak))


def revocation_flags(grades_by_year: dict[int, str], *, fail_streak: int) -> dict[int, bool]:
    """拟撤销 for every evaluated year of one platform, over its whole history (so that entering years out of
    order or correcting an earlier year flags and unflags every year it concerns)."""
    return {
        year: revocation_proposed(grades_by_year, year=year, fail_streak=fail_streak)
        for year in grades_by_year
    }


# --------------------------------------------------------------------------------- science popularisation


class OutreachKind(models.TextChoices):
    LECTURE = "lecture", "科技大讲堂"
    GRASSROOTS = "grassroots", "科普宣传进基层"
    OPEN_DAY = "open_day", "实验室与科普基地开放日"
    EXHIBITION = "exhibition", "科普展览"
    CONTEST = "contest", "科普竞赛"
    OTHER = "other", "其他"


class OutreachState(models.TextChoices):
    PLANNED = "planned", "计划举办"
    HELD = "held", "已举办"


# A popularisation event recorded as held (已举办) has happened: its date is not in the future. The refusal
# is shown on the state (a planned event may carry any date).
OUTREACH_DATES: dict[str, DateStep] = declare_date_steps(
    "platforms.outreach", {OutreachState.HELD: DateStep("活动日期", field="state")}
)


def outreach_event_problems(
    *, state: str, held_on, today, audience: int | None, has_platform: bool, organiser_name: str
) -> dict[str, str]:
    """Field → reason for each refusal of a popularisation event (empty when it may be saved)."""
    problems: dict[str, str] = {}
    step = OUTREACH_DATES.get(state)
    problem = step and check_date_order(date=held_on, label=step.label, earlier=(), today=today)
    if problem:
        problems[step.field] = f"{problem}尚未举办的活动不能标记为“已举办”。"
    if state == OutreachState.PLANNED and audience:
        problems["audience"] = "计划举办的活动尚无受众人数，举办后再填写。"
    if not has_platform and not organiser_name.strip():
        problems["organiser_name"] = "请选择举办平台或填写举办单位。"
    return problems
