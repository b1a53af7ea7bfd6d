"""Rules of the expert library as plain functions: conflict screening, the replayable random draw, panel
scoring and the states in which the panel's member-level steps may be taken (the panel's transitions are
declared in experts.workflow). No database access here; services feed them plain data.

Sources: 《忻州市科技专家库运行管理规范》 (2023) as summarised in the seed; the 回避 rules commonly used in
Chinese review practice (shared/reference/domain-rules.md, "Expert library"): same 法人单位 as the
applicant, experts the applicant asked to exclude, a recent review of the same applicant, experts not 在库;
and an expert under 科研诚信 惩戒 barring review (评审专家) on the draw's date (kejiju.integrity).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from kejiju.core.dates import DateStep, declare_date_steps

ACTIVE_STATE = "在库"

# Entering an expert in the library (expert_create, expert_update): the admission has happened. The state
# changes (暂停, 恢复在库, 出库, 重新入库) are the dated steps of the flow experts.expert (experts.workflow).
EXPERT_STATE_DATES: dict[str, DateStep] = declare_date_steps(
    "experts.state",
    {"register": DateStep("入库日期", field="admitted_on")},
)

# A 科技副总 placement's term, by the state from which each date has happened (the rest is a plan).
PLACEMENT_DATES: dict[str, DateStep] = declare_date_steps(
    "experts.placement",
    {
        "在任": DateStep("任期开始日期", field="term_start"),
        "期满": DateStep("任期结束日期", earlier=("term_start",), field="term_end"),
    },
)
PLACEMENT_REACHED = {"在任": frozenset({"在任", "期满"}), "期满": frozenset({"期满"})}


def placement_term_problem(*, state: str, term_end, today) -> str | None:
    """None unless a placement is 在任 with a term that ended before `today` (it is 期满 then)."""
    if state == "在任" and term_end is not None and term_end < today:
        return (
            f"任期结束日期（{term_end:%Y-%m-%d}）早于今天（{today:%Y-%m-%d}）：任期已满的科技副总不能为“在任”，"
            "请将状态改为“期满”或更正任期结束日期。"
        )
    return None


# ------------------------------------------------------------------------------------- conflict screening

REASON_NOT_ACTIVE = "not_active"
REASON_SAME_UNIT = "same_unit"
REASON_AVOIDED_UNIT = "avoided_unit"
REASON_EXCLUDED = "excluded"
REASON_RECENT_REVIEW = "recent_review"
REASON_PLACED = "placed"
REASON_ALREADY_ON_PANEL = "already_on_panel"
REASON_INTEGRITY = "integrity"

REASON_LABELS: dict[str, str] = {
    REASON_NOT_ACTIVE: "不在库",
    REASON_SAME_UNIT: "与申报单位为同一单位",
    REASON_AVOIDED_UNIT: "专家申明回避该单位",
    REASON_EXCLUDED: "申报单位申请回避",
    REASON_RECENT_REVIEW: "近年内评审过该申报单位",
    REASON_PLACED: "在申报单位担任科技副总",
    REASON_ALREADY_ON_PANEL: "已在本评审组中",
    REASON_INTEGRITY: "科研诚信失信惩戒期内（限制担任评审专家）",
}


@dataclass(frozen=True)
class IntegrityBar:
    """The 科研诚信 失信 record that bars an expert from reviewing on the draw's date (kejiju.integrity): what
    the draw keeps of it, so that its record names the finding whatever becomes of it later."""

    record_id: int
    source: str  # 文号/来源
    starts_on: date
    ends_on: date | None = None  # None: open-ended

    @property
    def period(self) -> str:
        until = f"至 {self.ends_on:%Y-%m-%d}" if self.ends_on else "长期"
        return f"{self.starts_on:%Y-%m-%d} 起{until}"

    def as_dict(self) -> dict:
        """The JSON kept on the draw's skipped entry (ReviewDraw.skipped[…]["integrity"])."""
        return {
            "record_id": self.record_id,
            "source": self.source,
            "starts_on": self.starts_on.isoformat(),
            "ends_on": self.ends_on.isoformat() if self.ends_on else None,
            "period": self.period,
        }


@dataclass(frozen=True)
class Candidate:
    """What the screening needs to know about one expert of the chosen fields."""

    expert_id: int
    name: str
    state: str
    employer_id: int | None
    avoided_unit_ids: frozenset[int] = frozenset()
    # Applicants (organisation ids) this expert reviewed within the look-back window.
    recent_applicant_ids: frozenset[int] = frozenset()
    # Enterprises (organisation ids) where the expert serves as 科技副总.
    placed_at_ids: frozenset[int] = frozenset()
    # The active 科研诚信 record barring the expert from reviewing on the draw's date, if any.
    integrity: IntegrityBar | None = None


@dataclass(frozen=True)
class DrawContext:
    applicant_id: int | None
    excluded_expert_ids: frozenset[int] = frozenset()
    already_on_panel_ids: frozenset[int] = frozenset()
    lookback_years: int = 3


@dataclass(frozen=True)
class Screening:
    pool: tuple[int, ...]  # eligible expert ids, ascending
    # {"expert_id", "name", "reasons": [codes]} (+ "integrity": IntegrityBar.as_dict() for that reason)
    skipped: tuple[dict, ...] = field(default_factory=tuple)

    def reason_counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for entry in self.skipped:
            for reason in entry["reasons"]:
                counts[reason] = counts.get(reason, 0) + 1
        return counts


def conflict_reasons(candidate: Candidate, context: DrawContext) -> list[str]:
    """Every reason that keeps ``candidate`` out of the draw (empty: eligible)."""
    reasons = []
    if candidate.expert_id in context.already_on_panel_ids:
        reasons.append(REASON_ALREADY_ON_PANEL)
    if candidate.state != ACTIVE_STATE:
        reasons.append(REASON_NOT_ACTIVE)
    applicant = context.applicant_id
    if applicant is not None:
        if candidate.employer_id == applicant:
            reasons.append(REASON_SAME_UNIT)
        if applicant in candidate.avoided_unit_ids:
            reasons.append(REASON_AVOIDED_UNIT)
        if context.lookback_years and applicant in candidate.recent_applicant_ids:
            reasons.append(REASON_RECENT_REVIEW)
        if applicant in candidate.placed_at_ids:
            reasons.append(REASON_PLACED)
    if candidate.expert_id in context.excluded_expert_ids:
        reasons.append(REASON_EXCLUDED)
    if candidate.integrity is not None:
        reasons.append(REASON_INTEGRITY)
    return reasons


def screen(candidates: Iterable[Candidate], context: DrawContext) -> Screening:
    pool: list[int] = []
    skipped: list[dict] = []
    for candidate in sorted(candidates, key=lambda c: c.expert_id):
        reasons = conflict_reasons(candidate, context)
        if reasons:
            entry = {"expert_id": candidate.expert_id, "name": candidate.name, "reasons": reasons}
            if candidate.integrity is not None:
                entry["integrity"] = candidate.integrity.as_dict()
            skipped.append(entry)
        else:
            pool.append(candidate.expert_id)
    return Screening(pool=tuple(pool), skipped=tuple(skipped))


def describe_shortfall(*, needed: int, screening: Screening) -> str:
    """The Chinese message for a draw that cannot be filled: how many were eligible, why the rest were
    skipped."""
    found = len(screening.pool)
    text = f"符合条件的专家不足：需要 {needed} 人，候选池仅有 {found} 人"
    counts = screening.reason_counts()
    if counts:
        parts = [f"{REASON_LABELS[code]} {count} 人" for code, count in counts.items()]
        text += f"；另有 {len(screening.skipped)} 人被跳过（{'，'.join(parts)}）"
    else:
        text += "；所选领域中没有其他专家"
    return text + "。请增加抽取领域、减少人数或调整回避条件。"


# ------------------------------------------------------------------------------------------------ draw


def draw_order(pool: Sequence[int], seed: str) -> list[int]:
    """The pool ordered by SHA-256 of ``"<seed>:<expert id>"``: a random permutation fixed by the seed that
    anyone can recompute with any SHA-256 tool, independent of Python's random module."""

    def key(expert_id: int) -> tuple[str, int]:
        return hashlib.sha256(f"{seed}:{expert_id}".encode()).hexdigest(), expert_id

    return sorted(pool, key=key)


def draw(pool: Sequence[int], seed: str, count: int) -> list[int]:
    """The first ``count`` experts of the seeded order. Raises ValueError when the pool is too small."""
    if count > len(pool):
        raise ValueError(f"pool of {len(pool)} cannot fill {count}")
    return draw_order(pool, seed)[:count]


# --------------------------------------------------------------------------------------------- scoring

TWO_PLACES = Decimal("0.01")


@dataclass(frozen=True)
class Criterion:
    key: str
    label: str
    max_score: Decimal
    weight: Decimal


def parse_criteria(raw: object) -> list[Criterion]:
    """Validate a criteria list ``[{"key", "label", "max_score", "weight"}, …]``; ValueError in Chinese."""
    if not isinstance(raw, list) or not raw:
        raise ValueError("评分指标不能为空。")
    criteria: list[Criterion] = []
    seen: set[str] = set()
    for index, item in enumerate(raw, start=1):
        if not isinstance(item, Mapping):
            raise ValueError(f"第 {index} 项评分指标格式不正确。")
        key = str(item.get("key", "")).strip()
        label = str(item.get("label", "")).strip()
        if not key or not label:
            raise ValueError(f"第 {index} 项评分指标缺少编码或名称。")
        if key in seen:
            raise ValueError(f"评分指标编码“{key}”重复。")
        seen.add(key)
        try:
            max_score = Decimal(str(item.get("max_score")))
            weight = Decimal(str(item.get("weight", 1)))
        except (InvalidOperation, ValueError):
            raise ValueError(f"评分指标“{label}”的满分或权重不是数字。") from None
        if not max_score.is_finite() or max_score <= 0:
            raise ValueError(f"评分指标“{label}”的满分必须大于 0。")
        if not weight.is_finite() or weight <= 0:
            raise ValueError(f"评分指标“{label}”的权重必须大于 0。")
        criteria.append(Criterion(key=key, label=label, max_score=max_score, weight=weight))
    return criteria


def criteria_max_total(raw: object) -> Decimal:
    try:
        return sum((c.max_score * c.weight for c in parse_criteria(raw)), Decimal(0))
    except ValueError:
        return Decimal(0)


def check_score(criterion: Criterion, score: Decimal) -> None:
    if not score.is_finite() or score < 0 or score > criterion.max_score:
        raise ValueError(
            f"“{criterion.label}”的得分应在 0–{criterion.max_score.normalize():f} 之间，实际为 {score}。"
        )


def score_value(criterion: Criterion, raw: object) -> Decimal:
    """One typed cell of a member's scores (a form's text, a spreadsheet's number, a Decimal) as a Decimal
    of at most two places within 0 … the criterion's maximum; ValueError in Chinese naming the criterion.
    The per-member entry, the 会评 grid and the score-sheet upload all read their cells through it."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        raise ValueError(f"“{criterion.label}”：请填写得分。")
    if isinstance(raw, Decimal):
        number = raw
    else:
        try:
            number = None if isinstance(raw, bool) else Decimal(str(raw).strip())
        except (InvalidOperation, ValueError):
            number = None
    if number is None or not number.is_finite():
        raise ValueError(f"“{criterion.label}”的得分“{raw}”不是数字。")
    check_score(criterion, number)
    if number != number.quantize(TWO_PLACES):
        raise ValueError(f"“{criterion.label}”的得分 {number} 最多保留两位小数。")
    return number.quantize(TWO_PLACES)


def member_total(criteria: Sequence[Criterion], scores: Mapping[str, Decimal]) -> Decimal | None:
    """Σ score × weight over the criteria; None while any criterion has no score."""
    total = Decimal(0)
    for criterion in criteria:
        score = scores.get(criterion.key)
        if score is None:
            return None
        total += score * criterion.weight
    return total.quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def panel_score(totals: Sequence[Decimal], *, drop_extremes: bool) -> Decimal:
    """The mean of the members' totals, after removing one highest and one lowest when asked (needs at
    least three totals), rounded half-up to two places."""
    if not totals:
        raise ValueError("没有任何专家的完整评分。")
    values = sorted(totals)
    if drop_extremes:
        if len(values) < 3:
            raise ValueError(f"去掉最高分和最低分至少需要 3 位专家的评分，现有 {len(values)} 位。")
        values = values[1:-1]
    mean = sum(values, Decimal(0)) / len(values)
    return mean.quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def rank(results: Mapping[object, Decimal | None]) -> dict[object, int | None]:
    """Competition ranking (1, 2, 2, 4) by descending result; None results are unranked."""
    scored = sorted((value for value in results.values() if value is not None), reverse=True)
    positions: dict[Decimal, int] = {}
    for index, value in enumerate(scored, start=1):
        positions.setdefault(value, index)
    return {key: (positions[value] if value is not None else None) for key, value in results.items()}


# ------------------------------------------------------------------------------------- the panel's steps

# The panel's states; its transitions are declared in experts.workflow (the one workflow engine).
DRAWING, CONFIRMED, SCORING, CLOSED, CANCELLED = "抽取中", "已确认", "评分中", "已完成", "已撤销"

# The member-level steps (kept on the panel's timeline without a state change, or moving it on: see
# experts.workflow) -> the panel states in which each may be taken.
STEP_STATES: dict[str, frozenset[str]] = {
    "confirm": frozenset({DRAWING}),
    "refuse": frozenset({DRAWING, CONFIRMED}),
    "supplement": frozenset({DRAWING}),
    "score": frozenset({CONFIRMED, SCORING}),
    "leader": frozenset({DRAWING, CONFIRMED, SCORING}),
}

STEP_LABELS = {
    "confirm": "确认专家",
    "refuse": "登记拒绝",
    "supplement": "补充抽取",
    "score": "录入评分",
    "leader": "指定组长",
}


def step_allowed(step: str, state: str) -> bool:
    return state in STEP_STATES[step]


def seating_complete(*, seated_confirmed: int, seated: int, size: int) -> bool:
    """Every one of the ``size`` regular seats is taken by a member who confirmed."""
    return seated == size and seated_confirmed == size
