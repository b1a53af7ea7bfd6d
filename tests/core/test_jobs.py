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


def test_the_audit_log_names_a_job_by_its_title_never_its_kind_code(
    client, auditor_user, django_capture_on_commit_callbacks
):
    """An export's and a download's audit events read 数据变更日志导出 #n and the file's name: a user of the
    audit log never reads changelog_export."""
    client.force_login(auditor_user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/audit/changes/export/", {"query": ""})
    job = ReportJob.objects.get()
    assert str(job) == f"数据变更日志导出 #{job.pk}"
    assert client.get(f"/jobs/{job.pk}/download/").status_code == 200
    export = AuditEvent.objects.get(event_type=AuditEvent.Type.EXPORT)
    download = AuditEvent.objects.get(event_type=AuditEvent.Type.DOWNLOAD)
    assert export.object_repr == f"数据变更日志导出 #{job.pk}"
    assert download.object_repr == f"数据变更日志导出 #{job.pk} {job.filename}"
    assert not any("changelog_export" in event.object_repr for event in (export, download))


def test_a_job_title_follows_its_kind_and_parameters():
    monthly = ReportJob(pk=7, kind="monthly_report", parameters={"year": 2026, "month": 11})
    assert str(monthly) == "2026年11月月度进展报告 #7"
    assert ReportJob(pk=8, kind="monthly_report", parameters={}).title == "月度进展报告"
    assert ReportJob(pk=9, kind="retired_kind").title == "报表任务"


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


def test_every_job_page_has_a_breadcrumb_and_says_what_the_job_covers(client, world):
    """Every registered kind of job: its page is titled by the period it covers (2023年11月, 2023年度)
    and has a breadcrumb back to the page that lists jobs of its kind."""
    import html
    import re

    from django.urls import reverse

    from kejiju.core.jobs import job_kinds

    parameters = {"year": 2023, "month": 11, "region": None, "region_name": "", "query": ""}
    kinds = {
        name: kind for name, kind in job_kinds().items() if not kind.build.__module__.startswith("tests.")
    }
    assert {"monthly_report", "annual_review", "audit_events_export", "changelog_export"} <= set(kinds)
    for name, kind in kinds.items():
        user = next(user for user in world.users.values() if user.has_perm(kind.permission))
        job = ReportJob.objects.create(kind=name, parameters=parameters, requested_by=user)
        client.force_login(user)
        page = client.get(f"/jobs/{job.pk}/").content.decode()
        assert kind.index, f"{name}: no list page for the breadcrumb"
        crumbs = page.split('aria-label="breadcrumb"', 1)[-1].split("</nav>", 1)[0]
        assert f'href="{reverse(kind.index[1])}"' in crumbs, f"{name}: no breadcrumb to its list"
        title = html.unescape(re.search(r"<title>(.*?)</title>", page, re.S).group(1))
        assert kind.title(parameters) in title and kind.title(parameters) in crumbs, name
    assert kinds["monthly_report"].title(parameters) == "2023年11月月度进展报告"
    assert kinds["annual_review"].title(parameters) == "2023年度工作综述"
