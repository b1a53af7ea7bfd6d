"""A report-job kind for the worker-fault tests only: it notes which process runs it, then sleeps. The
test worker imports this module (celery worker --include tests.security.slow_jobs)."""

import os
import time
from pathlib import Path

from kejiju.core.jobs import JobKind, JobOutput, register_job_kind


def build_slow(job) -> JobOutput:
    marks = Path(job.parameters["marks"])
    marks.mkdir(parents=True, exist_ok=True)
    (marks / f"{job.pk}-{job.attempts}.pid").write_text(str(os.getpid()))
    deadline = time.monotonic() + float(job.parameters.get("seconds", 5))
    while time.monotonic() < deadline:
        time.sleep(0.1)
    return JobOutput(
        filename=f"slow-{job.parameters['tag']}.txt", content=b"done", result={"attempt": job.attempts}
    )


SLOW = JobKind(name="test_slow", label="测试用慢任务", build=build_slow, permission="core.view_reportjob")
register_job_kind(SLOW)
