"""Table-driven tests of enterprises.rules (pure Python, no database)."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from fractions import Fraction

import pytest

from enterprises.rules import (
    GAOQI_RD_BANDS,
    SMES_RD_COST_BANDS,
    SMES_RD_REVENUE_BANDS,
    SMES_TECH_STAFF_BANDS,
    ChecklistLine,
    DirectRoute,
    EnterpriseFlags,
    YearlyFigures,
    evaluate_smes,
    format_percent,
    format_wan,
    gaoqi_checklist,
    ratio,
)

M = Decimal  # money, in 元

CLEAN = EnterpriseFlags(clean_record=True, industry_restricted=False)

# 30% 科技人员 (20), R&D 6% of revenue (50), R&D 7.5% of cost (0), one Ⅰ类 IP (30): 100 points.
GOOD = YearlyFigures(
    employees=100,
    tech_staff=30,
    revenue=M("10000000"),
    total_assets=M("20000000"),
    rd_expense=M("600000"),
    total_cost=M("8000000"),
    ip_class1=1,
    ip_class2=0,
    high_tech_revenue=M("7000000"),
)


# ---------------------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (Fraction(3, 10), "30.0%"),
        (Fraction(2999, 10000), "29.9%"),  # rounded down: never shows a threshold it misses
        (Fraction(599, 10000), "5.9%"),
        (Decimal("0.06"), "6.0%"),
        (Fraction(1, 3), "33.3%"),
        (Fraction(2, 3), "66.6%"),
        (Fraction(0), "0.0%"),
        (Fraction(1), "100.0%"),
        (None, "—"),
    ],
)
def test_format_percent(value: Fraction | Decimal | None, text: str) -> None:
    assert format_percent(value) == text


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        (M("123456789"), "12,345.68万元"),
        (M("200000000"), "20,000.00万元"),
        (M("0"), "0.00万元"),
        (None, "未填报"),
    ],
)
def test_format_wan(amount: Decimal | None, text: str) -> None:
    assert format_wan(amount) == text


@pytest.mark.parametrize(
    ("numerator", "denominator", "result"),
    [
        (M("0.1"), M("0.3"), Fraction(1, 3)),  # exact, no binary rounding
        (3, 10, Fraction(3, 10)),
        (M("1"), M("0"), None),
        (1, 0, None),
        (None, 10, None),
        (1, None, None),
    ],
)
def test_ratio_is_exact(
    numerator: Decimal | int | None, denominator: Decimal | int | None, result: Fraction | None
) -> None:
    assert ratio(numerator, denominator) == result


def test_money_must_be_decimal() -> None:
    with pytest.raises(TypeError, match="revenue must be a Decimal"):
        YearlyFigures(revenue=1.5)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="employees must be a non-negative int"):
        YearlyFigures(employees=-1)


def test_threshold_tables_are_ordered_high_to_low() -> None:
    for bands in (SMES_TECH_STAFF_BANDS, SMES_RD_REVENUE_BANDS, SMES_RD_COST_BANDS):
        assert list(bands) == sorted(bands, key=lambda b: b.min_percent, reverse=True)
    assert GAOQI_RD_BANDS[-1].max_revenue is None


# ---------------------------------------------------------------------------------------------------------
# 科技型中小企业: sub-scores
# ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("employees", "tech_staff", "points"),
    [
        (100, 100, 20),
        (100, 30, 20),  # 30% exactly
        (10000, 2999, 16),  # 29.99%
        (100, 25, 16),
        (10000, 2499, 12),
        (100, 20, 12),
        (100, 15, 8),
        (100, 10, 4),  # 10% exactly
        (1000, 99, 0),  # 9.9%
        (100, 0, 0),
        (3, 1, 20),  # 33.3%
        (7, 2, 16),  # 28.57%
    ],
)
def test_tech_staff_score(employees: int, tech_staff: int, points: int) -> None:
    result = evaluate_smes(replace(GOOD, employees=employees, tech_staff=tech_staff), CLEAN)
    assert result.tech_staff.points == points
    assert result.tech_staff.max_points == 20
    assert result.tech_staff.measure == Fraction(tech_staff, employees)


@pytest.mark.parametrize(
    ("employees", "tech_staff", "note"),
    [(0, 0, "职工总数为0"), (None, 5, "未填报"), (10, None, "未填报")],
)
def test_tech_staff_score_without_data(employees: int | None, tech_staff: int | None, note: str) -> None:
    result = evaluate_smes(replace(GOOD, employees=employees, tech_staff=tech_staff), CLEAN)
    assert result.tech_staff.points == 0
    assert note in result.tech_staff.note


@pytest.mark.parametrize(
    ("rd_expense", "points"),
    [
        ("1000000", 50),
        ("600000", 50),  # 6% exactly
        ("599000", 40),  # 5.99%
        ("599999.99", 40),
        ("500000", 40),
        ("499999", 30),
        ("400000", 30),
        ("300000", 20),
        ("200000", 10),  # 2% exactly
        ("199999.99", 0),
        ("0", 0),
    ],
)
def test_rd_by_revenue_score(rd_expense: str, points: int) -> None:
    figures = replace(GOOD, revenue=M("10000000"), rd_expense=M(rd_expense), total_cost=None)
    result = evaluate_smes(figures, CLEAN)
    assert result.rd_by_revenue.points == points
    assert result.rd_by_revenue.measure == Fraction(M(rd_expense)) / 10000000


@pytest.mark.parametrize(
    ("rd_expense", "points"),
    [
        ("300000", 50),  # 30% exactly
        ("299999", 40),
        ("250000", 40),
        ("249999.99", 30),
        ("200000", 30),
        ("150000", 20),
        ("100000", 10),  # 10% exactly
        ("99999.99", 0),
    ],
)
def test_rd_by_cost_score(rd_expense: str, points: int) -> None:
    figures = replace(GOOD, revenue=None, rd_expense=M(rd_expense), total_cost=M("1000000"))
    result = evaluate_smes(figures, CLEAN)
    assert result.rd_by_cost.points == points
    assert result.rd_option == 2
    assert result.rd.points == points


@pytest.mark.parametrize(
    ("revenue", "total_cost", "rd_expense", "option", "points"),
    [
        ("10000000", "1000000", "300000", 2, 50),  # 3% of revenue (20) vs 30% of cost (50)
        ("1000000", "10000000", "60000", 1, 50),  # 6% of revenue (50) vs 0.6% of cost (0)
        ("10000000", "2000000", "500000", 1, 40),  # tie: 5% → 40 and 25% → 40, option 1 reported
        ("0", "1000000", "150000", 2, 20),  # zero revenue: option 2 still scores
        ("10000000", "0", "400000", 1, 30),  # zero cost: option 1 still scores
        ("10000000", "1000000", "0", 1, 0),  # no R&D at all
    ],
)
def test_rd_best_option(revenue: str, total_cost: str, rd_expense: str, option: int, points: int) -> None:
    figures = replace(GOOD, revenue=M(revenue), total_cost=M(total_cost), rd_expense=M(rd_expense))
    result = evaluate_smes(figures, CLEAN)
    assert result.rd_option == option
    assert result.rd.points == points


def test_rd_without_usable_denominator() -> None:
    figures = replace(GOOD, revenue=M("0"), total_cost=M("0"))
    result = evaluate_smes(figures, CLEAN)
    assert result.rd_option is None
    assert result.rd.points == 0
    assert "销售收入为0" in result.rd_by_revenue.note
    assert "成本费用支出总额为0" in result.rd_by_cost.note
    missing = evaluate_smes(replace(GOOD, rd_expense=None), CLEAN)
    assert missing.rd_option is None
    assert "未填报" in missing.rd_by_revenue.note


@pytest.mark.parametrize(
    ("class1", "class2", "points"),
    [
        (1, 0, 30),
        (3, 7, 30),
        (0, 10, 24),
        (0, 4, 24),
        (0, 3, 18),
        (0, 2, 12),
        (0, 1, 6),
        (0, 0, 0),
        (None, 2, 12),
        (1, None, 30),
        (None, None, 0),
    ],
)
def test_ip_score(class1: int | None, class2: int | None, points: int) -> None:
    result = evaluate_smes(replace(GOOD, ip_class1=class1, ip_class2=class2), CLEAN)
    assert result.ip.points == points
    assert result.ip.max_points == 30


def test_ip_not_reported_has_a_reason() -> None:
    result = evaluate_smes(replace(GOOD, ip_class1=None, ip_class2=None), CLEAN)
    assert result.ip.note == "知识产权数量未填报"


# ---------------------------------------------------------------------------------------------------------
# 科技型中小企业: basic conditions
# ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "key", "passed"),
    [
        ({"employees": 500, "tech_staff": 150}, "employees", True),
        ({"employees": 501, "tech_staff": 150}, "employees", False),
        ({"employees": None}, "employees", False),
        ({"revenue": M("200000000")}, "revenue", True),
        ({"revenue": M("200000000.01")}, "revenue", False),
        ({"revenue": None}, "revenue", False),
        ({"total_assets": M("200000000")}, "total_assets", True),
        ({"total_assets": M("200000001")}, "total_assets", False),
        ({"total_assets": None}, "total_assets", False),
    ],
)
def test_basic_condition_figures(changes: dict[str, object], key: str, passed: bool) -> None:
    result = evaluate_smes(replace(GOOD, **changes), CLEAN)  # type: ignore[arg-type]
    condition = next(c for c in result.basic_conditions if c.key == key)
    assert condition.passed is passed
    assert condition.label
    assert result.basic_ok is passed


@pytest.mark.parametrize(
    ("flags", "key"),
    [
        (EnterpriseFlags(clean_record=True, industry_restricted=True), "industry"),
        (EnterpriseFlags(clean_record=False, industry_restricted=False), "clean_record"),
    ],
)
def test_basic_condition_flags(flags: EnterpriseFlags, key: str) -> None:
    result = evaluate_smes(GOOD, flags)
    failing = [c.key for c in result.basic_conditions if not c.passed]
    assert failing == [key]
    assert not result.passed
    assert result.total == 100  # the score is still computed


def test_basic_condition_texts() -> None:
    result = evaluate_smes(GOOD, CLEAN)
    texts = {c.key: (c.required, c.actual) for c in result.basic_conditions}
    assert texts["employees"] == ("≤500人", "100人")
    assert texts["revenue"] == ("≤20,000.00万元", "1,000.00万元")
    assert texts["total_assets"] == ("≤20,000.00万元", "2,000.00万元")


# ---------------------------------------------------------------------------------------------------------
# 科技型中小企业: outcome
# ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "total", "passed"),
    [
        ({}, 100, True),
        # 10% staff (4) + 6% R&D (50) + one Ⅱ类 (6) = 60: passes at exactly 60
        ({"tech_staff": 10, "ip_class1": 0, "ip_class2": 1}, 60, True),
        # 20% staff (12) + 5% R&D (40) + one Ⅱ类 (6) = 58
        ({"tech_staff": 20, "rd_expense": M("500000"), "ip_class1": 0, "ip_class2": 1}, 58, False),
        # 9% staff (0) + 50 + 30 = 80: fails because the 科技人员 score is 0
        ({"tech_staff": 9}, 80, False),
    ],
)
def test_smes_outcome(changes: dict[str, object], total: int, passed: bool) -> None:
    result = evaluate_smes(replace(GOOD, **changes), CLEAN)  # type: ignore[arg-type]
    assert result.total == total
    assert result.passed is passed
    assert result.direct_route is None
    assert bool(result.reasons) is not passed


def test_smes_reasons_in_chinese() -> None:
    result = evaluate_smes(replace(GOOD, tech_staff=9, rd_expense=M("0"), ip_class1=0), CLEAN)
    assert result.reasons == ("综合评价得分0分，低于60分", "科技人员指标得分为0分")
    restricted = evaluate_smes(GOOD, EnterpriseFlags(clean_record=True, industry_restricted=True))
    assert restricted.reasons == ("不符合基本条件：所属行业不属于限制类行业（属于限制类行业）",)


@pytest.mark.parametrize(
    ("flag", "route"),
    [
        ("has_valid_gaoqi_certificate", DirectRoute.GAOQI),
        ("national_award_top3", DirectRoute.NATIONAL_AWARD),
        ("provincial_rd_centre", DirectRoute.PROVINCIAL_RD_CENTRE),
        ("led_standard", DirectRoute.LED_STANDARD),
    ],
)
def test_direct_route_skips_the_score(flag: str, route: DirectRoute) -> None:
    weak = YearlyFigures(employees=50, tech_staff=0, revenue=M("0"), total_assets=M("1000000"))
    flags = replace(CLEAN, **{flag: True})
    result = evaluate_smes(weak, flags)
    assert result.total == 0
    assert result.direct_route is route
    assert result.direct_route.label
    assert result.passed
    assert result.reasons == ()


def test_direct_route_needs_the_basic_conditions() -> None:
    flags = EnterpriseFlags(clean_record=False, industry_restricted=False, has_valid_gaoqi_certificate=True)
    result = evaluate_smes(GOOD, flags)
    assert result.direct_route is DirectRoute.GAOQI
    assert not result.passed


def test_first_direct_route_is_reported() -> None:
    flags = replace(CLEAN, led_standard=True, national_award_top3=True)
    assert evaluate_smes(GOOD, flags).direct_route is DirectRoute.NATIONAL_AWARD


def test_empty_figures_do_not_crash() -> None:
    result = evaluate_smes(
        YearlyFigures(
            employees=0, tech_staff=0, revenue=M(0), total_assets=M(0), rd_expense=M(0), total_cost=M(0)
        ),
        CLEAN,
    )
    assert result.total == 0
    assert not result.passed
    assert result.tech_staff.note and result.rd_by_revenue.note and result.rd_by_cost.note
    nothing = evaluate_smes(YearlyFigures(), CLEAN)
    assert nothing.total == 0
    assert not nothing.basic_ok


# ---------------------------------------------------------------------------------------------------------
# 高新技术企业 checklist
# ---------------------------------------------------------------------------------------------------------


def _line(lines: list[ChecklistLine], key: str) -> ChecklistLine:
    return next(line for line in lines if line.key == key)


def _checklist(figures: YearlyFigures = GOOD, **kwargs: object) -> list[ChecklistLine]:
    arguments: dict[str, object] = {
        "rd_expense_3y": M("1800000"),
        "revenue_3y": M("30000000"),
        "rd_in_china_3y": M("1800000"),
        "innovation_score": 80,
    }
    arguments.update(kwargs)
    return gaoqi_checklist(figures, **arguments)  # type: ignore[arg-type]


def test_checklist_lines_in_order() -> None:
    lines = _checklist()
    assert [line.key for line in lines] == [
        "tech_staff",
        "rd_intensity",
        "rd_in_china",
        "high_tech_revenue",
        "innovation",
    ]
    assert all(line.ok is True for line in lines)
    assert all(line.label and line.required and line.actual for line in lines)


@pytest.mark.parametrize(
    ("employees", "tech_staff", "ok", "actual"),
    [
        (100, 10, True, "10.0%"),  # 10% exactly
        (10000, 999, False, "9.9%"),  # 9.99%
        (100, 50, True, "50.0%"),
        (0, 0, None, "职工总数为0，无法计算"),
        (None, 10, None, "职工总数或科技人员数未填报"),
    ],
)
def test_checklist_tech_staff(employees: int | None, tech_staff: int, ok: bool | None, actual: str) -> None:
    line = _line(_checklist(replace(GOOD, employees=employees, tech_staff=tech_staff)), "tech_staff")
    assert (line.ok, line.actual, line.required) == (ok, actual, "≥10%")


@pytest.mark.parametrize(
    ("latest_revenue", "rd_3y", "revenue_3y", "required", "ok"),
    [
        # latest revenue ≤ 5000万 (inclusive): ≥5%
        ("50000000", "7500000", "150000000", "≥5%", True),
        ("50000000", "7499999.99", "150000000", "≥5%", False),
        ("10000000", "1500000", "30000000", "≥5%", True),
        # latest revenue in (5000万, 2亿] (inclusive): ≥4%
        ("50000000.01", "6000000", "150000000", "≥4%", True),
        ("200000000", "18000000", "450000000", "≥4%", True),
        ("200000000", "17999999", "450000000", "≥4%", False),
        # above 2亿: ≥3%
        ("200000000.01", "18000000", "600000000", "≥3%", True),
        ("500000000", "29999999", "1000000000", "≥3%", False),
    ],
)
def test_checklist_rd_intensity_bands(
    latest_revenue: str, rd_3y: str, revenue_3y: str, required: str, ok: bool
) -> None:
    figures = replace(GOOD, revenue=M(latest_revenue))
    line = _line(_checklist(figures, rd_expense_3y=M(rd_3y), revenue_3y=M(revenue_3y)), "rd_intensity")
    assert line.required.startswith(required + "（")
    assert line.ok is ok
    assert line.value == Fraction(M(rd_3y)) / Fraction(M(revenue_3y))


@pytest.mark.parametrize(
    ("figures", "kwargs", "actual"),
    [
        (replace(GOOD, revenue=None), {}, "最近一年销售收入未填报"),
        (GOOD, {"rd_expense_3y": None}, "近三年研发费用或销售收入未填报"),
        (GOOD, {"revenue_3y": None}, "近三年研发费用或销售收入未填报"),
        (GOOD, {"revenue_3y": M("0")}, "近三年销售收入为0，无法计算"),
    ],
)
def test_checklist_rd_intensity_unknown(
    figures: YearlyFigures, kwargs: dict[str, object], actual: str
) -> None:
    line = _line(_checklist(figures, **kwargs), "rd_intensity")
    assert line.ok is None
    assert line.actual == actual


@pytest.mark.parametrize(
    ("rd_3y", "rd_in_china", "ok", "actual"),
    [
        ("1000000", "600000", True, "60.0%"),
        ("1000000", "599999.99", False, "59.9%"),
        ("1000000", None, None, "境内研发费用未填报"),
        ("0", "0", None, "近三年研发费用为0，无法计算"),
    ],
)
def test_checklist_rd_in_china(rd_3y: str, rd_in_china: str | None, ok: bool | None, actual: str) -> None:
    in_china = None if rd_in_china is None else M(rd_in_china)
    line = _line(_checklist(rd_expense_3y=M(rd_3y), rd_in_china_3y=in_china), "rd_in_china")
    assert (line.ok, line.actual, line.required) == (ok, actual, "≥60%")


@pytest.mark.parametrize(
    ("changes", "ok", "actual"),
    [
        ({"high_tech_revenue": M("6000000"), "revenue": M("10000000")}, True, "60.0%"),
        ({"high_tech_revenue": M("5999999"), "revenue": M("10000000")}, False, "59.9%"),
        # 总收入 given: it is the denominator instead of 销售收入
        ({"high_tech_revenue": M("6000000"), "total_income": M("12000000")}, False, "50.0%"),
        ({"high_tech_revenue": None}, None, "高新技术产品（服务）收入或总收入未填报"),
        ({"high_tech_revenue": M("0"), "revenue": M("0")}, None, "总收入为0，无法计算"),
    ],
)
def test_checklist_high_tech_revenue(changes: dict[str, object], ok: bool | None, actual: str) -> None:
    line = _line(_checklist(replace(GOOD, **changes)), "high_tech_revenue")  # type: ignore[arg-type]
    assert (line.ok, line.actual) == (ok, actual)


@pytest.mark.parametrize(
    ("score", "ok", "actual"),
    [
        (71, True, "71分"),
        (70, False, "70分"),  # "70分以上（不含70分）"
        (Decimal("70.5"), True, "70.5分"),
        (0, False, "0分"),
        (None, None, "未评价"),
    ],
)
def test_checklist_innovation_score(score: int | Decimal | None, ok: bool | None, actual: str) -> None:
    line = _line(_checklist(innovation_score=score), "innovation")
    assert (line.ok, line.actual) == (ok, actual)
    assert line.required == ">70分（不含70分）"


def test_checklist_unknown_data_is_not_a_failure() -> None:
    lines = gaoqi_checklist(YearlyFigures(), rd_expense_3y=None, revenue_3y=None)
    assert [line.ok for line in lines] == [None] * 5
    assert lines[1].required == "≥5% / ≥4% / ≥3%（按最近一年销售收入）"


def test_basic_condition_labels_come_from_the_tables() -> None:
    labels = [c.label for c in evaluate_smes(GOOD, CLEAN).basic_conditions]
    assert labels[:3] == ["职工总数不超过500人", "年销售收入不超过2亿元", "资产总额不超过2亿元"]


# ------------------------------------------------------------------ 倍增计划 (issue 19)


def test_doubling_percent_is_growth_over_the_base():
    from enterprises.rules import doubling_percent

    assert doubling_percent(actual=5, base=5, target=7) == 0  # no growth is 0%, not 71%
    assert doubling_percent(actual=6, base=5, target=7) == 50
    assert doubling_percent(actual=9, base=5, target=7) == 200
    assert doubling_percent(actual=3, base=5, target=7) == 0
    assert doubling_percent(actual=3, base=5, target=5) is None


def test_doubling_target_problem_names_the_field_and_the_base():
    from enterprises.rules import doubling_target_problem

    assert doubling_target_problem(target=0, base=3) == "有效高企目标数必须大于 0（基数为3）。"
    assert doubling_target_problem(target=3, base=3) == "有效高企目标数（3）必须大于基数（上年末3）。"
    assert doubling_target_problem(target=4, base=3) is None
