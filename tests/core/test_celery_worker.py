"""A real Celery worker against Redis runs a report job; a second delivery of the message does nothing."""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from kejiju.celery import app as celery_app
from kejiju.core.models import AuditEvent, ReportJob
from kejiju.core.tasks import run_report_job

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]


def _database_url() -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def worker(tmp_path):
    queue = f"kejiju-test-{uuid.uuid4().hex[:8]}"
    log = tmp_path / "worker.log"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "kejiju.settings_test",
        "DATABASE_URL": _database_url(),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "CELERY_TASK_ALWAYS_EAGER": "false",
    }
    with log.open("w") as handle:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "kejiju",
                "worker",
                "-l",
                "info",
                "-Q",
                queue,
                "--concurrency",
                "1",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ],
            cwd=ROOT,
            env=env,
            stdout=handle,
            stderr=subprocess.STDOUT,
        )
    celery_app.conf.task_always_eager = False
    try:
        yield queue, log
    finally:
        celery_app.conf.task_always_eager = settings.CELERY_TASK_ALWAYS_EAGER
        process.terminate()
        process.wait(timeout=30)


def _wait_for(predicate, timeout=60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.25)
    return False


def test_worker_runs_a_job_once_even_when_delivered_twice(worker, auditor_user):
    queue, log = worker
    AuditEvent.objects.create(event_type="login", username="alice")
    job = ReportJob.objects.create(kind="audit_events_export", parameters={}, requested_by=auditor_user)
    task_id = str(uuid.uuid4())
    run_report_job.apply_async(args=[job.pk], queue=queue, task_id=task_id)
    run_report_job.apply_async(args=[job.pk], queue=queue, task_id=task_id)  # the same message again

    finished = _wait_for(lambda: ReportJob.objects.get(pk=job.pk).state == ReportJob.State.SUCCEEDED)
    assert finished, log.read_text()[-3000:]
    assert _wait_for(lambda: "already_finished" in log.read_text()), log.read_text()[-3000:]
    job.refresh_from_db()
    assert job.attempts == 1
    files = list((Path(settings.MEDIA_ROOT) / Path(job.file.name).parent).glob("安全事件日志-*"))
    assert job.file.name and Path(settings.MEDIA_ROOT, job.file.name) in files
