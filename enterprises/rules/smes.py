"""科技型中小企业评价 (国科发政〔2017〕115号 and its annex): the thresholds, the basic conditions, the
100-point score and the direct routes."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction
from typing import Final

from .figures import (
    YI,
    ConditionResult,
    EnterpriseFlags,
    PercentBand,
    YearlyFigures,
    _band_points,
    _round_amount,
    clean_record_condition,
    format_percent,
    format_wan,
    ratio,
)

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
