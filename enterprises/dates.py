"""The dates of the enterprises' flows: each step's date rules (kejiju.core.dates), the 10-working-day
公示 period, the date-derived marker of the 入库登记编号 and a 高企 certificate's expiry. Below both the
services and the workflow declarations, which import them."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Final

from kejiju.core.dates import DateStep, declare_date_steps
from kejiju.core.workdays import period_end_date

SMES_PUBLICITY_WORKING_DAYS: Final = 10

# The steps' date rules (kejiju.core.dates), on the transitions declared in workflow.py (swept with the
# workflow). The 公示 end is computed from working days (a planned date): only its start is the step's date.
SMES_DATES: Final = {
    "review_pass": DateStep("形式审查日期", earlier=("submitted_on", "reviewed_on")),
    "review_return": DateStep("形式审查日期", earlier=("submitted_on", "reviewed_on")),
    "start_publicity": DateStep("公示开始日期", earlier=("submitted_on", "reviewed_on")),
    "admit": DateStep("入库日期", earlier=("submitted_on", "reviewed_on", "publicity_start")),
    "reject": DateStep("不予入库日期", earlier=("submitted_on", "reviewed_on", "publicity_start")),
    "revoke": DateStep("撤销日期", earlier=("admitted_on",)),
}
# "submit" is the 企业填报 that creates the evaluation (smes_evaluation_create, not a transition).
SMES_CREATE_DATES: Final = declare_date_steps(
    "enterprises.smes", {"submit": DateStep("提交日期", field="submitted_on")}
)

POOL_DATES: Final = {
    # An enterprise's own application (pool_request) is recommended or declined by its county office.
    "county_recommend": DateStep("推荐日期", earlier=("recommended_on",)),
    "county_decline": DateStep("不予推荐日期", earlier=("recommended_on",)),
    "admit": DateStep("入库日期", earlier=("recommended_on",)),
    "decline": DateStep("不予入库日期", earlier=("recommended_on",)),
    "apply": DateStep("申报日期", earlier=("recommended_on", "admitted_on")),
    "certify": DateStep("认定日期", earlier=("recommended_on", "admitted_on")),
    "exit": DateStep("出库日期", earlier=("recommended_on", "admitted_on")),
}
# "recommend" is the 县区推荐 that creates the entry (pool_recommend, not a transition).
POOL_CREATE_DATES: Final = declare_date_steps("enterprises.pool", {"recommend": DateStep("推荐日期")})
# The bureau's 企业创新能力评价 of an entry (pool_innovation_assess, not a transition).
ASSESSMENT_DATES: Final = declare_date_steps(
    "enterprises.assessment",
    {"assess": DateStep("评价日期", earlier=("recommended_on",), field="assessed_on")},
)

# 高企 certificates and rewards: a certificate cannot be issued in the future, nor its qualification
# revoked (取消资格) before it was issued or in the future; a reward is paid after it is approved.
CERTIFICATE_DATES: Final = declare_date_steps(
    "enterprises.certificate",
    {
        "issue": DateStep("发证日期", field="issued_on"),
        "revoke": DateStep("取消资格日期", earlier=("issued_on",), field="revoked_on"),
    },
)
REWARD_DATES: Final = {
    "approve": DateStep("审核日期", earlier=("previous_step",)),
    "pay": DateStep("发放日期", earlier=("approved_on",)),
}


def publicity_end(start: date) -> date:
    """The last day of the 10-working-day 公示 that opens on `start` (public holidays not counted)."""
    return period_end_date(start, SMES_PUBLICITY_WORKING_DAYS)


def publicity_over(end: date, today: date) -> bool:
    return today > end


def smes_marker(*, year: int, submitted_on: date, established_on: date | None) -> str:
    """The 11th character of the 入库登记编号 (国科发火〔2018〕11号): B founded in the 入库 year;
    0 submitted by 31 May; A submitted from 1 June."""
    if established_on is not None and established_on.year >= year:
        return "B"
    return "0" if submitted_on <= date(year, 5, 31) else "A"


def smes_registration_number(*, year: int, area_code: str, marker: str, serial: int) -> str:
    """`YYYY` + 6-digit area code + marker + 7-digit serial (18 characters). The serial's length is not
    confirmed by a published rule ([M] in the reference notes); numbers are commonly 18 characters."""
    return f"{year:04d}{area_code}{marker}{serial:07d}"


def certificate_expiry(issued_on: date) -> date:
    """Valid three years from the issue date (认定管理办法 第九条): the last valid day is the day before
    the third anniversary."""
    try:
        anniversary = issued_on.replace(year=issued_on.year + 3)
    except ValueError:  # 29 February
        anniversary = date(issued_on.year + 3, 3, 1)
    return anniversary - timedelta(days=1)
