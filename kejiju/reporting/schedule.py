"""Celery beat entries of county reporting. Importable from settings (it imports no Django model and
reads no setting), so kejiju/settings.py merges them with one line:

    from kejiju.reporting.schedule import CELERY_BEAT_SCHEDULE as REPORTING_BEAT_SCHEDULE  # noqa: E402

    CELERY_BEAT_SCHEDULE = {**REPORTING_BEAT_SCHEDULE}

Both tasks run daily and decide themselves whether there is work: reminders go out on the days
rules.reminder_months names (before and after the filing deadline, a 系统参数), and the monthly report
is built once after the previous month's deadline. A changed deadline needs no schedule change.
Times are Asia/Shanghai (CELERY_TIMEZONE); they are the defaults of the 系统参数 filing_reminder_time and
monthly_report_time, which beat follows without a restart (kejiju.core.beat).
"""

from celery.schedules import crontab

CELERY_BEAT_SCHEDULE = {
    "reporting-filing-reminders": {
        "task": "kejiju.reporting.tasks.send_filing_reminders",
        "schedule": crontab(minute=0, hour=9),
    },
    "reporting-monthly-report": {
        "task": "kejiju.reporting.tasks.build_due_monthly_report",
        "schedule": crontab(minute=30, hour=1),
    },
}
