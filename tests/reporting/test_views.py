"""Pages of county reporting through the test client: the filing form, review, board, report, lists."""

from __future__ import annotations

import io
from unittest import mock

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from kejiju.reporting.models import CountyTask, FilingException, MonthlyFiling, Notice
from tests.reporting.conftest import sh
from tests.reporting.factories import CountyTaskFactory, MonthlyFilingFactory

pytestmark = pytest.mark.django_db

FORM = reverse("reporting:filing_form", kwargs={"year": 2024, "month": 1})


@pytest.fixture
def on_time():
    with mock.patch("django.utils.timezone.now", return_value=sh(2024, 2, 3, 10)):
        yield


def _post(task, **overrides):
    data = {
        "key_progress": "与山西大学共建转化基地。",
        "problems": "",
        "next_plan": "推进产业园。",
        f"t{task.pk}_done": "1",
        f"t{task.pk}_percent": "25",
        f"t{task.pk}_status": "in_progress",
        f"t{task.pk}_note": "",
        "action": "save",
    }
    for key in ("smes_new", "pool_new", "platforms_new", "projects_new", "tech_vp_new"):
        data[f"f_{key}_value"] = "0"
        data[f"f_{key}_reason"] = ""
    data.update(overrides)
    return data


def test_filing_form_save_then_submit(client, county_user, task_a, on_time):
    client.force_login(county_user)
    page = client.get(FORM)
    assert page.status_code == 200
    content = page.content.decode()
    assert "data-warn-unsaved" in content and task_a.title in content and "2024-02-05" in content
    response = client.post(FORM, _post(task_a))
    assert response.status_code == 302
    filing = MonthlyFiling.objects.get()
    assert filing.state == "draft" and filing.progress.get().done_quantity == 1
    response = client.post(
        FORM, _post(task_a, action="submit", **{f"t{task_a.pk}_done": "2", f"t{task_a.pk}_percent": ""})
    )
    filing.refresh_from_db()
    assert response.status_code == 302 and response["Location"] == filing.get_absolute_url()
    assert filing.state == "submitted" and filing.progress.get().done_quantity == 2
    page = client.get(FORM)
    assert "不能再修改" in page.content.decode()
    response = client.post(FORM, _post(task_a))
    assert response.status_code == 200 and "不能再修改" in response.content.decode()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("percent", "101", "完成进度不能超过 100%。"),
        ("done", "-1", "累计完成数量不能为负数。"),
        ("percent", "-5", "完成进度不能为负数。"),
    ],
)
def test_filing_form_refuses_bad_progress(client, county_user, task_a, on_time, field, value, message):
    client.force_login(county_user)
    response = client.post(FORM, _post(task_a, **{f"t{task_a.pk}_{field}": value}))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not MonthlyFiling.objects.exists()


def test_filing_form_refuses_negative_figure_and_future_month(client, county_user, task_a, on_time):
    client.force_login(county_user)
    response = client.post(FORM, _post(task_a, f_smes_new_value="-3"))
    assert "“科技型中小企业新入库（家）”不能为负数。" in response.content.decode()
    future = reverse("reporting:filing_form", kwargs={"year": 2024, "month": 3})
    assert "不能填报未来月份" in client.get(future).content.decode()
    response = client.post(future, _post(task_a))
    assert response.status_code == 200 and "不能填报未来月份" in response.content.decode()


def test_filing_form_after_deadline_is_closed(client, county_user, task_a):
    client.force_login(county_user)
    with mock.patch("django.utils.timezone.now", return_value=sh(2024, 2, 7)):
        assert "如需补报请联系市局解锁" in client.get(FORM).content.decode()
        response = client.post(FORM, _post(task_a, action="submit"))
    assert "如需补报请联系市局解锁" in response.content.decode()
    assert not MonthlyFiling.objects.exists()


def test_review_through_the_pages(
    client, bureau_user, county_user, county_a, django_capture_on_commit_callbacks
):
    filing = MonthlyFilingFactory(region=county_a, state="submitted", first_submitted_at=sh(2024, 2, 3))
    client.force_login(bureau_user)
    detail = client.get(filing.get_absolute_url()).content.decode()
    assert 'data-testid="confirm-filing"' in detail and 'data-testid="return-filing"' in detail
    url = reverse("reporting:monthlyfiling_return", kwargs={"pk": filing.pk})
    response = client.post(url, {"reason": ""})
    assert response.status_code == 200 and "退回时请填写退回原因。" in response.content.decode()
    with django_capture_on_commit_callbacks(execute=True):  # the county is told once the return commits
        client.post(url, {"reason": "请补充基地协议"})
    filing.refresh_from_db()
    assert filing.state == "returned"
    client.force_login(county_user)
    assert "请补充基地协议" in client.get(filing.get_absolute_url()).content.decode()
    assert Notice.objects.filter(recipient=county_user).exists()
    home = client.get(reverse("core:home")).content.decode()
    assert "被退回待修改的月度动态" in home
    # Opening the list marks nothing read; opening the notice does (tests/reporting/test_notices.py).
    client.get(reverse("reporting:notice_list"))
    notice = Notice.objects.get(recipient=county_user, read_at__isnull=True)
    client.get(reverse("reporting:notice_open", kwargs={"pk": notice.pk}))
    assert not Notice.objects.filter(recipient=county_user, read_at__isnull=True).exists()


def test_other_county_gets_404(client, other_county_user, county_a):
    filing = MonthlyFilingFactory(region=county_a, state="draft")
    client.force_login(other_county_user)
    assert client.get(filing.get_absolute_url()).status_code == 404
    # The transitions of another county's filing: the workflow sweep (test_workflow.py).


def test_board_and_reopen(client, bureau_user, county_a):
    client.force_login(bureau_user)
    with mock.patch("django.utils.timezone.now", return_value=sh(2024, 2, 10)):
        page = client.get(reverse("reporting:board") + "?month=2024-01").content.decode()
        assert "逾期 <strong>16</strong>" in page and "解锁补报" in page
        url = reverse("reporting:reopen", kwargs={"region": county_a.pk, "year": 2024, "month": 1})
        response = client.post(url, {"reason": "网络故障", "expires_at": "2024-02-01T10:00"})
        assert "有效期应晚于当前时间" in response.content.decode()
        response = client.post(url, {"reason": "网络故障", "expires_at": "2024-02-12T18:00"})
        assert response.status_code == 302
        assert (
            "解锁至 02-12 18:00" in client.get(reverse("reporting:board") + "?month=2024-01").content.decode()
        )
        bad = client.get(reverse("reporting:board") + "?month=2024-13").content.decode()
        assert "月份“2024-13”无效。" in bad
    assert FilingException.objects.get().region == county_a


def test_report_page(client, leader_user):
    client.force_login(leader_user)
    page = client.get(
        reverse("reporting:monthlyreport_detail", kwargs={"year": 2023, "month": 6})
    ).content.decode()
    assert "本月暂无县区报送" in page and "生成" not in page.split("report-summary")[0].split("<h1")[1]
    assert client.get(reverse("reporting:monthlyreport_list")).status_code == 200
    assert client.post(reverse("reporting:monthlyreport_build"), {"month": "2023-06"}).status_code == 403


def test_report_build_from_the_page(client, bureau_user, django_capture_on_commit_callbacks):
    client.force_login(bureau_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reporting:monthlyreport_build"), {"month": "2023-06"})
    assert response.status_code == 302 and "/jobs/" in response["Location"]
    page = client.get(
        reverse("reporting:monthlyreport_detail", kwargs={"year": 2023, "month": 6})
    ).content.decode()
    assert 'data-testid="report-download"' in page
    response = client.post(reverse("reporting:monthlyreport_build"), {"month": "2999-01"}, follow=True)
    assert "尚未开始" in response.content.decode()


def test_task_pages(client, county_user, bureau_user, county_a, county_b):
    client.force_login(county_user)
    response = client.post(
        reverse("reporting:countytask_add"),
        {
            "region": county_b.pk,
            "year": 2024,
            "category": "industrial_park",
            "title": "产业园",
            "target_quantity": 1,
            "unit": "项",
            "deadline": "2024-12-31",
        },
    )
    assert response.status_code == 200 and not CountyTask.objects.exists()  # another county is not a choice
    response = client.post(
        reverse("reporting:countytask_add"),
        {
            "region": county_a.pk,
            "year": 2024,
            "category": "industrial_park",
            "title": "产业园",
            "target_quantity": 1,
            "unit": "项",
            "deadline": "2024-12-31",
        },
    )
    task = CountyTask.objects.get()
    assert response.status_code == 302 and task.status == "proposed"
    client.force_login(bureau_user)
    assert 'data-testid="approve-task"' in client.get(task.get_absolute_url()).content.decode()
    client.post(reverse("reporting:countytask_approve", kwargs={"pk": task.pk}))
    task.refresh_from_db()
    assert task.status == "approved"


@pytest.mark.parametrize("count", [10, 120])
def test_list_query_counts(client, bureau_user, regions, django_assert_max_num_queries, count):
    county_level = [r for r in regions.values() if r.is_county_level]
    for index in range(count):
        region = county_level[index % len(county_level)]
        CountyTaskFactory(region=region, year=2024, approved_by=bureau_user)
        MonthlyFilingFactory(
            region=region, year=2000 + index // 12 // 16, month=index // 16 % 12 + 1, reviewed_by=bureau_user
        )
    client.force_login(bureau_user)
    for name in ("reporting:countytask_list", "reporting:monthlyfiling_list"):
        with django_assert_max_num_queries(12):
            assert client.get(reverse(name)).status_code == 200


def test_exports_open_back(client, county_user, county_a, county_b):
    CountyTaskFactory(region=county_a, title="忻府区任务")
    CountyTaskFactory(region=county_b, title="定襄县任务")
    MonthlyFilingFactory(region=county_a, state="submitted")
    client.force_login(county_user)
    response = client.get(reverse("reporting:countytask_export"))
    rows = list(load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.values)
    assert rows[0][:4] == ("年度", "县区", "类别", "任务名称")
    assert [row[3] for row in rows[1:]] == ["忻府区任务"]
    response = client.get(reverse("reporting:monthlyfiling_export") + "?state=submitted")
    rows = list(load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.values)
    assert rows[1][:3] == ("2024-01", "忻府区", "已报送")


def test_county_home_todo_and_current(client, county_user):
    client.force_login(county_user)
    with mock.patch("django.utils.timezone.now", return_value=sh(2024, 2, 3, 10)):
        home = client.get(reverse("core:home")).content.decode()
        assert "报送2024年1月工作动态（02月05日截止）" in home
        response = client.get(reverse("reporting:filing_current"))
    assert response["Location"] == FORM


def test_filing_form_shows_the_progress_refusal_once(client, county_user, task_a, on_time):
    client.force_login(county_user)
    response = client.post(
        FORM,
        _post(
            task_a, **{f"t{task_a.pk}_done": "0", f"t{task_a.pk}_percent": "", f"t{task_a.pk}_status": "done"}
        ),
    )
    content = response.content.decode()
    assert response.status_code == 200
    assert content.count("累计完成为 0，状态不能为“已完成”") == 1
    assert f"任务“{task_a.title}”" in content


@pytest.mark.parametrize("role", ["bureau", "leader"])
def test_the_report_list_has_one_month_picker(client, world, role):
    """One month picker, whether the user may only look (查看报告) or also build (生成报告) a report."""
    user = world.users[role]
    client.force_login(user)
    page = client.get(reverse("reporting:monthlyreport_list")).content.decode()
    assert page.count('type="month"') == 1
    assert ("生成报告" in page) == user.has_perm("reporting.add_monthlyreport")
    if user.has_perm("reporting.add_monthlyreport"):
        response = client.post(reverse("reporting:monthlyreport_build"), {"month": "2023-06", "view": "1"})
        assert response["Location"] == reverse(
            "reporting:monthlyreport_detail", kwargs={"year": 2023, "month": 6}
        )
