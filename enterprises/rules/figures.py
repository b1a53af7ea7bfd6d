"""What both rule families take and share: an enterprise's yearly figures and flags, a condition's result
(with the 无…失信 condition), exact ratios and how they and amounts are shown."""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Final

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
