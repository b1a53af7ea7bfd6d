"""Thin Celery tasks of the experts app (scheduled by experts/schedule.py)."""

from celery import shared_task

from . import reminders


@shared_task
def send_online_review_reminders() -> int:
    return reminders.send_online_reminders()
