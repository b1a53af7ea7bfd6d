"""A real Celery worker against Redis runs a report job; a second delivery of the message does nothing."""

import uuid
from pathlib import Path

import pytest
from django.conf import settings

from kejiju.core.models import AuditEvent, ReportJob
from kejiju.core.tasks import run_report_job
from tests.processes import wait_for

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]


def test_worker_runs_a_job_once_even_when_delivered_twice(start_worker, auditor_user):
    worker = start_worker()
    queue, log = worker.queue, worker.log
    AuditEvent.objects.create(event_type="login", username="alice")
    job = ReportJob.objects.create(kind="audit_events_export", parameters={}, requested_by=auditor_user)
    task_id = str(uuid.uuid4())
    run_report_job.apply_async(args=[job.pk], queue=queue, task_id=task_id)
    run_report_job.apply_async(args=[job.pk], queue=queue, task_id=task_id)  # the same message again

    finished = wait_for(lambda: ReportJob.objects.get(pk=job.pk).state == ReportJob.State.SUCCEEDED)
    assert finished, log.read_text()[-3000:]
    assert wait_for(lambda: "already_finished" in log.read_text()), log.read_text()[-3000:]
    job.refresh_from_db()
    assert job.attempts == 1
    files = list((Path(settings.MEDIA_ROOT) / Path(job.file.name).parent).glob("安全事件日志-*"))
    assert job.file.name and Path(settings.MEDIA_ROOT, job.file.name) in files
