"""Filings built through the services with the clock given (factories write no workflow events, and the
report and annual figures are read from the events)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from kejiju.reporting import rules, services
from kejiju.reporting.models import MonthlyFiling
from kejiju.reporting.services import FigureInput, ProgressInput

HOUR = dt.timedelta(hours=1)


def file_month(
    user,
    *,
    year: int,
    month: int,
    when: dt.datetime,
    bureau=None,
    key_progress: str = "推进成果转化基地建设。",
    problems: str = "",
    next_plan: str = "",
    progress: Sequence[ProgressInput] = (),
    figures: Sequence[FigureInput] = (),
) -> MonthlyFiling:
    """The county saves and 报送 its filing of (year, month) at `when`; after the deadline the bureau
    first reopens the month (解锁补报), so the 报送 is late."""
    if when >= rules.filing_deadline(year, month):
        services.filing_reopen(
            actor=bureau,
            region=user.region,
            year=year,
            month=month,
            reason="县区账号变更，准予补报。",
            expires_at=when + 24 * HOUR,
            now=when - 2 * HOUR,
        )
    filing = services.filing_save(
        actor=user,
        year=year,
        month=month,
        key_progress=key_progress,
        problems=problems,
        next_plan=next_plan,
        progress=progress,
        figures=figures,
        now=when - HOUR,
    )
    return services.filing_submit(actor=user, filing=filing, now=when)


def resend(user, filing: MonthlyFiling, *, when: dt.datetime) -> MonthlyFiling:
    """A returned filing corrected and 重新报送 at `when`."""
    filing = services.filing_save(
        actor=user,
        year=filing.year,
        month=filing.month,
        key_progress=filing.key_progress + "（已核对）",
        problems=filing.problems,
        next_plan=filing.next_plan,
        now=when - HOUR,
    )
    return services.filing_submit(actor=user, filing=filing, now=when)


def give_back(bureau, filing: MonthlyFiling, *, when: dt.datetime) -> MonthlyFiling:
    return services.filing_return(actor=bureau, filing=filing, reason="数据与系统不一致，请核对。", now=when)


def confirm(bureau, filing: MonthlyFiling, *, when: dt.datetime) -> MonthlyFiling:
    return services.filing_confirm(actor=bureau, filing=filing, now=when)
