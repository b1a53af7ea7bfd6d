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
