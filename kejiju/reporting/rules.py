"""Rules of county monthly filing as plain functions: deadlines (Asia/Shanghai), the filing states (their
flow is declared in workflow.py), board states, reminders and the report's ratios. No database access here
(the deadline and reminder days are 系统参数, read from the process's copy of kejiju.core.parameters)."""

from __future__ import annotations

import datetime as dt
import re
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import models

from kejiju.core import parameters

SHANGHAI = ZoneInfo("Asia/Shanghai")


class FilingState(models.TextChoices):
    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "已报送"
    CONFIRMED = "confirmed", "已确认"
    RETURNED = "returned", "退回"


EDITABLE_STATES = frozenset({FilingState.DRAFT, FilingState.RETURNED})
# States whose content counts in the monthly report (退回 is being corrected: it counts once resent).
FILED_STATES = frozenset({FilingState.SUBMITTED, FilingState.CONFIRMED})

# ---------------------------------------------------------------------------------------------- months


def deadline_days() -> int:
    """The 系统参数 月度报送截止日 (its default is the FILING_DEADLINE_DAYS setting)."""
    return parameters.value("filing_deadline_days")


def next_month(year: int, month: int) -> tuple[int, int]:
    return (year + 1, 1) if month == 12 else (year, month + 1)


def previous_month(year: int, month: int) -> tuple[int, int]:
    return (year - 1, 12) if month == 1 else (year, month - 1)


def filing_deadline(year: int, month: int, days: int | None = None) -> dt.datetime:
    """The moment filing for (year, month) closes: the end of day `days` of the next month, Asia/Shanghai
    (that is, midnight starting day days+1). days=0 closes at the end of the month itself."""
    days = deadline_days() if days is None else days
    if days < 0:
        raise ValueError("FILING_DEADLINE_DAYS must not be negative")
    ny, nm = next_month(year, month)
    start = dt.datetime(ny, nm, 1, tzinfo=SHANGHAI)
    return start + dt.timedelta(days=days)


def last_filing_day(year: int, month: int, days: int | None = None) -> dt.date:
    """The last calendar day on which filing is on time (shown to users)."""
    return (filing_deadline(year, month, days).astimezone(SHANGHAI) - dt.timedelta(microseconds=1)).date()


def filing_cutoff(year: int, month: int, days: int | None = None) -> dt.datetime:
    """The moment a month's filings are read at, for its monthly report and for the annual review: the end
    (Asia/Shanghai) of the month in which its filing deadline falls, that is midnight starting the month
    after (with 5 days: January's deadline is the end of 5 February, its cutoff the end of February;
    December Y's cutoff is the end of 31 January Y+1). A return and resend within that month still counts;
    nothing after it changes the month's figures."""
    deadline = filing_deadline(year, month, days).astimezone(SHANGHAI)
    ny, nm = next_month(deadline.year, deadline.month)
    return dt.datetime(ny, nm, 1, tzinfo=SHANGHAI)


def filing_as_of(year: int, month: int, now: dt.datetime, days: int | None = None) -> dt.date:
    """The day at whose end a month's filings are read: min(now, cutoff) as an Asia/Shanghai date (the
    workflow events are dated by their local day)."""
    last_day = (filing_cutoff(year, month, days) - dt.timedelta(days=1)).date()
    return min(now.astimezone(SHANGHAI).date(), last_day)


def is_late_day(year: int, month: int, day: dt.date, days: int | None = None) -> bool:
    """A first 报送 that took effect on `day` was late. The deadline is 00:00 Asia/Shanghai, so comparing
    the local date agrees with is_past_deadline at the moment of the step (MonthlyFiling.is_late)."""
    return day >= filing_deadline(year, month, days).astimezone(SHANGHAI).date()


def local_month(now: dt.datetime) -> tuple[int, int]:
    local = now.astimezone(SHANGHAI)
    return local.year, local.month


def is_future_month(year: int, month: int, now: dt.datetime) -> bool:
    """A month that has not started yet (Asia/Shanghai) cannot be filed."""
    return (year, month) > local_month(now)


def is_past_deadline(year: int, month: int, now: dt.datetime, days: int | None = None) -> bool:
    return now >= filing_deadline(year, month, days)


def due_month(now: dt.datetime, days: int | None = None) -> tuple[int, int]:
    """The month a county should be filing now: the previous month until its deadline, then this month."""
    year, month = local_month(now)
    py, pm = previous_month(year, month)
    if not is_past_deadline(py, pm, now, days):
        return py, pm
    return year, month


_MONTH_RE = re.compile(r"^(\d{4})-(\d{1,2})$")


def parse_month(text: str) -> tuple[int, int]:
    """'2024-02' → (2024, 2); anything else raises ValidationError with a Chinese message."""
    match = _MONTH_RE.match((text or "").strip())
    if not match:
        raise ValidationError({"month": f"月份格式应为 YYYY-MM，例如 2024-01（收到“{text}”）。"})
    year, month = int(match.group(1)), int(match.group(2))
    if not 1 <= month <= 12 or year < 2000:
        raise ValidationError({"month": f"月份“{text}”无效。"})
    return year, month


def check_month_open(*, year: int, month: int, now: dt.datetime, has_exception: bool) -> None:
    """Raises when a county may not file or edit (year, month) now."""
    if is_future_month(year, month, now):
        raise ValidationError({"month": f"{year}年{month}月尚未开始，不能填报未来月份。"})
    if is_past_deadline(year, month, now) and not has_exception:
        closed = last_filing_day(year, month)
        raise ValidationError(
            {"month": f"{year}年{month}月的填报已于 {closed:%Y-%m-%d} 截止，如需补报请联系市局解锁。"}
        )


# ---------------------------------------------------------------------------------------------- board


class BoardState(models.TextChoices):
    NOT_FILED = "not_filed", "未填报"
    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "已报送"
    CONFIRMED = "confirmed", "已确认"
    RETURNED = "returned", "退回"
    OVERDUE = "overdue", "逾期"


BOARD_COLOURS = {
    BoardState.NOT_FILED: "secondary",
    BoardState.DRAFT: "info",
    BoardState.SUBMITTED: "primary",
    BoardState.CONFIRMED: "success",
    BoardState.RETURNED: "warning",
    BoardState.OVERDUE: "danger",
}


def board_state(filing_state: str | None, *, past_deadline: bool) -> BoardState:
    """A county's state on the month's board. Nothing filed (no filing, or only a draft) after the deadline
    is 逾期; a returned filing stays 退回 until resent."""
    if filing_state in (None, FilingState.DRAFT):
        if past_deadline:
            return BoardState.OVERDUE
        return BoardState.NOT_FILED if filing_state is None else BoardState.DRAFT
    return BoardState(filing_state)


def needs_reminder(filing_state: str | None) -> bool:
    """Counties that have not filed (no filing, a draft, or a returned one not yet resent)."""
    return filing_state in (None, FilingState.DRAFT, FilingState.RETURNED)


def reminder_offsets() -> tuple[tuple[int, ...], tuple[int, ...]]:
    before = tuple(parameters.value("filing_reminder_days_before"))
    after = tuple(parameters.value("filing_reminder_days_after"))
    return before, after


def reminder_months(today: dt.date, days: int | None = None) -> list[tuple[int, int, str]]:
    """The months whose reminder falls on `today` (a Shanghai date): (year, month, 'before'|'after').
    'before n' means n days before the last filing day; 'after n' n days after it."""
    before, after = reminder_offsets()
    found = []
    for year, month in (
        previous_month(*previous_month(today.year, today.month)),
        previous_month(today.year, today.month),
        (today.year, today.month),
    ):
        last_day = last_filing_day(year, month, days)
        delta = (today - last_day).days
        if delta < 0 and -delta in before:
            found.append((year, month, "before"))
        elif delta > 0 and delta in after:
            found.append((year, month, "after"))
    return found


# ---------------------------------------------------------------------------------------------- figures


def figure_needs_reason(value: int | None, system_value: int | None) -> bool:
    """A figure the system knows and the county changed must say why."""
    return system_value is not None and value is not None and value != system_value


def suggested_percent(done: int, target: int) -> Decimal:
    """done/target as a percentage with one decimal, capped at 100."""
    if target <= 0:
        return Decimal("0.0")
    value = min(Fraction(max(done, 0), target), Fraction(1)) * 100
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def progress_problems(
    *, title: str, done: int, target: int, percent: Decimal | None, status: str
) -> tuple[Decimal, dict[str, str]]:
    """A task's 完成进度 derived from 累计完成 and 目标, and its agreement with 状态. Returns the percent to
    store and the refusals by field. An untyped percent (None) is computed; a typed one must lie within
    one unit of the task: at least done/target and below (done + 1)/target (partial progress of the next
    unit), and exactly 100 once done ≥ target. 0 done is not 已完成; done ≥ target is 已完成; 未启动 has
    nothing done and no progress."""
    computed = suggested_percent(done, target)
    problems: dict[str, str] = {}
    if percent is None:
        percent = computed
    elif target > 0:
        step = Fraction(100, target)
        exact = Fraction(max(done, 0) * 100, target)
        typed = Fraction(percent)
        agrees = typed == 100 if done >= target else exact - Fraction(1, 20) <= typed < exact + step
        if not agrees:
            upper = min(exact + step, Fraction(100))
            problems["percent"] = (
                f"任务“{title}”：完成进度{percent}%与累计完成{done}、目标{target}不符"
                f"（应为{computed}%"
                + (f"至{_one_decimal(upper)}%以下" if done < target else "")
                + "；留空则按累计完成自动计算）。"
            )
    from_label = dict(_PROGRESS_STATUS_LABELS)
    if status == "done" and done <= 0:
        problems["status"] = f"任务“{title}”：累计完成为 0，状态不能为“{from_label['done']}”。"
    elif target > 0 and done >= target and status != "done":
        problems["status"] = (
            f"任务“{title}”：累计完成{done}已达到目标{target}，状态应为“{from_label['done']}”"
            f"（现为“{from_label.get(status, status)}”）。"
        )
    elif status == "not_started" and (done > 0 or percent > 0):
        problems["status"] = (
            f"任务“{title}”：累计完成{done}、完成进度{percent}%，状态不能为“{from_label['not_started']}”。"
        )
    return percent, problems


_PROGRESS_STATUS_LABELS = (
    ("not_started", "未启动"),
    ("in_progress", "推进中"),
    ("done", "已完成"),
    ("behind", "滞后"),
)


def _one_decimal(value: Fraction) -> Decimal:
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def ratio(part: int, whole: int) -> Fraction | None:
    """Exact ratio; None when nothing is expected."""
    if whole == 0:
        return None
    return Fraction(part, whole)


def ratio_decimal(value: Fraction | None, places: int = 4) -> Decimal | None:
    """A ratio for display and for xlsx percent cells (0.8125 → 81.25%)."""
    if value is None:
        return None
    quantum = Decimal(1).scaleb(-places)
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(quantum, ROUND_HALF_UP)


def format_percent(value: Fraction | None) -> str:
    """81.25% → '81.3%' (half up, one decimal); None → '—'."""
    decimal = ratio_decimal(value, places=6)
    if decimal is None:
        return "—"
    return f"{(decimal * 100).quantize(Decimal('0.1'), ROUND_HALF_UP)}%"


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def clean_narrative(text: str) -> str:
    """The narrative leadership types (or pastes from Word) for the annual review, kept as typed: markup
    stays text (the templates escape it), line breaks become \\n, control characters (a vertical tab,
    a form feed from Word) become spaces. Everything else — odd spaces, emoji, 𠮷 — is kept."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub(" ", text).strip()
