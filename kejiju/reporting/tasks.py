"""Thin Celery tasks of county reporting (scheduled by kejiju/reporting/schedule.py)."""

from celery import shared_task

from . import services


@shared_task
def send_filing_reminders() -> int:
    return services.send_filing_reminders()


@shared_task
def build_due_monthly_report() -> int | None:
    job = services.build_due_monthly_report()
    return job.pk if job else None
