"""Celery beat follows the 系统参数 without a restart: a real ParameterScheduler (its shelve file, the
project's Celery app and Redis broker) builds its schedule from the parameters and applies a change at its
next tick; an entry keeps its last run time."""

import pytest
from celery.schedules import crontab

from kejiju.celery import app
from kejiju.core import parameters
from kejiju.core.beat import ParameterScheduler
from kejiju.core.services import parameters_reset, parameters_save

pytestmark = pytest.mark.django_db

ENTRY = "reporting-filing-reminders"


def _scheduler(tmp_path):
    return ParameterScheduler(app=app, schedule_filename=str(tmp_path / "celerybeat-schedule"))


def test_the_scheduler_applies_a_change_at_its_next_tick(
    tmp_path, sysadmin_user, django_capture_on_commit_callbacks
):
    scheduler = _scheduler(tmp_path)
    try:
        assert scheduler.schedule[ENTRY].schedule == crontab(minute=0, hour=9)
        assert set(scheduler.schedule) >= set(app.conf.beat_schedule)
        last_run = scheduler.schedule[ENTRY].last_run_at
        scheduler.tick()  # nothing is due right after the start
        assert not scheduler.parameters_changed()

        with django_capture_on_commit_callbacks(execute=True):
            parameters_save(
                values={"filing_reminder_time": "10:45", "report_job_requeue_seconds": "900"},
                actor=sysadmin_user,
            )
        assert scheduler.parameters_changed()
        delay = scheduler.tick()
        assert not scheduler.parameters_changed()
        entry = scheduler.schedule[ENTRY]
        assert entry.schedule == crontab(minute=45, hour=10)
        assert entry.last_run_at == last_run  # moved, not run again
        assert scheduler.schedule["requeue-stale-report-jobs"].schedule.seconds == 900
        assert 0 < delay <= scheduler.max_interval
        # The heap of due times was built from the new schedules.
        assert {event[2].name: event[2].schedule for event in scheduler._heap}[ENTRY] == crontab(
            minute=45, hour=10
        )

        with django_capture_on_commit_callbacks(execute=True):
            parameters_reset(names=None, actor=sysadmin_user)
        scheduler.tick()
        assert scheduler.schedule[ENTRY].schedule == crontab(minute=0, hour=9)
    finally:
        scheduler.close()


def test_a_restarted_beat_starts_from_the_parameters(tmp_path, sysadmin_user):
    parameters_save(values={"monthly_report_time": "02:10"}, actor=sysadmin_user)
    first = _scheduler(tmp_path)
    first.close()
    second = _scheduler(tmp_path)  # the shelve file holds the entries of the first
    try:
        assert second.schedule["reporting-monthly-report"].schedule == crontab(minute=10, hour=2)
    finally:
        second.close()
    assert parameters.value("monthly_report_time") == "02:10"


def test_beat_uses_this_scheduler_and_wakes_every_minute(tmp_path):
    assert app.conf.beat_scheduler == "kejiju.core.beat:ParameterScheduler"
    scheduler = _scheduler(tmp_path)
    try:
        assert scheduler.max_interval == 60
    finally:
        scheduler.close()
