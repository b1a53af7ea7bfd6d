"""高新技术企业认定 (国科发火〔2016〕32号 第十一条; 国科发火〔2016〕195号): the thresholds, the
企业创新能力评价 parts and the checklist of the measurable conditions."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Final

from .figures import WAN, YI, IntegrityFinding, YearlyFigures, clean_record_condition, format_percent, ratio

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


# 《高新技术企业认定管理办法》第十一条(八), with the 科研严重失信 of the enterprise's own record.
GAOQI_CLEAN_RECORD_LABEL: Final = (
    "申请认定前一年内未发生重大安全、重大质量事故或严重环境违法行为，无科研严重失信行为"
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
