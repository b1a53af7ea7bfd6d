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

# The actions of the flow experts.expert that (re)admit an expert: the year's 新入库专家 count them.
ADMISSION_ACTIONS = ("admit", "readmit")

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
REASON_YEARLY_CAP = "yearly_cap"

REASON_LABELS: dict[str, str] = {
    REASON_NOT_ACTIVE: "不在库",
    REASON_SAME_UNIT: "与申报单位为同一单位",
    REASON_AVOIDED_UNIT: "专家申明回避该单位",
    REASON_EXCLUDED: "申报单位申请回避",
    REASON_RECENT_REVIEW: "近年内评审过该申报单位",
    REASON_PLACED: "在申报单位担任科技副总",
    REASON_ALREADY_ON_PANEL: "已在本评审组中",
    REASON_INTEGRITY: "科研诚信失信惩戒期内（限制担任评审专家）",
    REASON_YEARLY_CAP: "本年度评审次数已达上限",
}


def reason_label(code: str, entry: Mapping | None = None) -> str:
    """The label of a skip reason; the yearly cap names the cap and the seats the entry recorded."""
    if code == REASON_YEARLY_CAP and entry and entry.get("yearly_cap"):
        return f"本年度评审已达 {entry['yearly_cap']} 次上限（已任 {entry.get('year_seats', 0)} 次）"
    return REASON_LABELS.get(code, code)


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
    # 技术/财务/管理 (Expert.Category), counted by a composition rule.
    category: str = "技术"
    # Regular seats on panels in the calendar year of the draw (not refused, panel not cancelled).
    year_seats: int = 0


@dataclass(frozen=True)
class DrawContext:
    # The applicants (organisation ids) of every subject of the panel: an expert in conflict with any of
    # them is kept off the whole panel.
    applicant_ids: frozenset[int] = frozenset()
    excluded_expert_ids: frozenset[int] = frozenset()
    already_on_panel_ids: frozenset[int] = frozenset()
    lookback_years: int = 3
    # Seats per expert per calendar year (the composition rule's yearly_cap); None: no cap.
    yearly_cap: int | None = None


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
    applicants = context.applicant_ids
    if applicants:
        if candidate.employer_id in applicants:
            reasons.append(REASON_SAME_UNIT)
        if applicants & candidate.avoided_unit_ids:
            reasons.append(REASON_AVOIDED_UNIT)
        if context.lookback_years and applicants & candidate.recent_applicant_ids:
            reasons.append(REASON_RECENT_REVIEW)
        if applicants & candidate.placed_at_ids:
            reasons.append(REASON_PLACED)
    if candidate.expert_id in context.excluded_expert_ids:
        reasons.append(REASON_EXCLUDED)
    if candidate.integrity is not None:
        reasons.append(REASON_INTEGRITY)
    if context.yearly_cap is not None and candidate.year_seats >= context.yearly_cap:
        reasons.append(REASON_YEARLY_CAP)
    return reasons


def screen(candidates: Iterable[Candidate], context: DrawContext) -> Screening:
    pool: list[int] = []
    skipped: list[dict] = []
    for candidate in sorted(candidates, key=lambda c: c.expert_id):
        reasons = conflict_reasons(candidate, context)
        if reasons:
            entry = {
                "expert_id": candidate.expert_id,
                "name": candidate.name,
                "reasons": reasons,
                "category": candidate.category,
            }
            if candidate.integrity is not None:
                entry["integrity"] = candidate.integrity.as_dict()
            if REASON_YEARLY_CAP in reasons:
                entry["year_seats"] = candidate.year_seats
                entry["yearly_cap"] = context.yearly_cap
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


# ------------------------------------------------------------------------------ composition of a panel

TECHNICAL, FINANCIAL, MANAGEMENT = "技术", "财务", "管理"
CATEGORY_LABELS = {TECHNICAL: "技术专家", FINANCIAL: "财务专家", MANAGEMENT: "管理专家"}
# The order in which quotas are filled: the scarce seats first (see draw_panel).
QUOTA_ORDER = (FINANCIAL, MANAGEMENT, TECHNICAL)

COMPOSED_ALGORITHM = (
    "按 SHA-256(种子:专家编号) 升序排列候选池；按组成规则依次取序位最前的财务专家、管理专家、技术专家"
    "补足各类最低人数，其余正式席位按序位取未选中的专家，正式专家按序位排列；备选专家按序位取其后未选中的专家"
)


@dataclass(frozen=True)
class Composition:
    """A composition rule (experts.models.CompositionRule) as plain data: what a draw applies and keeps."""

    kind: str
    label: str
    min_size: int = 1
    min_technical_share: int = 0  # percent of the regular seats, rounded up
    min_financial: int = 0
    min_management: int = 0
    yearly_cap: int | None = None

    @classmethod
    def from_rule(cls, rule) -> Composition:
        return cls(
            kind=rule.kind,
            label=rule.get_kind_display(),
            min_size=rule.min_size or 0,
            min_technical_share=rule.min_technical_share or 0,
            min_financial=rule.min_financial or 0,
            min_management=rule.min_management or 0,
            yearly_cap=rule.yearly_cap,
        )

    @classmethod
    def from_dict(cls, data: Mapping) -> Composition:
        return cls(**{name: data[name] for name in cls.__dataclass_fields__ if name in data})

    def as_dict(self) -> dict:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}

    def quotas(self, size: int) -> dict[str, int]:
        """The least number of regular seats of each category for a panel of ``size`` regular experts."""
        return {
            FINANCIAL: self.min_financial,
            MANAGEMENT: self.min_management,
            TECHNICAL: -(-size * self.min_technical_share // 100),
        }

    def problem(self, size: int) -> str | None:
        """Why a panel of ``size`` regular experts cannot meet the rule whatever the pool, or None."""
        if size < self.min_size:
            return f"正式专家人数：{self.label}评审组至少 {self.min_size} 人，现为 {size} 人。"
        quotas = self.quotas(size)
        if sum(quotas.values()) > size:
            parts = "、".join(f"{CATEGORY_LABELS[c]}至少 {quotas[c]} 名" for c in QUOTA_ORDER if quotas[c])
            return (
                f"{self.label}评审组组成规则无法满足：正式专家 {size} 人，须{parts}，"
                f"合计 {sum(quotas.values())} 名，超过正式专家人数。"
            )
        return None

    def describe(self) -> str:
        parts = [f"正式专家至少 {self.min_size} 人"]
        if self.min_technical_share:
            parts.append(f"技术专家至少占 {self.min_technical_share}%")
        if self.min_financial:
            parts.append(f"财务专家至少 {self.min_financial} 名")
        if self.min_management:
            parts.append(f"管理专家至少 {self.min_management} 名")
        parts.append(
            f"每位专家每年至多担任 {self.yearly_cap} 次评审" if self.yearly_cap else "不限年度评审次数"
        )
        return "；".join(parts)


class CompositionShortfall(ValueError):
    """The pool holds fewer experts of ``category`` than the rule still needs."""

    def __init__(self, *, category: str, needed: int, found: int, seated: int = 0, size: int = 0):
        super().__init__(f"{category}: needed {needed}, found {found}")
        self.category, self.needed, self.found, self.seated, self.size = category, needed, found, seated, size


class CompositionOverflow(ValueError):
    """The seats still to fill are fewer than the rule's categories still need (a supplementary draw after
    members of a required category left): no pool can meet the rule."""

    def __init__(self, *, composition: Composition, needs: Mapping[str, int], regular: int):
        parts = "、".join(f"{CATEGORY_LABELS[c]} {needs[c]} 名" for c in QUOTA_ORDER if needs[c])
        super().__init__(
            f"{composition.label}评审组组成规则无法满足：还须补足{parts}，但只缺 {regular} 个正式席位。"
            "请撤销后重新组建评审组，或调整评审组组成规则。"
        )


def draw_panel(
    pool: Sequence[int],
    seed: str,
    *,
    size: int,
    reserves: int = 0,
    categories: Mapping[int, str] | None = None,
    composition: Composition | None = None,
    seated: Mapping[str, int] | None = None,
) -> list[int]:
    """The experts drawn for a panel of ``size`` regular seats, of which ``seated`` (category -> count) are
    already taken (a supplementary draw), plus ``reserves``: the regular experts first, then the reserves.

    Without a composition rule: the first (size − seated + reserves) experts of the seeded order
    (:func:`draw`). With one, deterministic from the seed and the pool's categories:
      1. the pool in seeded order (:func:`draw_order`);
      2. for 财务, then 管理, then 技术: the first experts of that category in that order, as many as the
         rule still needs for the whole panel (its quota less the seated members of that category);
         too few of a category raises CompositionShortfall (category, needed, found);
      3. the remaining regular seats: the first experts in order not yet chosen, whatever their category;
      4. the regular experts listed in seeded order, then the reserves: the next experts in order not
         chosen.
    ``categories`` maps each pool expert to 技术/财务/管理 (missing: 技术). Raises ValueError when the pool
    is smaller than the number to draw."""
    seated = dict(seated or {})
    regular = size - sum(seated.values())
    count = regular + reserves
    if count > len(pool):
        raise ValueError(f"pool of {len(pool)} cannot fill {count}")
    ordered = draw_order(pool, seed)
    if composition is None:
        return ordered[:count]
    categories = categories or {}
    quotas = composition.quotas(size)
    needs = {c: max(0, quotas[c] - seated.get(c, 0)) for c in QUOTA_ORDER}
    if sum(needs.values()) > regular:
        raise CompositionOverflow(composition=composition, needs=needs, regular=regular)
    chosen: set[int] = set()
    for category in QUOTA_ORDER:
        needed = needs[category]
        if not needed:
            continue
        of_category = [e for e in ordered if categories.get(e, TECHNICAL) == category and e not in chosen]
        if len(of_category) < needed:
            raise CompositionShortfall(
                category=category,
                needed=quotas[category],
                found=len(of_category),
                seated=seated.get(category, 0),
                size=size,
            )
        chosen.update(of_category[:needed])
    for expert_id in ordered:
        if len(chosen) >= regular:
            break
        chosen.add(expert_id)
    seats = [e for e in ordered if e in chosen]
    rest = [e for e in ordered if e not in chosen]
    return seats + rest[:reserves]


def seat_keeps_composition(
    composition: Composition, *, size: int, seated: Mapping[str, int], category: str
) -> bool:
    """Whether seating one more expert of ``category`` on a panel of ``size`` regular seats, ``seated``
    (category -> count) of them taken, leaves enough open seats for what the rule still needs: the test a
    reserve passes before stepping in for a member who refused."""
    after = dict(seated)
    after[category] = after.get(category, 0) + 1
    quotas = composition.quotas(size)
    needs = sum(max(0, quotas[c] - after.get(c, 0)) for c in QUOTA_ORDER)
    return needs <= size - sum(after.values())


def describe_composition_shortfall(
    composition: Composition, shortfall: CompositionShortfall, screening: Screening
) -> str:
    """The Chinese message for a rule the pool cannot meet: which rule, how many of the category are
    eligible, and why the others of that category were skipped."""
    category = shortfall.category
    label = CATEGORY_LABELS[category]
    if category == TECHNICAL:
        rule = (
            f"须至少 {composition.min_technical_share}% 为{label}"
            f"（正式专家 {shortfall.size} 人中至少 {shortfall.needed} 名）"
        )
    else:
        rule = f"须至少 {shortfall.needed} 名{label}"
    text = f"{composition.label}评审组{rule}"
    if shortfall.seated:
        text += f"，已有 {shortfall.seated} 名在组"
    text += f"，候选池中符合条件的{label} {shortfall.found} 名"
    counts: dict[str, int] = {}
    skipped = 0
    for entry in screening.skipped:
        if entry.get("category", TECHNICAL) != category:
            continue
        skipped += 1
        for reason in entry["reasons"]:
            counts[reason] = counts.get(reason, 0) + 1
    if skipped:
        parts = "，".join(f"{REASON_LABELS[code]} {count} 名" for code, count in counts.items())
        text += f"（另有 {skipped} 名{label}被跳过：{parts}）"
    else:
        text += f"（所选领域中没有其他{label}）"
    return text + f"。请增加抽取领域、在专家库中登记{label}或调整评审组组成规则。"


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
    # Staff remind the experts who have not submitted their 网评 (experts.reminders).
    "remind": frozenset({DRAWING, CONFIRMED, SCORING}),
}

STEP_LABELS = {
    "confirm": "确认专家",
    "refuse": "登记拒绝",
    "supplement": "补充抽取",
    "score": "录入评分",
    "leader": "指定组长",
    "remind": "提醒专家",
}


def step_allowed(step: str, state: str) -> bool:
    return state in STEP_STATES[step]


def seating_complete(*, seated_confirmed: int, seated: int, size: int) -> bool:
    """Every one of the ``size`` regular seats is taken by a member who confirmed."""
    return seated == size and seated_confirmed == size
