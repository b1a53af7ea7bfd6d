"""Report jobs survive worker and broker faults (real Celery workers, real Redis):
- the worker process killed mid-job: the message comes back, the job is finished once, one file;
- a job past its soft time limit fails with a reason the requester sees;
- Redis restarted (a crash, with its append-only file) while a job runs: no job is lost;
- time limits are the worker's, and one that fires is never lost, even when the build swallows it;
- a renderer that logged an image it could not draw fails the job;
- a frozen broker does not hold a request; the sweeper sends no copy of a message still queued."""

import base64
import contextlib
import json
import os
import signal
import socket
import subprocess
import threading
import time
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from kejiju.celery import app as celery_app
from kejiju.core.models import AuditEvent, ReportJob
from kejiju.core.services import _enqueue, report_jobs_requeue_stale
from kejiju.core.tasks import run_report_job
from tests.processes import wait_for
from tests.security import slow_jobs  # noqa: F401 - registers the test_slow kind here too

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]

FAST_LEASE = {"REPORT_JOB_HEARTBEAT_SECONDS": "1", "REPORT_JOB_LEASE_SECONDS": "3"}


def _slow_job(user, tmp_path, seconds):
    return ReportJob.objects.create(
        kind="test_slow",
        parameters={"seconds": seconds, "marks": str(tmp_path / "marks"), "tag": uuid.uuid4().hex},
        requested_by=user,
    )


def _files_of(job) -> list[Path]:
    return sorted(Path(settings.MEDIA_ROOT).rglob(f"slow-{job.parameters['tag']}*"))


def _state(job) -> str:
    return ReportJob.objects.get(pk=job.pk).state


def test_a_job_whose_worker_process_is_killed_is_run_again_and_finished_once(
    start_worker, bureau_user, tmp_path
):
    worker = start_worker(**FAST_LEASE)
    job = _slow_job(bureau_user, tmp_path, seconds=4)
    worker.send(job)
    first = tmp_path / "marks" / f"{job.pk}-1.pid"
    assert wait_for(first.exists), worker.tail()
    os.kill(int(first.read_text()), signal.SIGKILL)  # the prefork child running the job, mid-run

    assert wait_for(lambda: _state(job) == ReportJob.State.SUCCEEDED), worker.tail()
    job.refresh_from_db()
    assert job.attempts == 2 and job.result == {"attempt": 2}
    assert (tmp_path / "marks" / f"{job.pk}-2.pid").read_text() != first.read_text()
    assert len(_files_of(job)) == 1 and Path(settings.MEDIA_ROOT, job.file.name) == _files_of(job)[0]
    time.sleep(3)  # any late copy of the message finds the job finished and does nothing
    assert ReportJob.objects.get(pk=job.pk).attempts == 2 and len(_files_of(job)) == 1


def test_a_job_past_the_workers_soft_time_limit_fails_with_a_reason(
    start_worker, bureau_user, tmp_path, client
):
    # The limit is the worker's (its CELERY_TASK_SOFT_TIME_LIMIT), not the sender's: the message goes out
    # from this process, whose settings say ten minutes, and asks for a minute besides.
    worker = start_worker(CELERY_TASK_SOFT_TIME_LIMIT="2", CELERY_TASK_TIME_LIMIT="30", **FAST_LEASE)
    job = _slow_job(bureau_user, tmp_path, seconds=8)
    worker.send(job, soft_time_limit=60, time_limit=120)
    assert wait_for(
        lambda: _state(job) != ReportJob.State.PENDING and _state(job) != "running", timeout=60
    ), worker.tail()
    job.refresh_from_db()
    assert job.state == ReportJob.State.FAILED, worker.tail()
    assert "超过时间限制" in job.error and not job.file
    client.force_login(bureau_user)
    page = client.get(reverse("core:reportjob_detail", args=[job.pk])).content.decode()
    assert "失败原因" in page and "超过时间限制" in page


def _job(user, tmp_path, kind, **parameters):
    return ReportJob.objects.create(
        kind=kind,
        parameters={"marks": str(tmp_path / "marks"), "tag": uuid.uuid4().hex, **parameters},
        requested_by=user,
    )


def _finished(job) -> bool:
    return _state(job) in (ReportJob.State.SUCCEEDED, ReportJob.State.FAILED)


def test_a_time_limit_swallowed_inside_the_build_still_fails_the_job(
    start_worker, bureau_user, tmp_path, client
):
    """The soft limit fires while WeasyPrint draws an SVG chart, and WeasyPrint's `except BaseException`
    swallows it: the PDF comes out without the chart. And a build that swallows the limit without a word.
    Both must fail with the time-limit reason, never succeed."""
    worker = start_worker(CELERY_TASK_SOFT_TIME_LIMIT="4", CELERY_TASK_TIME_LIMIT="60", **FAST_LEASE)
    chart = _job(bureau_user, tmp_path, "test_chart_pdf", draw_seconds=60)
    silent = _job(bureau_user, tmp_path, "test_swallowing", seconds=6)
    worker.send(chart)
    worker.send(silent)
    assert wait_for(lambda: _finished(chart) and _finished(silent), timeout=90), worker.tail()
    for job in (chart, silent):
        job.refresh_from_db()
        assert (job.state, job.file.name) == (ReportJob.State.FAILED, ""), worker.tail()
        assert "超过时间限制" in job.error
        assert not _files_of(job)
    client.force_login(bureau_user)
    page = client.get(reverse("core:reportjob_detail", args=[silent.pk])).content.decode()
    assert "失败原因" in page and "超过时间限制" in page


def test_a_render_that_logged_an_image_failure_fails_the_job(start_worker, bureau_user, tmp_path, client):
    worker = start_worker(**FAST_LEASE)
    job = _job(bureau_user, tmp_path, "test_chart_pdf", broken=True)
    worker.send(job)
    assert wait_for(lambda: _finished(job), timeout=90), worker.tail()
    job.refresh_from_db()
    assert job.state == ReportJob.State.FAILED and not job.file and not _files_of(job), worker.tail()
    assert "未能绘制" in job.error and "Failed" not in job.error
    client.force_login(bureau_user)
    page = client.get(reverse("core:reportjob_detail", args=[job.pk])).content.decode()
    assert "失败原因" in page and "未能绘制" in page


@pytest.fixture
def private_redis(tmp_path):
    """A Redis of our own on port 6390 that persists every write (appendfsync always), as the broker of
    production must."""
    port = 6390
    data = tmp_path / "redis"
    data.mkdir()
    command = ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--dir", str(data)]
    command += ["--appendonly", "yes", "--appendfsync", "always", "--save", ""]

    state = {}

    def start():
        state["process"] = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        assert wait_for(lambda: _ping(port), timeout=20)

    def crash():
        state["process"].send_signal(signal.SIGKILL)
        state["process"].wait(timeout=10)

    start()
    yield {"url": f"redis://127.0.0.1:{port}/0", "start": start, "crash": crash}
    if state["process"].poll() is None:
        state["process"].terminate()
        state["process"].wait(timeout=10)


def _ping(port: int) -> bool:
    import redis

    try:
        return redis.Redis(port=port, socket_connect_timeout=0.5).ping()
    except redis.exceptions.ConnectionError:
        return False


def test_redis_restarted_during_a_run_loses_no_job(start_worker, private_redis, bureau_user, tmp_path):
    worker = start_worker(broker=private_redis["url"], CELERY_VISIBILITY_TIMEOUT="8", **FAST_LEASE)
    jobs = [_slow_job(bureau_user, tmp_path, seconds=3) for _ in range(3)]
    for job in jobs:
        worker.send(job)
    assert wait_for((tmp_path / "marks" / f"{jobs[0].pk}-1.pid").exists), worker.tail()

    private_redis["crash"]()
    time.sleep(2)
    private_redis["start"]()

    assert wait_for(lambda: all(_state(job) == ReportJob.State.SUCCEEDED for job in jobs), timeout=150), (
        worker.tail()
    )
    for job in jobs:
        assert len(_files_of(job)) == 1


# ------------------------------------------------------------------------------- broker frozen or backed up


@pytest.fixture
def frozen_broker():
    """A broker that accepts connections and never answers, as a SIGSTOPped Redis or one behind a network
    partition does: a local socket. Each connection is dropped after 15 s, so that code without timeouts
    ends too (late) instead of hanging the test run."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(64)
    server.settimeout(0.2)
    held: list[tuple[float, socket.socket]] = []
    stop = threading.Event()

    def serve():
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                conn, _ = server.accept()
                held.append((time.monotonic(), conn))
            for item in [item for item in held if time.monotonic() - item[0] > 15]:
                item[1].close()
                held.remove(item)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"redis://127.0.0.1:{server.getsockname()[1]}/0"
    stop.set()
    thread.join(timeout=5)
    for _, conn in held:
        conn.close()
    server.close()


def _queued_copies(job_ids) -> dict[int, list[bytes]]:
    """The messages of these jobs waiting in the default queue of the test broker."""
    import redis

    copies: dict[int, list[bytes]] = {job_id: [] for job_id in job_ids}
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    for raw in client.lrange(celery_app.conf.task_default_queue, 0, -1):
        message = json.loads(raw)
        args = json.loads(base64.b64decode(message["body"]))[0]
        if message["headers"].get("task") == run_report_job.name and args and args[0] in copies:
            copies[args[0]].append(raw)
    return copies


def _count(copies) -> dict[int, int]:
    return {job_id: len(raws) for job_id, raws in copies.items()}


def test_a_request_while_the_broker_is_frozen_answers_at_once_and_the_job_runs_later(
    start_worker, frozen_broker, auditor_user, client, monkeypatch
):
    AuditEvent.objects.create(event_type="login", username="alice")
    client.force_login(auditor_user)
    with monkeypatch.context() as patch:
        patch.setenv("CELERY_BROKER_WRITE_URL", frozen_broker)
        patch.setattr(celery_app, "_pool", None)  # no pooled connection to the live broker
        patch.setattr(celery_app.amqp, "_producer_pool", None)
        started = time.monotonic()
        response = client.post(reverse("accounts:event_export"))
        elapsed = time.monotonic() - started
    assert response.status_code == 302 and elapsed < 2.0, f"{elapsed:.1f} s"
    job = ReportJob.objects.get()
    assert job.state == ReportJob.State.PENDING and not job.message_id
    assert "排队中" in client.get(response.url).content.decode()

    # The broker answers again: the sweeper sends the job's message, and a worker runs it.
    worker = start_worker(queue=celery_app.conf.task_default_queue)
    ReportJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - timedelta(minutes=10))
    assert report_jobs_requeue_stale() == [job.pk]
    assert wait_for(lambda: _state(job) == ReportJob.State.SUCCEEDED, timeout=60), worker.tail()


def test_the_sweeper_sends_no_copy_of_a_message_still_queued(start_worker, bureau_user, tmp_path):
    import redis

    worker = start_worker(queue=celery_app.conf.task_default_queue, **FAST_LEASE)
    blocker = _slow_job(bureau_user, tmp_path, seconds=8)  # the only worker is busy meanwhile
    assert _enqueue(blocker.pk)
    assert wait_for((tmp_path / "marks" / f"{blocker.pk}-1.pid").exists), worker.tail()
    jobs = [_slow_job(bureau_user, tmp_path, seconds=0) for _ in range(3)]
    ids = [job.pk for job in jobs]
    for job_id in ids:
        assert _enqueue(job_id)
    long_ago = timezone.now() - timedelta(minutes=10)
    ReportJob.objects.filter(pk__in=ids).update(created_at=long_ago, queued_at=long_ago)

    # Pending for ten minutes, but their messages wait behind the busy worker: nothing more is sent.
    for _ in range(3):
        assert report_jobs_requeue_stale() == []
    assert _count(_queued_copies(ids)) == dict.fromkeys(ids, 1)

    # The broker loses them (restarted without its data): each is sent again, once, however many sweeps.
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    for raws in _queued_copies(ids).values():
        for raw in raws:
            client.lrem(celery_app.conf.task_default_queue, 0, raw)
    ReportJob.objects.filter(pk__in=ids).update(queued_at=long_ago)
    assert sorted(report_jobs_requeue_stale()) == ids
    assert report_jobs_requeue_stale() == []
    assert _count(_queued_copies(ids)) == dict.fromkeys(ids, 1)
    assert _state(blocker) == ReportJob.State.RUNNING, "the sweeps ran while the worker was still busy"

    assert wait_for(lambda: all(_state(job) == ReportJob.State.SUCCEEDED for job in jobs)), worker.tail()
    assert list(ReportJob.objects.filter(pk__in=ids).values_list("attempts", flat=True)) == [1, 1, 1]
