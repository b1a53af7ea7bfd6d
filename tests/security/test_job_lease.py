"""A run that lost its lease (a copy of the message claimed the job again) drops its result: the job ends
with one file, the newer run's."""

import pytest
from django.db.models import F

from kejiju.core.jobs import JobKind, JobOutput, register_job_kind
from kejiju.core.models import ReportJob
from kejiju.core.services import ClaimOutcome, report_job_run

pytestmark = pytest.mark.django_db


def _overtaken(job):
    # While this run builds, another worker takes the job over (as after a lost heartbeat).
    ReportJob.objects.filter(pk=job.pk).update(attempts=F("attempts") + 1)
    return JobOutput(filename=f"overtaken-{job.pk}.txt", content=b"late")


def _overtaken_then_fails(job):
    ReportJob.objects.filter(pk=job.pk).update(attempts=F("attempts") + 1)
    raise RuntimeError("boom")


register_job_kind(JobKind("test_overtaken", "测试", _overtaken, "core.view_reportjob"))
register_job_kind(JobKind("test_overtaken_fails", "测试", _overtaken_then_fails, "core.view_reportjob"))


@pytest.mark.parametrize("kind", ["test_overtaken", "test_overtaken_fails"])
def test_a_superseded_run_leaves_no_file_and_no_state(kind, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    job = ReportJob.objects.create(kind=kind)
    assert report_job_run(job_id=job.pk) is ClaimOutcome.SUPERSEDED
    job.refresh_from_db()
    assert job.state == ReportJob.State.RUNNING and not job.file and job.error == ""
    assert not [p for p in tmp_path.rglob("*") if p.is_file()]


def test_a_run_that_keeps_its_lease_finishes(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    register_job_kind(
        JobKind("test_plain", "测试", lambda job: JobOutput("plain.txt", b"ok"), "core.view_reportjob")
    )
    job = ReportJob.objects.create(kind="test_plain")
    assert report_job_run(job_id=job.pk) is ClaimOutcome.DONE
    job.refresh_from_db()
    assert job.state == ReportJob.State.SUCCEEDED and job.file.read() == b"ok"


def _backdate(job, **fields):
    ReportJob.objects.filter(pk=job.pk).update(**fields)


def test_a_request_while_the_broker_is_down_keeps_the_job_and_the_sweeper_queues_it(
    client, auditor_user, monkeypatch, settings, tmp_path, django_capture_on_commit_callbacks
):
    from datetime import timedelta

    from django.urls import reverse
    from django.utils import timezone
    from kombu.exceptions import OperationalError

    from kejiju.core import tasks
    from kejiju.core.services import report_jobs_requeue_stale

    settings.MEDIA_ROOT = tmp_path

    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    client.force_login(auditor_user)
    with monkeypatch.context() as patch:
        patch.setattr(tasks.run_report_job, "apply_async", broker_down)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("accounts:event_export"))
    assert response.status_code == 302  # the user gets the job page, not an error
    job = ReportJob.objects.get()
    assert job.state == ReportJob.State.PENDING

    assert report_jobs_requeue_stale() == []  # too young: its message may still be on its way
    _backdate(job, created_at=timezone.now() - timedelta(minutes=5))
    assert report_jobs_requeue_stale() == [job.pk]  # eager in tests: runs at once
    job.refresh_from_db()
    assert job.state == ReportJob.State.SUCCEEDED and job.file


def test_the_sweeper_takes_over_a_running_job_whose_worker_is_gone(settings, tmp_path):
    from datetime import timedelta

    from django.utils import timezone

    from kejiju.core.services import report_jobs_requeue_stale

    settings.MEDIA_ROOT = tmp_path
    register_job_kind(
        JobKind("test_plain", "测试", lambda job: JobOutput("plain.txt", b"ok"), "core.view_reportjob")
    )
    alive = ReportJob.objects.create(
        kind="test_plain", state="running", heartbeat_at=timezone.now(), attempts=1
    )
    dead = ReportJob.objects.create(
        kind="test_plain", state="running", heartbeat_at=timezone.now() - timedelta(minutes=5), attempts=1
    )
    assert report_jobs_requeue_stale() == [dead.pk]
    dead.refresh_from_db()
    alive.refresh_from_db()
    assert dead.state == ReportJob.State.SUCCEEDED and dead.attempts == 2
    assert alive.state == ReportJob.State.RUNNING


def test_celery_beat_runs_the_sweeper(settings):
    from kejiju.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["requeue-stale-report-jobs"]
    assert entry["task"] in app.tasks and entry["schedule"] <= 600
