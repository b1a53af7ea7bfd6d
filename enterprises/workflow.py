"""State machines of the 科小 evaluation and the 高企 cultivation pool, as plain tables and functions.

Sources: 科技型中小企业评价服务工作指引 (国科火字〔2022〕67号): 企业填报 → 县区形式审查 → 公示 (10个工作日) →
入库并取得登记编号 (当年有效); 登记编号 may be revoked (撤销), and the history is kept. The cultivation pool
follows the bureau's own practice: 县区推荐 → 市局入库 → 已申报 → 已认定, or 出库.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Final

from kejiju.core.dates import DateStep, declare_date_steps
from kejiju.core.workdays import period_end_date

SMES_PUBLICITY_WORKING_DAYS: Final = 10

# (action, from-states, to-state, permission needed)
SMES_TRANSITIONS: Final[dict[str, tuple[frozenset[str], str, str]]] = {
    "review_pass": (frozenset({"submitted", "returned"}), "reviewed", "enterprises.review_smesevaluation"),
    "review_return": (frozenset({"submitted"}), "returned", "enterprises.review_smesevaluation"),
    "start_publicity": (frozenset({"reviewed"}), "publicity", "enterprises.admit_smesevaluation"),
    "admit": (frozenset({"publicity"}), "admitted", "enterprises.admit_smesevaluation"),
    "reject": (frozenset({"publicity", "reviewed"}), "rejected", "enterprises.admit_smesevaluation"),
    "revoke": (frozenset({"admitted"}), "revoked", "enterprises.admit_smesevaluation"),
}
SMES_ACTION_LABELS: Final = {
    "review_pass": "形式审查通过",
    "review_return": "形式审查退回",
    "start_publicity": "开始公示",
    "admit": "入库",
    "reject": "不予入库",
    "revoke": "撤销入库",
}

# The dates each step follows (kejiju.core.dates): "submit" is the 企业填报 that creates the evaluation. The
# 公示 end is computed from working days (a planned date): only its start is the step's date.
SMES_DATES: Final = declare_date_steps(
    "enterprises.smes",
    {
        "submit": DateStep("提交日期", field="submitted_on"),
        "review_pass": DateStep("形式审查日期", earlier=("submitted_on", "reviewed_on")),
        "review_return": DateStep("形式审查日期", earlier=("submitted_on", "reviewed_on")),
        "start_publicity": DateStep("公示开始日期", earlier=("submitted_on", "reviewed_on")),
        "admit": DateStep("入库日期", earlier=("submitted_on", "reviewed_on", "publicity_start")),
        "reject": DateStep("不予入库日期", earlier=("submitted_on", "reviewed_on", "publicity_start")),
        "revoke": DateStep("撤销日期", earlier=("admitted_on",)),
    },
)

POOL_TRANSITIONS: Final[dict[str, tuple[frozenset[str], str, str]]] = {
    "admit": (frozenset({"recommended"}), "admitted", "enterprises.admit_poolentry"),
    "decline": (frozenset({"recommended"}), "declined", "enterprises.admit_poolentry"),
    "apply": (frozenset({"admitted"}), "applied", "enterprises.admit_poolentry"),
    "certify": (frozenset({"admitted", "applied"}), "certified", "enterprises.admit_poolentry"),
    "exit": (frozenset({"admitted", "applied"}), "exited", "enterprises.admit_poolentry"),
}
POOL_ACTION_LABELS: Final = {
    "admit": "入库",
    "decline": "不予入库",
    "apply": "标记已申报",
    "certify": "标记已认定",
    "exit": "出库",
}

# "recommend" is the 县区推荐 that creates the entry.
POOL_DATES: Final = declare_date_steps(
    "enterprises.pool",
    {
        "recommend": DateStep("推荐日期"),
        "admit": DateStep("入库日期", earlier=("recommended_on",)),
        "decline": DateStep("不予入库日期", earlier=("recommended_on",)),
        "apply": DateStep("申报日期", earlier=("recommended_on", "admitted_on")),
        "certify": DateStep("认定日期", earlier=("recommended_on", "admitted_on")),
        "exit": DateStep("出库日期", earlier=("recommended_on", "admitted_on")),
    },
)

# 高企 certificates and rewards: a certificate cannot be issued in the future; a reward is paid after it
# is approved.
CERTIFICATE_DATES: Final = declare_date_steps(
    "enterprises.certificate", {"issue": DateStep("发证日期", field="issued_on")}
)
REWARD_DATES: Final = declare_date_steps(
    "enterprises.reward",
    {
        "approve": DateStep("审核日期"),
        "pay": DateStep("发放日期", earlier=("approved_on",)),
    },
)


def next_state(table: dict[str, tuple[frozenset[str], str, str]], state: str, action: str) -> str | None:
    """The state after `action`, or None when the action is not allowed from `state`."""
    entry = table.get(action)
    if entry is None or state not in entry[0]:
        return None
    return entry[1]


def allowed_actions(table: dict[str, tuple[frozenset[str], str, str]], state: str, user) -> list[str]:
    return [
        action for action, (sources, _to, perm) in table.items() if state in sources and user.has_perm(perm)
    ]


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
