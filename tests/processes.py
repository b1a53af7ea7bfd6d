"""Other processes of the portal for the tests that must cross one: Celery workers and gunicorn web servers
in processes of their own, against this test session's database (a transactional test's rows are committed,
so they see them) and Redis, with extra settings from the environment (e.g. an object store's,
tests/objectstore.py `ObjectStore.env`)."""

from __future__ import annotations

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
from kejiju.core.models import ReportJob
from kejiju.core.tasks import run_report_job
from tests.objectstore import free_port, wait_for_port

ROOT = Path(__file__).resolve().parents[1]


def database_url() -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def process_env(**env: str) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "kejiju.settings_test",
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        **env,
    }


def wait_for(predicate, timeout=90.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.25)
    return False


def _stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


class Worker:
    def __init__(self, tmp_path: Path, broker: str, env: dict[str, str], queue: str | None = None):
        self.queue = queue or f"kejiju-test-{uuid.uuid4().hex[:8]}"
        self.broker = broker
        self.log = tmp_path / f"worker-{self.queue}.log"
        command = [sys.executable, "-m", "celery", "-A", "kejiju", "worker", "-l", "info", "-Q", self.queue]
        command += ["--include", "tests.security.slow_jobs", "--concurrency", "1", "--pool", "prefork"]
        command += ["--without-gossip", "--without-mingle", "--without-heartbeat"]
        with self.log.open("w") as handle:
            self.process = subprocess.Popen(
                command,
                cwd=ROOT,
                env=process_env(CELERY_BROKER_URL=broker, **env),
                stdout=handle,
                stderr=subprocess.STDOUT,
            )

    def send(self, job: ReportJob, **options) -> None:
        with celery_app.connection_for_write(self.broker) as conn:
            run_report_job.apply_async(args=[job.pk], queue=self.queue, connection=conn, **options)

    def tail(self) -> str:
        return self.log.read_text()[-4000:]

    def stop(self) -> None:
        _stop(self.process)


class WebServer:
    """gunicorn serving the portal on a free loopback port, in a process of its own."""

    def __init__(self, tmp_path: Path, env: dict[str, str]):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = tmp_path / f"web-{self.port}.log"
        command = [sys.executable, "-m", "gunicorn", "kejiju.wsgi:application"]
        command += ["--bind", f"127.0.0.1:{self.port}", "--workers", "1", "--access-logfile", "-"]
        with self.log.open("w") as handle:
            self.process = subprocess.Popen(
                command, cwd=ROOT, env=process_env(**env), stdout=handle, stderr=subprocess.STDOUT
            )
        wait_for_port(self.port, process=self.process)

    def tail(self) -> str:
        return self.log.read_text()[-4000:]

    def stop(self) -> None:
        _stop(self.process)


@pytest.fixture
def start_worker(tmp_path):
    """start_worker(broker=…, queue=…, **env) -> a running Worker, stopped after the test."""
    workers: list[Worker] = []
    celery_app.conf.task_always_eager = False

    def start(*, broker: str = settings.CELERY_BROKER_URL, queue: str | None = None, **env: str) -> Worker:
        worker = Worker(tmp_path, broker, env, queue)
        workers.append(worker)
        return worker

    yield start
    celery_app.conf.task_always_eager = settings.CELERY_TASK_ALWAYS_EAGER
    for worker in workers:
        worker.stop()


@pytest.fixture
def start_web(tmp_path):
    """start_web(**env) -> a running WebServer, stopped after the test."""
    servers: list[WebServer] = []

    def start(**env: str) -> WebServer:
        server = WebServer(tmp_path, env)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()
