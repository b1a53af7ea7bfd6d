"""Business rules for enterprises: the 科技型中小企业 evaluation and the 高新技术企业 certification checklist.

Pure functions over plain dataclasses: no Django, no database. Views, services and reports call these
functions and show their Chinese labels and texts as they are.

Sources (see ``shared/reference/domain-rules.md`` sections 1 and 2):

* 科技型中小企业评价: 《科技型中小企业评价办法》(国科发政〔2017〕115号) 第六条 (basic conditions), its
  annex 《科技型中小企业评价指标》 (the 100-point score) and 第七条 (direct qualification); 《科技型中小企业
  评价服务工作指引》(国科火字〔2022〕67号), which restates condition (三) as an industry restriction.
* 高新技术企业认定: 《高新技术企业认定管理办法》(国科发火〔2016〕32号) 第十一条 and 《高新技术企业认定管理
  工作指引》(国科发火〔2016〕195号) (创新能力评价: "70分以上（不含70分）").

Before go-live every threshold must be re-checked against the official text. They are kept in the tables
below, each with its source, and nowhere else.

Conventions: money is :class:`~decimal.Decimal` in 元 (yuan), never float; ratios are exact
:class:`~fractions.Fraction` values and are compared exactly against the thresholds; :func:`format_percent`
shows them with one decimal place, rounded down so that a displayed figure never reaches a threshold the
exact figure misses (29.99% shows as 29.9%, not 30.0%).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction
from typing import Final

__all__ = [
    "GAOQI_MAX_INNOVATION_SCORE_EXCLUDED",
    "GAOQI_MIN_HIGH_TECH_REVENUE_PERCENT",
    "GAOQI_MIN_RD_IN_CHINA_PERCENT",
    "GAOQI_MIN_TECH_STAFF_PERCENT",
    "GAOQI_RD_BANDS",
    "INNOVATION_PARTS",
    "SMES_IP_CLASS1_POINTS",
    "SMES_IP_CLASS2_BANDS",
    "SMES_MAX_ASSETS",
    "SMES_MAX_EMPLOYEES",
    "SMES_MAX_REVENUE",
    "SMES_PASS_SCORE",
    "SMES_RD_COST_BANDS",
    "SMES_RD_REVENUE_BANDS",
    "SMES_TECH_STAFF_BANDS",
    "ChecklistLine",
    "ConditionResult",
    "DirectRoute",
    "EnterpriseFlags",
    "InnovationPart",
    "IntegrityFinding",
    "PercentBand",
    "RdBand",
    "ScoreLine",
    "SmesEvaluation",
    "YearlyFigures",
    "clean_record_condition",
    "evaluate_smes",
    "format_percent",
    "format_wan",
    "gaoqi_checklist",
    "innovation_problems",
    "innovation_total",
    "ratio",
]

WAN: Final = Decimal(10_000)
YI: Final = Decimal(100_000_000)


@dataclass(frozen=True, slots=True)
class PercentBand:
    """A score band: a ratio of at least ``min_percent`` % earns ``points``."""

    min_percent: Decimal
    points: int

    @property
    def min_ratio(self) -> Fraction:
        return Fraction(self.min_percent) / 100


# ==========================================================================================================
# 科技型中小企业评价 — thresholds
# ==========================================================================================================

# Basic conditions: 国科发政〔2017〕115号 第六条(二): "职工总数不超过500人、年销售收入不超过2亿元、资产总额
# 不超过2亿元" — all inclusive.
SMES_MAX_EMPLOYEES: Final = 500
SMES_MAX_REVENUE: Final = 2 * YI
SMES_MAX_ASSETS: Final = 2 * YI

# 第六条(五): "综合评价得分不低于60分，且科技人员指标得分不得为0分".
SMES_PASS_SCORE: Final = 60

# Annex 《科技型中小企业评价指标》 一、科技人员指标 (满分20分): 科技人员数占企业职工总数的比例.
# Each band is "≥ min_percent" (A ≥30%, B [25,30), C [20,25), D [15,20), E [10,15), F <10% → 0).
SMES_TECH_STAFF_BANDS: Final[tuple[PercentBand, ...]] = (
    PercentBand(Decimal(30), 20),
    PercentBand(Decimal(25), 16),
    PercentBand(Decimal(20), 12),
    PercentBand(Decimal(15), 8),
    PercentBand(Decimal(10), 4),
)

# Annex 二、研发投入指标 (满分50分): the enterprise is scored on the better of two options.
# Option 1: 研发费用总额占销售收入总额的比例 (≥6% 50, [5,6) 40, [4,5) 30, [3,4) 20, [2,3) 10, <2% 0).
SMES_RD_REVENUE_BANDS: Final[tuple[PercentBand, ...]] = (
    PercentBand(Decimal(6), 50),
    PercentBand(Decimal(5), 40),
    PercentBand(Decimal(4), 30),
    PercentBand(Decimal(3), 20),
    PercentBand(Decimal(2), 10),
)
# Option 2: 研发费用总额占成本费用支出总额的比例 (≥30% 50, [25,30) 40, [20,25) 30, [15,20) 20, [10,15) 10).
SMES_RD_COST_BANDS: Final[tuple[PercentBand, ...]] = (
    PercentBand(Decimal(30), 50),
    PercentBand(Decimal(25), 40),
    PercentBand(Decimal(20), 30),
    PercentBand(Decimal(15), 20),
    PercentBand(Decimal(10), 10),
)

# Annex 三、科技成果指标 (满分30分): valid IP on the main products, without dispute.
# At least one Ⅰ类 (发明专利, 植物新品种, 国家级农作物品种, 国家新药, 国家一级中药保护品种, 集成电路布图设计
# 专有权) scores 30; otherwise Ⅱ类 (实用新型, 外观设计, 软件著作权) by count, ≥4 → 24, 3 → 18, 2 → 12, 1 → 6.
SMES_IP_CLASS1_POINTS: Final = 30
SMES_IP_CLASS2_BANDS: Final[tuple[tuple[int, int], ...]] = ((4, 24), (3, 18), (2, 12), (1, 6))


class DirectRoute(StrEnum):
    """第七条: routes to qualification without the score, for an enterprise meeting conditions (一)-(四).

    Listed in the order of the rules; the first that applies is reported.
    """

    GAOQI = "gaoqi"
    NATIONAL_AWARD = "national_award"
    PROVINCIAL_RD_CENTRE = "provincial_rd_centre"
    LED_STANDARD = "led_standard"

    @property
    def label(self) -> str:
        return _DIRECT_ROUTE_LABELS[self]


_DIRECT_ROUTE_LABELS: Final[dict[DirectRoute, str]] = {
    DirectRoute.GAOQI: "拥有有效期内高新技术企业资格证书",
    DirectRoute.NATIONAL_AWARD: "近五年内获得过国家级科技奖励，并在获奖单位中排在前三名",
    DirectRoute.PROVINCIAL_RD_CENTRE: "拥有经认定的省部级以上研发机构",
    DirectRoute.LED_STANDARD: "近五年内主导制定过国际标准、国家标准或行业标准",
}


# ==========================================================================================================
# 高新技术企业认定 — thresholds (国科发火〔2016〕32号 第十一条; 国科发火〔2016〕195号)
# ==========================================================================================================

# 第十一条(四): 科技人员占企业当年职工总数的比例不低于10%.
GAOQI_MIN_TECH_STAFF_PERCENT: Final = Decimal(10)


@dataclass(frozen=True, slots=True)
class RdBand:
    """R&D intensity required of an enterprise whose latest revenue is at most ``max_revenue`` (None: any)."""

    max_revenue: Decimal | None
    min_percent: Decimal
    revenue_text: str


# 第十一条(五): 近三个会计年度研发费用总额占同期销售收入总额的比例, by the latest year's 销售收入; each upper
# bound is inclusive ("5,000万元以下（含）", "5,000万元至2亿元（含）", "2亿元以上").
GAOQI_RD_BANDS: Final[tuple[RdBand, ...]] = (
    RdBand(5000 * WAN, Decimal(5), "最近一年销售收入不超过5000万元"),
    RdBand(2 * YI, Decimal(4), "最近一年销售收入在5000万元至2亿元（含）"),
    RdBand(None, Decimal(3), "最近一年销售收入在2亿元以上"),
)
# 第十一条(五): 在中国境内发生的研发费用总额占全部研发费用总额的比例不低于60%.
GAOQI_MIN_RD_IN_CHINA_PERCENT: Final = Decimal(60)
# 第十一条(六): 近一年高新技术产品（服务）收入占企业同期总收入的比例不低于60%.
GAOQI_MIN_HIGH_TECH_REVENUE_PERCENT: Final = Decimal(60)
# 第十一条(七) and 工作指引: 企业创新能力评价 must be "70分以上（不含70分）": the score must exceed this.
GAOQI_MAX_INNOVATION_SCORE_EXCLUDED: Final = 70


@dataclass(frozen=True)
class InnovationPart:
    """One of the four parts of the 企业创新能力评价 (工作指引), scored in whole points up to `maximum`."""

    key: str
    label: str
    maximum: int


# 工作指引: 知识产权 ≤ 30, 科技成果转化能力 ≤ 30, 研究开发组织管理水平 ≤ 20, 企业成长性 ≤ 20 (100 in all).
INNOVATION_PARTS: Final[tuple[InnovationPart, ...]] = (
    InnovationPart("ip_score", "知识产权", 30),
    InnovationPart("conversion_score", "科技成果转化能力", 30),
    InnovationPart("management_score", "研究开发组织管理水平", 20),
    InnovationPart("growth_score", "企业成长性", 20),
)


def innovation_problems(scores: Mapping[str, int | None]) -> dict[str, str]:
    """Per part, why its score cannot be recorded (missing, not a whole number, out of 0..maximum)."""
    problems = {}
    for part in INNOVATION_PARTS:
        value = scores.get(part.key)
        if value is None:
            problems[part.key] = f"请填写{part.label}得分（0–{part.maximum}分）。"
        elif not isinstance(value, int) or isinstance(value, bool):
            problems[part.key] = f"{part.label}得分须为整数分。"
        elif not 0 <= value <= part.maximum:
            problems[part.key] = f"{part.label}得分须在0–{part.maximum}分之间，填写的是{value}分。"
    return problems


def innovation_total(scores: Mapping[str, int]) -> int:
    """The 企业创新能力评价 score: the sum of its four parts (never typed)."""
    return sum(scores[part.key] for part in INNOVATION_PARTS)


# ==========================================================================================================
# Inputs
# ==========================================================================================================


@dataclass(frozen=True, slots=True, kw_only=True)
class YearlyFigures:
    """One year's figures of an enterprise. Money in 元 as Decimal; ``None`` where not reported."""

    employees: int | None = None  # 职工总数 (在职、兼职、临时聘用)
    tech_staff: int | None = None  # 科技人员数
    revenue: Decimal | None = None  # 销售收入
    total_assets: Decimal | None = None  # 资产总额
    rd_expense: Decimal | None = None  # 研发费用总额
    total_cost: Decimal | None = None  # 成本费用支出总额
    ip_class1: int | None = None  # Ⅰ类知识产权 count
    ip_class2: int | None = None  # Ⅱ类知识产权 count
    high_tech_revenue: Decimal | None = None  # 高新技术产品（服务）收入
    total_income: Decimal | None = None  # 总收入 (收入总额); 高企 share uses ``revenue`` when not given

    def __post_init__(self) -> None:
        for name in (
            "revenue",
            "total_assets",
            "rd_expense",
            "total_cost",
            "high_tech_revenue",
            "total_income",
        ):
            value = getattr(self, name)
            if value is not None and not isinstance(value, Decimal):
                raise TypeError(f"{name} must be a Decimal, not {type(value).__name__}")
        for name in ("employees", "tech_staff", "ip_class1", "ip_class2"):
            value = getattr(self, name)
            if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < 0):
                raise ValueError(f"{name} must be a non-negative int")


@dataclass(frozen=True, slots=True, kw_only=True)
class IntegrityFinding:
    """A 科研诚信 失信 record (kejiju.integrity) barring the enterprise's unit from 申报 on the day: what a
    checklist shows of it in place of the manual "无…失信" checkbox."""

    source: str  # 文号/来源
    period: str  # "2025-01-01 起至 2027-12-31" / "2025-01-01 起长期"
    url: str  # the record's page


@dataclass(frozen=True, slots=True, kw_only=True)
class EnterpriseFlags:
    """Yes/no facts that are not figures. The two record conditions have no default on purpose."""

    clean_record: bool  # 第六条(四): no major accident, no serious violation, not on the 异常/失信 lists
    industry_restricted: bool  # 第六条(三) as restated by the 2022 指引
    # An active 科研诚信 惩戒 of the unit (申报): the clean-record condition fails whatever the checkbox says.
    integrity: IntegrityFinding | None = None
    has_valid_gaoqi_certificate: bool = False
    national_award_top3: bool = False
    provincial_rd_centre: bool = False
    led_standard: bool = False


# ==========================================================================================================
# Results
# ==========================================================================================================


@dataclass(frozen=True, slots=True)
class ConditionResult:
    """One basic condition: ``passed`` is False when the figure is missing."""

    key: str
    label: str
    required: str
    actual: str
    passed: bool
    value: int | Decimal | None = None
    url: str = ""  # a record the line rests on (the 失信 record of the clean-record condition)


@dataclass(frozen=True, slots=True)
class ScoreLine:
    """One scored indicator. ``note`` says why the score is 0 when the measure could not be computed."""

    key: str
    label: str
    actual: str
    points: int
    max_points: int
    measure: Fraction | int | None = None
    note: str = ""


@dataclass(frozen=True, slots=True)
class SmesEvaluation:
    """The result of :func:`evaluate_smes`."""

    basic_conditions: tuple[ConditionResult, ...]
    tech_staff: ScoreLine
    rd_by_revenue: ScoreLine
    rd_by_cost: ScoreLine
    rd_option: int | None  # 1 (R&D / revenue) or 2 (R&D / cost) — the option that scored; None if neither
    ip: ScoreLine
    direct_route: DirectRoute | None

    @property
    def basic_ok(self) -> bool:
        return all(c.passed for c in self.basic_conditions)

    @property
    def rd(self) -> ScoreLine:
        """The 研发投入 line that counts (option 1 when both score the same)."""
        return self.rd_by_cost if self.rd_option == 2 else self.rd_by_revenue

    @property
    def total(self) -> int:
        return self.tech_staff.points + self.rd.points + self.ip.points

    @property
    def score_ok(self) -> bool:
        return self.total >= SMES_PASS_SCORE and self.tech_staff.points > 0

    @property
    def passed(self) -> bool:
        return self.basic_ok and (self.direct_route is not None or self.score_ok)

    @property
    def reasons(self) -> tuple[str, ...]:
        """Why the evaluation failed, in Chinese; empty when it passed."""
        if self.passed:
            return ()
        reasons = [f"不符合基本条件：{c.label}（{c.actual}）" for c in self.basic_conditions if not c.passed]
        if self.direct_route is None:
            if self.total < SMES_PASS_SCORE:
                reasons.append(f"综合评价得分{self.total}分，低于{SMES_PASS_SCORE}分")
            if self.tech_staff.points == 0:
                reasons.append("科技人员指标得分为0分")
        return tuple(reasons)


@dataclass(frozen=True, slots=True)
class ChecklistLine:
    """One line of the 高企 checklist. ``ok`` is None when the data needed is missing."""

    key: str
    label: str
    required: str
    actual: str
    ok: bool | None
    value: Fraction | Decimal | int | None = None
    url: str = ""  # a record the line rests on (the 失信 record of the clean-record line)


# ==========================================================================================================
# Helpers
# ==========================================================================================================


def ratio(numerator: Decimal | int | None, denominator: Decimal | int | None) -> Fraction | None:
    """``numerator / denominator`` as an exact Fraction; None if either is missing or the denominator is 0."""
    if numerator is None or denominator is None or denominator == 0:
        return None
    return Fraction(numerator) / Fraction(denominator)


def format_percent(value: Fraction | Decimal | None) -> str:
    """A ratio as a percentage with one decimal place, rounded down: ``Fraction(2999, 10000)`` → ``"29.9%"``.

    Rounding down keeps the text consistent with the exact comparison: a ratio just under a threshold never
    shows as the threshold itself. ``None`` → ``"—"``.
    """
    if value is None:
        return "—"
    tenths = math.floor(Fraction(value) * 1000)  # the percentage in tenths, rounded toward −∞
    return f"{Decimal(tenths).scaleb(-1)}%"


def format_wan(amount: Decimal | None) -> str:
    """An amount in 元 shown in 万元 with two decimals: ``Decimal("123456789")`` → ``"12,345.68万元"``."""
    if amount is None:
        return "未填报"
    return f"{(amount / WAN).quantize(Decimal('0.01')):,}万元"


def _round_amount(amount: Decimal) -> str:
    """A threshold amount as written in the rules: ``2亿元``, ``5000万元``."""
    if amount % YI == 0:
        return f"{amount / YI:f}亿元"
    if amount % WAN == 0:
        return f"{amount / WAN:f}万元"
    return f"{amount:f}元"


def _band_points(value: Fraction, bands: tuple[PercentBand, ...]) -> int:
    for band in bands:
        if value >= band.min_ratio:
            return band.points
    return 0


# ==========================================================================================================
# 科技型中小企业评价
# ==========================================================================================================


def _basic_conditions(figures: YearlyFigures, flags: EnterpriseFlags) -> tuple[ConditionResult, ...]:
    employees = figures.employees
    return (
        ConditionResult(
            key="employees",
            label=f"职工总数不超过{SMES_MAX_EMPLOYEES}人",
            required=f"≤{SMES_MAX_EMPLOYEES}人",
            actual="未填报" if employees is None else f"{employees}人",
            passed=employees is not None and employees <= SMES_MAX_EMPLOYEES,
            value=employees,
        ),
        ConditionResult(
            key="revenue",
            label=f"年销售收入不超过{_round_amount(SMES_MAX_REVENUE)}",
            required=f"≤{format_wan(SMES_MAX_REVENUE)}",
            actual=format_wan(figures.revenue),
            passed=figures.revenue is not None and figures.revenue <= SMES_MAX_REVENUE,
            value=figures.revenue,
        ),
        ConditionResult(
            key="total_assets",
            label=f"资产总额不超过{_round_amount(SMES_MAX_ASSETS)}",
            required=f"≤{format_wan(SMES_MAX_ASSETS)}",
            actual=format_wan(figures.total_assets),
            passed=figures.total_assets is not None and figures.total_assets <= SMES_MAX_ASSETS,
            value=figures.total_assets,
        ),
        ConditionResult(
            key="industry",
            label="所属行业不属于限制类行业",
            required="不属于",
            actual="属于限制类行业" if flags.industry_restricted else "不属于",
            passed=not flags.industry_restricted,
        ),
        clean_record_condition(
            SMES_CLEAN_RECORD_LABEL, clean_record=flags.clean_record, integrity=flags.integrity
        ),
    )


SMES_CLEAN_RECORD_LABEL: Final = (
    "上一会计年度及当年无重大安全、重大质量事故，无严重环境违法、科研严重失信行为，"
    "未列入经营异常名录和严重违法失信企业名单"
)
# 《高新技术企业认定管理办法》第十一条(八), with the 科研严重失信 of the enterprise's own record.
GAOQI_CLEAN_RECORD_LABEL: Final = (
    "申请认定前一年内未发生重大安全、重大质量事故或严重环境违法行为，无科研严重失信行为"
)


def clean_record_condition(
    label: str, *, clean_record: bool, integrity: IntegrityFinding | None
) -> ConditionResult:
    """The "无…失信" condition: the 科研诚信 record when the unit is under 惩戒 (failed, whatever the manual
    checkbox says), else the checkbox as the staff ticked it."""
    if integrity is not None:
        return ConditionResult(
            key="clean_record",
            label=label,
            required="无",
            actual=f"科研诚信失信惩戒期内（{integrity.source}，{integrity.period}，限制申报）",
            passed=False,
            url=integrity.url,
        )
    return ConditionResult(
        key="clean_record",
        label=label,
        required="无",
        actual="无" if clean_record else "有",
        passed=clean_record,
    )


def _tech_staff_score(figures: YearlyFigures) -> ScoreLine:
    label, max_points = "科技人员指标", SMES_TECH_STAFF_BANDS[0].points
    if figures.employees is None or figures.tech_staff is None:
        return ScoreLine("tech_staff", label, "未填报", 0, max_points, note="职工总数或科技人员数未填报")
    share = ratio(figures.tech_staff, figures.employees)
    if share is None:
        return ScoreLine("tech_staff", label, "—", 0, max_points, note="职工总数为0，无法计算科技人员占比")
    return ScoreLine(
        "tech_staff",
        label,
        f"科技人员{figures.tech_staff}人/职工{figures.employees}人 = {format_percent(share)}",
        _band_points(share, SMES_TECH_STAFF_BANDS),
        max_points,
        measure=share,
    )


def _rd_score(
    key: str,
    label: str,
    rd_expense: Decimal | None,
    base: Decimal | None,
    base_label: str,
    bands: tuple[PercentBand, ...],
) -> ScoreLine:
    max_points = bands[0].points
    if rd_expense is None or base is None:
        return ScoreLine(key, label, "未填报", 0, max_points, note=f"研发费用或{base_label}未填报")
    share = ratio(rd_expense, base)
    if share is None:
        return ScoreLine(key, label, "—", 0, max_points, note=f"{base_label}为0，无法计算占比")
    return ScoreLine(key, label, format_percent(share), _band_points(share, bands), max_points, measure=share)


def _ip_score(figures: YearlyFigures) -> ScoreLine:
    label = "科技成果指标"
    if figures.ip_class1 is None and figures.ip_class2 is None:
        return ScoreLine("ip", label, "未填报", 0, SMES_IP_CLASS1_POINTS, note="知识产权数量未填报")
    class1, class2 = figures.ip_class1 or 0, figures.ip_class2 or 0
    actual = f"Ⅰ类{class1}项，Ⅱ类{class2}项"
    if class1 >= 1:
        return ScoreLine("ip", label, actual, SMES_IP_CLASS1_POINTS, SMES_IP_CLASS1_POINTS, measure=class1)
    for minimum, points in SMES_IP_CLASS2_BANDS:
        if class2 >= minimum:
            return ScoreLine("ip", label, actual, points, SMES_IP_CLASS1_POINTS, measure=class2)
    return ScoreLine("ip", label, actual, 0, SMES_IP_CLASS1_POINTS, measure=0, note="无有效知识产权")


def _direct_route(flags: EnterpriseFlags) -> DirectRoute | None:
    routes = (
        (flags.has_valid_gaoqi_certificate, DirectRoute.GAOQI),
        (flags.national_award_top3, DirectRoute.NATIONAL_AWARD),
        (flags.provincial_rd_centre, DirectRoute.PROVINCIAL_RD_CENTRE),
        (flags.led_standard, DirectRoute.LED_STANDARD),
    )
    return next((route for applies, route in routes if applies), None)


def evaluate_smes(figures: YearlyFigures, flags: EnterpriseFlags) -> SmesEvaluation:
    """Evaluate an enterprise against 《科技型中小企业评价办法》 for one year's figures."""
    by_revenue = _rd_score(
        "rd_by_revenue",
        "研发投入指标（研发费用占销售收入比例）",
        figures.rd_expense,
        figures.revenue,
        "销售收入",
        SMES_RD_REVENUE_BANDS,
    )
    by_cost = _rd_score(
        "rd_by_cost",
        "研发投入指标（研发费用占成本费用支出比例）",
        figures.rd_expense,
        figures.total_cost,
        "成本费用支出总额",
        SMES_RD_COST_BANDS,
    )
    rd_option: int | None
    if by_revenue.measure is None:
        rd_option = None if by_cost.measure is None else 2
    elif by_cost.measure is None:
        rd_option = 1
    else:
        rd_option = 2 if by_cost.points > by_revenue.points else 1
    return SmesEvaluation(
        basic_conditions=_basic_conditions(figures, flags),
        tech_staff=_tech_staff_score(figures),
        rd_by_revenue=by_revenue,
        rd_by_cost=by_cost,
        rd_option=rd_option,
        ip=_ip_score(figures),
        direct_route=_direct_route(flags),
    )


# ==========================================================================================================
# 高新技术企业认定 checklist
# ==========================================================================================================


def _share_line(
    key: str,
    label: str,
    numerator: Decimal | int | None,
    denominator: Decimal | int | None,
    min_percent: Decimal,
    missing: str,
    zero: str,
) -> ChecklistLine:
    required = f"≥{min_percent}%"
    if numerator is None or denominator is None:
        return ChecklistLine(key, label, required, missing, None)
    share = ratio(numerator, denominator)
    if share is None:
        return ChecklistLine(key, label, required, zero, None)
    return ChecklistLine(
        key, label, required, format_percent(share), share >= Fraction(min_percent) / 100, share
    )


def _rd_band(latest_revenue: Decimal) -> RdBand:
    for band in GAOQI_RD_BANDS:
        if band.max_revenue is None or latest_revenue <= band.max_revenue:
            return band
    raise AssertionError("GAOQI_RD_BANDS must end with an open band")  # pragma: no cover


def gaoqi_checklist(
    figures_latest: YearlyFigures,
    *,
    rd_expense_3y: Decimal | None,
    revenue_3y: Decimal | None,
    rd_in_china_3y: Decimal | None = None,
    innovation_score: int | Decimal | None = None,
    clean_record: bool | None = None,
    integrity: IntegrityFinding | None = None,
) -> list[ChecklistLine]:
    """The measurable 高企 conditions (第十一条 (四)-(七)) against an enterprise's figures, and — when
    ``clean_record`` (the enterprise's manual checkbox) is given — the clean record (第十一条(八)), which an
    active 科研诚信 惩戒 (``integrity``) fails whatever the checkbox says.

    ``figures_latest`` is the latest accounting year; ``rd_expense_3y``, ``revenue_3y`` and
    ``rd_in_china_3y`` are totals over the last three accounting years (or the years of operation when
    fewer). Registration age, IP ownership and the technical field need a person's judgement and are not
    in this list.
    """
    lines = [
        _share_line(
            "tech_staff",
            "科技人员占职工总数比例",
            figures_latest.tech_staff,
            figures_latest.employees,
            GAOQI_MIN_TECH_STAFF_PERCENT,
            missing="职工总数或科技人员数未填报",
            zero="职工总数为0，无法计算",
        )
    ]

    rd_label = "近三年研发费用占同期销售收入比例"
    if figures_latest.revenue is None:
        lines.append(
            ChecklistLine(
                "rd_intensity",
                rd_label,
                " / ".join(f"≥{band.min_percent}%" for band in GAOQI_RD_BANDS) + "（按最近一年销售收入）",
                "最近一年销售收入未填报",
                None,
            )
        )
    else:
        band = _rd_band(figures_latest.revenue)
        line = _share_line(
            "rd_intensity",
            rd_label,
            rd_expense_3y,
            revenue_3y,
            band.min_percent,
            missing="近三年研发费用或销售收入未填报",
            zero="近三年销售收入为0，无法计算",
        )
        lines.append(
            ChecklistLine(
                line.key,
                line.label,
                f"{line.required}（{band.revenue_text}）",
                line.actual,
                line.ok,
                line.value,
            )
        )

    lines.append(
        _share_line(
            "rd_in_china",
            "境内研发费用占全部研发费用比例",
            rd_in_china_3y,
            rd_expense_3y,
            GAOQI_MIN_RD_IN_CHINA_PERCENT,
            missing="境内研发费用未填报",
            zero="近三年研发费用为0，无法计算",
        )
    )

    income = (
        figures_latest.total_income if figures_latest.total_income is not None else figures_latest.revenue
    )
    lines.append(
        _share_line(
            "high_tech_revenue",
            "近一年高新技术产品（服务）收入占同期总收入比例",
            figures_latest.high_tech_revenue,
            income,
            GAOQI_MIN_HIGH_TECH_REVENUE_PERCENT,
            missing="高新技术产品（服务）收入或总收入未填报",
            zero="总收入为0，无法计算",
        )
    )

    required = f">{GAOQI_MAX_INNOVATION_SCORE_EXCLUDED}分（不含{GAOQI_MAX_INNOVATION_SCORE_EXCLUDED}分）"
    if innovation_score is None:
        lines.append(ChecklistLine("innovation", "企业创新能力评价", required, "未评价", None))
    else:
        lines.append(
            ChecklistLine(
                "innovation",
                "企业创新能力评价",
                required,
                f"{innovation_score}分",
                innovation_score > GAOQI_MAX_INNOVATION_SCORE_EXCLUDED,
                innovation_score,
            )
        )
    if clean_record is not None:
        condition = clean_record_condition(
            GAOQI_CLEAN_RECORD_LABEL, clean_record=clean_record, integrity=integrity
        )
        lines.append(
            ChecklistLine(
                condition.key,
                condition.label,
                condition.required,
                condition.actual,
                condition.passed,
                url=condition.url,
            )
        )
    return lines


# ------------------------------------------------------------------------------------------- 倍增计划


def doubling_target_problem(*, target: int | None, base: int, field: str = "有效高企目标数") -> str | None:
    """A doubling target must lie above its base (the count on 31 December of the year before)."""
    if target is None or target <= 0:
        return f"{field}必须大于 0（基数为{base}）。"
    if target <= base:
        return f"{field}（{target}）必须大于基数（上年末{base}）。"
    return None


def doubling_percent(*, actual: int, base: int, target: int) -> int | None:
    """完成度 of a doubling plan in whole percent (rounded down): growth over the base ÷ (target − base).
    None when the target is not above the base (no growth was planned). Negative growth shows as 0."""
    if target <= base:
        return None
    return max(actual - base, 0) * 100 // (target - base)
