"""The monthly progress report: numbers against a hand-computed fixture, the xlsx read back cell by cell,
one file per month, the management command and the beat entries."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from kejiju.core.models import ReportJob
from kejiju.core.services import report_job_run
from kejiju.reporting import services
from kejiju.reporting.models import MonthlyFiling, MonthlyReport
from kejiju.reporting.selectors import month_board, monthly_report_data
from kejiju.reporting.services import FigureInput, ProgressInput
from tests.reporting.conftest import sh
from tests.reporting.factories import CountyTaskFactory, MonthlyFilingFactory
from tests.reporting.steps import confirm, file_month, give_back

pytestmark = pytest.mark.django_db
S = MonthlyFiling.State


@pytest.fixture
def fixture_month(regions, world, make_user):
    """2024-02 in three counties (of 16 expected), filed through the services:
    忻府区 files on time (tasks T1 4 bases: 3 done; T2 1 park: done; figures smes 5, pool 2);
    定襄县 was returned (its January progress on T3 counts: 1 of 2); 五台县 files late (smes 1)."""
    a, b, c = regions["140902"], regions["140921"], regions["140922"]
    bureau = world.users["bureau"]
    users = {a: world.users["county"], b: world.users["other_county"], c: make_user("county", region=c)}
    t1 = CountyTaskFactory(
        region=a, category="conversion_base", title="T1 山西大学转化基地", target_quantity=4
    )
    t2 = CountyTaskFactory(region=a, category="industrial_park", title="T2 忻府区产业园", target_quantity=1)
    t3 = CountyTaskFactory(
        region=b, category="conversion_base", title="T3 中北大学转化基地", target_quantity=2
    )
    CountyTaskFactory(region=c, category="tech_vp", title="T4 未批准", status="proposed")

    def progress(task, done, percent, status="not_started"):
        return ProgressInput(task_id=task.pk, done_quantity=done, percent=Decimal(percent), status=status)

    def figure(key, value):
        return FigureInput(key=key, value=value, reason="以县区统计为准。")

    def filing(region, month, *, when=None, **kwargs):
        when = when or sh(2024, month + 1, 3, 10)
        return file_month(users[region], year=2024, month=month, when=when, bureau=bureau, **kwargs)

    a1 = filing(a, 1, progress=[progress(t1, 1, 25, "in_progress")])
    confirm(bureau, a1, when=sh(2024, 2, 4))
    filing(
        a,
        2,
        key_progress="两个基地揭牌。",
        problems="资金未到位。",
        next_plan="推进产业园。",
        progress=[progress(t1, 3, "75.0", "in_progress"), progress(t2, 1, 100, "done")],
        figures=[figure("smes_new", 5), figure("pool_new", 2)],
    )
    b1 = filing(b, 1, progress=[progress(t3, 1, 50, "in_progress")])
    confirm(bureau, b1, when=sh(2024, 2, 4))
    b2 = filing(b, 2, progress=[progress(t3, 2, 100, "done")], figures=[figure("smes_new", 9)])
    give_back(bureau, b2, when=sh(2024, 3, 4))
    filing(c, 2, when=sh(2024, 3, 8, 10), key_progress="五台县进展。", figures=[figure("smes_new", 1)])
    return a, b, c


def test_report_numbers(fixture_month):
    data = monthly_report_data(year=2024, month=2, now=sh(2024, 3, 10))
    assert (data.expected, data.filed, data.on_time, data.late) == (16, 2, 1, 1)
    assert (data.completeness, data.timeliness) == (pytest.approx(2 / 16), pytest.approx(1 / 16))
    tasks = {t["title"]: (t["target"], t["done"], t["status"]) for t in data.tasks}
    assert tasks == {
        "T1 山西大学转化基地": (4, 3, "推进中"),
        "T2 忻府区产业园": (1, 1, "已完成"),
        "T3 中北大学转化基地": (2, 1, "推进中"),
    }
    categories = {
        c["category"]: (c["tasks"], c["target"], c["done"], c["rate_text"]) for c in data.task_categories
    }
    assert categories == {"高校科技成果转化基地": (2, 6, 4, "66.7%"), "产业园": (1, 1, 1, "100.0%")}
    assert [row["region"] for row in data.figures] == ["忻府区", "五台县"]
    assert data.figure_totals == {
        "smes_new": 6,
        "pool_new": 2,
        "platforms_new": 0,
        "projects_new": 0,
        "tech_vp_new": 0,
    }
    assert [h["region"] for h in data.highlights] == ["忻府区", "五台县"]
    states = {c["region"]: c["state"] for c in data.counties}
    assert (states["忻府区"], states["定襄县"], states["五台县"], states["代县"]) == (
        "已报送",
        "退回",
        "已报送",
        "逾期",
    )


def test_board(fixture_month, bureau_user):
    rows = month_board(user=bureau_user, year=2024, month=2, now=sh(2024, 3, 10))
    states = [row.state.label for row in rows]
    assert len(rows) == 16
    assert (states.count("已报送"), states.count("退回"), states.count("逾期")) == (2, 1, 13)
    before = month_board(user=bureau_user, year=2024, month=2, now=sh(2024, 3, 4))
    assert [row.state.label for row in before].count("未填报") == 13


def _build(year, month, user=None):
    job = services.monthly_report_request(year=year, month=month, user=user)
    report_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.state == ReportJob.State.SUCCEEDED, job.error
    return job


def test_xlsx_cell_by_cell(fixture_month, bureau_user):
    job = _build(2024, 2, bureau_user)
    assert job.filename.startswith("月度进展报告-2024-02") and job.filename.endswith(".xlsx")
    book = load_workbook(io.BytesIO(job.file.read()))
    assert book.sheetnames == ["概况", "报送情况", "任务进展", "任务分类汇总", "月度数据", "工作动态"]
    for sheet in book.worksheets:
        assert sheet.freeze_panes == "A2"
        assert sheet["A1"].font.bold
    summary = {row[0]: row[1] for row in book["概况"].iter_rows(min_row=2, values_only=True)}
    assert summary["报告月份"] == "2024年2月"
    assert (summary["应报县区数"], summary["已报县区数"], summary["按时报送数"], summary["逾期报送数"]) == (
        16,
        2,
        1,
        1,
    )
    assert summary["报送率"] == 0.125 and summary["及时率"] == 0.0625
    assert book["概况"]["B8"].number_format == "0.0%"
    assert str(summary["报送截止"]) == "2024-03-05 23:59:59"

    filing = book["报送情况"]
    assert [c.value for c in filing[1]] == ["县区", "状态", "首次报送时间", "已报送", "按时", "逾期"]
    rows = {row[0]: row for row in filing.iter_rows(min_row=2, values_only=True)}
    assert len(rows) == 16
    assert rows["忻府区"][1:] == ("已报送", rows["忻府区"][2], "是", "是", "否")
    assert str(rows["五台县"][2]) == "2024-03-08 10:00:00" and rows["五台县"][3:] == ("是", "否", "是")
    assert rows["定襄县"][1] == "退回" and rows["定襄县"][3] == "否"
    assert int(filing.column_dimensions["A"].width) == 18  # XlsxWriter adds the cell padding (18.71)

    tasks = book["任务进展"]
    assert [c.value for c in tasks[1]][:6] == ["县区", "类别", "任务名称", "合作单位", "目标数量", "累计完成"]
    values = list(tasks.iter_rows(min_row=2, values_only=True))
    assert [(r[0], r[2], r[4], r[5]) for r in values] == [
        ("忻府区", "T1 山西大学转化基地", 4, 3),
        ("忻府区", "T2 忻府区产业园", 1, 1),
        ("定襄县", "T3 中北大学转化基地", 2, 1),
    ]
    assert values[0][6] == 0.75 and tasks["G2"].number_format == "0.0%"
    assert tasks["I2"].number_format == "yyyy-mm-dd"

    cats = list(book["任务分类汇总"].iter_rows(min_row=2, values_only=True))
    assert sorted(cats) == sorted([("高校科技成果转化基地", 2, 6, 4, 0.6667), ("产业园", 1, 1, 1, 1)])

    figures = book["月度数据"]
    assert [c.value for c in figures[1]] == [
        "县区",
        "科技型中小企业新入库（家）",
        "高企培育库新入库（家）",
        "新认定创新平台（家）",
        "新立项科技计划项目（项）",
        "新选聘科技副总（人）",
    ]
    assert list(figures.iter_rows(min_row=2, values_only=True)) == [
        ("忻府区", 5, 2, 0, 0, 0),
        ("五台县", 1, 0, 0, 0, 0),
        ("全市合计", 6, 2, 0, 0, 0),
    ]
    assert figures["B2"].number_format == "#,##0"

    highlights = list(book["工作动态"].iter_rows(min_row=2, values_only=True))
    assert highlights[0] == ("忻府区", "两个基地揭牌。", "资金未到位。", "推进产业园。")
    assert job.result["filed"] == 2 and job.result["completeness"] == "0.1250"


def test_rebuild_replaces_the_file(fixture_month, bureau_user):
    first = _build(2024, 2, bureau_user)
    first_path = Path(first.file.path)
    assert first_path.exists()
    second = _build(2024, 2, bureau_user)
    assert MonthlyReport.objects.get(year=2024, month=2).job == second
    assert not ReportJob.objects.filter(pk=first.pk).exists()
    assert not first_path.exists()
    assert ReportJob.objects.filter(kind="monthly_report").count() == 1
    _build(2024, 1, bureau_user)
    assert MonthlyReport.objects.count() == 2


def test_report_for_a_month_without_filings(db):
    job = _build(2023, 6)
    book = load_workbook(io.BytesIO(job.file.read()))
    summary = {row[0]: row[1] for row in book["概况"].iter_rows(min_row=2, values_only=True)}
    assert summary["已报县区数"] == 0 and summary["说明"] == "本月暂无县区报送（已报送或已确认）的工作动态。"
    assert list(book["月度数据"].iter_rows(min_row=2, values_only=True)) == [("全市合计", 0, 0, 0, 0, 0)]


def test_future_month_report_is_refused(db):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="尚未开始"):
        services.monthly_report_request(year=2999, month=1, user=None)


def test_management_command(fixture_month):
    out = io.StringIO()
    call_command("build_monthly_report", "2024-02", stdout=out)
    last = out.getvalue().strip().splitlines()[-1]
    # The stored name, not a local path: the file may be in an object store (FILE_STORAGE=s3).
    assert (
        Path(last).name.startswith("月度进展报告-2024-02")
        and last.endswith(".xlsx")
        and default_storage.exists(last)
    )
    assert MonthlyReport.objects.get(year=2024, month=2).job.file.name == last
    with pytest.raises(CommandError, match="月份格式"):
        call_command("build_monthly_report", "2024/02", stdout=io.StringIO())
    with pytest.raises(CommandError, match="尚未开始"):
        call_command("build_monthly_report", "2999-01", stdout=io.StringIO())


def test_beat_schedule_entries():
    from celery.schedules import crontab

    from kejiju.celery import app
    from kejiju.reporting import tasks  # noqa: F401 - registers the tasks
    from kejiju.reporting.schedule import CELERY_BEAT_SCHEDULE

    assert set(CELERY_BEAT_SCHEDULE) == {"reporting-filing-reminders", "reporting-monthly-report"}
    for entry in CELERY_BEAT_SCHEDULE.values():
        assert entry["task"] in app.tasks
        assert isinstance(entry["schedule"], crontab)
    reminders = CELERY_BEAT_SCHEDULE["reporting-filing-reminders"]["schedule"]
    assert (reminders.hour, reminders.minute, reminders.day_of_month) == ({9}, {0}, set(range(1, 32)))
    report = CELERY_BEAT_SCHEDULE["reporting-monthly-report"]["schedule"]
    assert (report.hour, report.minute) == ({1}, {30})


def test_beat_tasks_run(db, django_capture_on_commit_callbacks):
    from kejiju.reporting.tasks import build_due_monthly_report, send_filing_reminders

    assert isinstance(send_filing_reminders.apply().get(), int)
    with django_capture_on_commit_callbacks(execute=True):
        job_id = build_due_monthly_report.apply().get()
    job = ReportJob.objects.get(pk=job_id)
    assert job.state == ReportJob.State.SUCCEEDED


def test_due_report_is_built_once_after_the_deadline(db):
    assert services.build_due_monthly_report(now=sh(2024, 3, 5, 23)) is not None  # January's (closed 6 Feb)
    assert services.build_due_monthly_report(now=sh(2024, 3, 5, 23)) is None  # Jan built, Feb still open
    job = services.build_due_monthly_report(now=sh(2024, 3, 6, 1, 30))
    assert job.parameters == {"year": 2024, "month": 2}
    assert services.build_due_monthly_report(now=sh(2024, 3, 7, 1, 30)) is None


def test_annual_review_selectors(fixture_month):
    from kejiju.reporting.selectors import task_completion, task_completion_totals, yearly_figures

    totals = task_completion_totals(year=2024, month=2)
    assert totals == {
        "conversion_base": {"tasks": 2, "target": 6, "done": 4},
        "industrial_park": {"tasks": 1, "target": 1, "done": 1},
    }
    cells = {(c["region"].code, c["category"]): c["done"] for c in task_completion(year=2024, month=1)}
    assert cells == {
        ("140902", "conversion_base"): 1,
        ("140902", "industrial_park"): 0,
        ("140921", "conversion_base"): 1,
    }
    a, _b, c = fixture_month
    yearly = {
        region_id: {key: value for key, value in values.items() if value}
        for region_id, values in yearly_figures(year=2024).items()
        if any(values.values())
    }
    assert yearly == {a.pk: {"smes_new": 5, "pool_new": 2}, c.pk: {"smes_new": 1}}


def test_leader_downloads_the_report(client, fixture_month, leader_user, county_user):
    from django.urls import reverse

    job = _build(2024, 2)
    client.force_login(leader_user)
    page = client.get(
        reverse("reporting:monthlyreport_detail", kwargs={"year": 2024, "month": 2})
    ).content.decode()
    assert reverse("core:reportjob_download", kwargs={"pk": job.pk}) in page
    response = client.get(reverse("core:reportjob_download", kwargs={"pk": job.pk}))
    assert response.status_code == 200
    assert load_workbook(io.BytesIO(b"".join(response.streaming_content))).sheetnames[0] == "概况"
    client.force_login(county_user)
    assert client.get(reverse("core:reportjob_download", kwargs={"pk": job.pk})).status_code == 404


@pytest.mark.parametrize("extra", [0, 1])
def test_board_and_report_queries_are_constant(
    client, fixture_month, bureau_user, django_assert_max_num_queries, extra
):
    from django.urls import reverse

    if extra:
        for region in fixture_month:
            for month in (3, 4):
                MonthlyFilingFactory(region=region, year=2024, month=month, state=S.SUBMITTED)
    client.force_login(bureau_user)
    with django_assert_max_num_queries(12):
        client.get(reverse("reporting:board") + "?month=2024-02")
    with django_assert_max_num_queries(14):
        client.get(reverse("reporting:monthlyreport_detail", kwargs={"year": 2024, "month": 2}))
