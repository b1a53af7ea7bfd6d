from datetime import timedelta

import pytest
from django.utils import timezone

from kejiju.core.jobs import JobKind, register_job_kind
from kejiju.core.models import AuditEvent, ReportJob
from kejiju.core.services import ClaimOutcome, report_job_request, report_job_run

pytestmark = pytest.mark.django_db


def _failing_build(job):
    raise ValueError("数据不完整")


register_job_kind(JobKind("test_failing", "测试失败任务", _failing_build, "core.view_auditevent"))


def test_audit_export_job_builds_the_filtered_log(auditor_user, django_capture_on_commit_callbacks):
    AuditEvent.objects.create(event_type="login", username="alice")
    AuditEvent.objects.create(event_type="logout", username="bob")
    with django_capture_on_commit_callbacks(execute=True):
        job = report_job_request(
            kind="audit_events_export", parameters={"query": "q=alice"}, user=auditor_user
        )
    job.refresh_from_db()
    assert job.state == ReportJob.State.SUCCEEDED and job.attempts == 1
    assert job.result == {"rows": 1}
    import io

    from openpyxl import load_workbook

    rows = list(load_workbook(io.BytesIO(job.file.read())).active.values)
    assert rows[0][1] == "用户名" and rows[1][1] == "alice"


def test_a_second_run_of_a_finished_job_does_nothing(auditor_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = report_job_request(kind="audit_events_export", parameters={}, user=auditor_user)
    job.refresh_from_db()
    name = job.file.name
    assert report_job_run(job_id=job.pk) is ClaimOutcome.ALREADY_FINISHED
    job.refresh_from_db()
    assert job.attempts == 1 and job.file.name == name


def test_a_live_claim_makes_a_copy_wait(auditor_user):
    job = ReportJob.objects.create(
        kind="audit_events_export", state=ReportJob.State.RUNNING, heartbeat_at=timezone.now(), attempts=1
    )
    assert report_job_run(job_id=job.pk) is ClaimOutcome.BUSY


def test_a_stale_claim_is_taken_over(auditor_user, settings):
    stale = timezone.now() - timedelta(seconds=settings.REPORT_JOB_LEASE_SECONDS + 5)
    job = ReportJob.objects.create(
        kind="audit_events_export", state=ReportJob.State.RUNNING, heartbeat_at=stale, attempts=1
    )
    assert report_job_run(job_id=job.pk) is ClaimOutcome.DONE
    job.refresh_from_db()
    assert job.state == ReportJob.State.SUCCEEDED and job.attempts == 2


def test_a_failed_job_says_why_on_its_page(client, auditor_user):
    job = ReportJob.objects.create(kind="test_failing", requested_by=auditor_user)
    report_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.state == ReportJob.State.FAILED and "数据不完整" in job.error
    client.force_login(auditor_user)
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert "失败原因" in page and "数据不完整" in page


def test_auditor_exports_the_log_from_the_page(client, auditor_user, django_capture_on_commit_callbacks):
    client.force_login(auditor_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/audit/events/export/", {"query": "event_type=login"})
    job = ReportJob.objects.get()
    assert response["Location"] == f"/jobs/{job.pk}/"
    download = client.get(f"/jobs/{job.pk}/download/")
    assert download.status_code == 200
    assert AuditEvent.objects.filter(event_type=AuditEvent.Type.DOWNLOAD, actor=auditor_user).exists()


def _clean_named_pdf(job):
    import io

    from pypdf import PdfWriter

    from kejiju.core.jobs import JobOutput

    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    buffer = io.BytesIO()
    writer.write(buffer)
    return JobOutput(filename="年度工作综述-2023.pdf", content=buffer.getvalue())


register_job_kind(JobKind("test_clean_name", "测试同名文件", _clean_named_pdf, "core.view_auditevent"))


def test_a_file_stored_under_a_suffixed_name_downloads_under_its_own(client, auditor_user):
    """The storage adds a suffix when a file of that name exists (年度工作综述-2023_EH7poJO.pdf): the page
    and the download still name the file as the job made it."""
    jobs = [ReportJob.objects.create(kind="test_clean_name", requested_by=auditor_user) for _ in range(2)]
    for job in jobs:
        assert report_job_run(job_id=job.pk) is ClaimOutcome.DONE
        job.refresh_from_db()
    assert jobs[0].file.name != jobs[1].file.name  # the second one was stored with a suffix
    client.force_login(auditor_user)
    for job in jobs:
        assert job.filename == "年度工作综述-2023.pdf"
        page = client.get(f"/jobs/{job.pk}/").content.decode()
        assert "下载 年度工作综述-2023.pdf" in page
        response = client.get(f"/jobs/{job.pk}/download/")
        assert response.status_code == 200
        assert (
            "filename*=utf-8''%E5%B9%B4%E5%BA%A6%E5%B7%A5%E4%BD%9C%E7%BB%BC%E8%BF%B0-2023.pdf"
            in (response["Content-Disposition"])
        ), response["Content-Disposition"]
