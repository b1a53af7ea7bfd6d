"""Celery beat entries of the experts app. Importable from settings (it imports no Django model and reads
no setting); kejiju/settings.py merges them into CELERY_BEAT_SCHEDULE.

The 网评 reminder runs every hour and decides itself whom to remind: the seated experts who have not
submitted on panels whose 网评截止时间 is the 系统参数 expert_review_reminder_hours away or less, each once
(experts.reminders). A changed value needs no schedule change. Times are Asia/Shanghai (CELERY_TIMEZONE);
the minute is the default of the 系统参数 expert_reminder_minute (kejiju.core.beat follows it).
"""

from celery.schedules import crontab

CELERY_BEAT_SCHEDULE = {
    "experts-online-review-reminders": {
        "task": "experts.tasks.send_online_review_reminders",
        "schedule": crontab(minute=15),
    },
}
