"""Writes of county reporting (the app's service API): task lists, monthly filings and their review,
reopening, reminders, notices and the monthly report's jobs. Keyword-only, atomic, validated; every step of a
filing lands on its timeline."""

from __future__ import annotations

from .county_tasks import (
    APPROVED_TASKS_PERM,
    task_approve,
    task_create,
    task_delete,
    task_update,
)
from .filings import (
    ATTACHMENT_SIGNATURES,
    FigureInput,
    ProgressInput,
    attachment_delete,
    attachment_max_bytes,
    filing_confirm,
    filing_reopen,
    filing_return,
    filing_save,
    filing_submit,
    has_active_exception,
    send_filing_reminders,
)
from .monthly_report import (
    MONTHLY_REPORT_KIND,
    build_due_monthly_report,
    monthly_report_adopt,
    monthly_report_request,
)
from .notices import (
    SENTENCE_ENDS,
    UNREAD_KEY,
    UNREAD_SECONDS,
    county_recipients,
    notice_open,
    notice_send,
    notice_unread_count,
    notices_mark_read,
    notify_region,
    notify_transition,
    sentence,
    transition_recipients,
)
from .researchers import researcher_target_save

__all__ = [
    "APPROVED_TASKS_PERM",
    "ATTACHMENT_SIGNATURES",
    "MONTHLY_REPORT_KIND",
    "SENTENCE_ENDS",
    "UNREAD_KEY",
    "UNREAD_SECONDS",
    "FigureInput",
    "ProgressInput",
    "attachment_delete",
    "attachment_max_bytes",
    "build_due_monthly_report",
    "county_recipients",
    "filing_confirm",
    "filing_reopen",
    "filing_return",
    "filing_save",
    "filing_submit",
    "has_active_exception",
    "monthly_report_adopt",
    "monthly_report_request",
    "notice_open",
    "notice_send",
    "notice_unread_count",
    "notices_mark_read",
    "notify_region",
    "notify_transition",
    "researcher_target_save",
    "send_filing_reminders",
    "sentence",
    "task_approve",
    "task_create",
    "task_delete",
    "task_update",
    "transition_recipients",
]
