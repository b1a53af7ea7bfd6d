"""The 节假日安排 pages of the system admin, the rules of a year's arrangement, the calendar reloaded on save,
and the warnings of a missing year (home pages and `manage.py check`)."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from auditlog.models import LogEntry
from django.core.cache import cache
from django.urls import reverse

from kejiju.core import workdays
from kejiju.core.checks import holiday_calendar_warnings
from kejiju.core.holidays import arrangement_problems, parse_holidays, parse_makeup_workdays
from kejiju.core.models import HolidayArrangement

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]

# A plausible arrangement for a year after the published ones (dates only; not a published notice).
NEXT = {
    "year": "2027",
    "notice_title": "国务院办公厅关于2027年部分节假日安排的通知",
    "document_number": "国办发明电〔2026〕99号",
    "published_on": "2026-11-10",
    "url": "https://www.gov.cn/zhengce/content/2027-holidays.htm",
    "holidays": "元旦 2027-01-01 至 2027-01-03\n春节：2027-02-06 至 2027-02-13\n清明节 2027-04-05",
    "makeup_workdays": "2027-02-14, 2027-02-20",
    "amendments": "",
}


def _post(client, data, url=None):
    return client.post(url or reverse("core:holidayarrangement_add"), data)


def test_the_system_admin_adds_a_year_and_working_days_follow_at_once(
    client, sysadmin_user, django_capture_on_commit_callbacks
):
    with pytest.raises(workdays.CalendarNotCoveredError):
        workdays.period_end_date(date(2026, 12, 24), 10)
    version = cache.get(workdays.VERSION_KEY, 0)
    client.force_login(sysadmin_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client, NEXT)
    assert response.status_code == 302, response.content.decode()
    row = HolidayArrangement.objects.get(year=2027)
    assert row.holidays[1] == ["春节", "2027-02-06", "2027-02-13"]
    assert row.holidays[2] == ["清明节", "2027-04-05", "2027-04-05"]
    assert row.makeup_workdays == ["2027-02-14", "2027-02-20"]
    assert cache.get(workdays.VERSION_KEY, 0) != version  # every process reads the rows again
    # 12-24 (Thu) 1, 12-25 2, 12-28 .. 12-31 3-6, 1-01 .. 1-03 off, 1-04 .. 1-07 7-10.
    assert workdays.period_end_date(date(2026, 12, 24), 10) == date(2027, 1, 7)
    assert workdays.is_working_day(date(2027, 2, 14)) and workdays.is_holiday(date(2027, 2, 8)) == "春节"
    entry = LogEntry.objects.get_for_object(row).get()
    assert entry.actor == sysadmin_user and entry.action == LogEntry.Action.CREATE


def _row_2027() -> HolidayArrangement:
    return HolidayArrangement(
        year=2027,
        notice_title="国务院办公厅关于2027年部分节假日安排的通知",
        published_on=date(2026, 11, 10),
        holidays=[["元旦", "2027-01-01", "2027-01-03"]],
    )


def test_each_process_keeps_the_rows_until_the_version_changes():
    from kejiju.core.cache_versions import raise_version

    assert 2027 not in workdays.covered_years()
    # Another process adds the year (no signal here): this process keeps its copy without reading the rows…
    HolidayArrangement.objects.bulk_create([_row_2027()])
    assert 2027 not in workdays.covered_years()
    # … until that process's commit raises the version.
    raise_version(workdays.VERSION_KEY)
    assert 2027 in workdays.covered_years()


def test_a_rolled_back_change_is_not_kept_in_memory():
    from django.db import transaction

    assert 2027 not in workdays.covered_years()
    with pytest.raises(RuntimeError), transaction.atomic():
        _row_2027().save()
        assert workdays.period_end_date(date(2026, 12, 24), 10) == date(2027, 1, 7)
        raise RuntimeError("rolled back")
    assert 2027 not in workdays.covered_years()
    with pytest.raises(workdays.CalendarNotCoveredError):
        workdays.period_end_date(date(2026, 12, 24), 10)


def test_editing_shows_the_lists_and_the_history_reads_as_text(client, sysadmin_user):
    client.force_login(sysadmin_user)
    row = HolidayArrangement.objects.get(year=2026)
    edit = reverse("core:holidayarrangement_edit", kwargs={"pk": row.pk})
    page = client.get(edit).content.decode()
    assert "春节 2026-02-15 至 2026-02-23" in page and "2026-02-14" in page
    data = {
        "notice_title": row.notice_title,
        "document_number": "国办发明电〔2025〕7号",
        "published_on": "2025-11-04",
        "url": "",
        "holidays": "元旦 2026-01-01 至 2026-01-03\n春节 2026-02-15 至 2026-02-22",
        "makeup_workdays": "2026-01-04",
        "amendments": "",
    }
    response = _post(client, data, edit)
    assert response.status_code == 302, response.content.decode()
    assert workdays.is_working_day(date(2026, 2, 23))  # the edited range is used at once
    detail = client.get(row.get_absolute_url()).content.decode()
    assert "放假安排：" in detail and "春节 2026-02-15 2026-02-22" in detail
    assert "\\u" not in detail
    assert "2026-02-23（星期一）" not in detail.split("变更历史")[0]


@pytest.mark.parametrize(
    ("holidays", "makeup", "field", "message"),
    [
        (
            "春节 2027-02-13 至 2027-02-06",
            "",
            "holidays",
            "第1行“春节”的开始日期 2027-02-13 晚于结束日期 2027-02-06",
        ),
        ("国庆节 2028-10-01 至 2028-10-07", "", "holidays", "不在2027年内"),
        ("元旦 2026-11-28 至 2027-01-01", "", "holidays", "不在2027年内"),
        (
            "元旦 2027-01-01 至 2027-01-03\n春节 2027-01-03 至 2027-01-09",
            "",
            "holidays",
            "第2行“春节”的 2027-01-03 与第1行“元旦”重叠",
        ),
        ("春节 2027-02-06 至 2027-02-13", "2027-02-15", "makeup_workdays", "调休上班日 2027-02-15是星期一"),
        ("春节 2027-02-06 至 2027-02-13", "2027-02-07", "makeup_workdays", "在放假日期内"),
        ("春节 2027-02-06 至 2027-02-13", "2027-02-14 2027-02-14", "makeup_workdays", "重复填写"),
        ("春节 2027-02-06 至 2027-02-13", "2028-01-08", "makeup_workdays", "不在2027年内"),
        ("春节 2027-02-30 至 2027-03-03", "", "holidays", "2027-02-30 不存在"),
        ("春节放假七天", "", "holidays", "第1行“春节放假七天”无法识别"),
        ("春节 2027-02-06 至 2027-02-13", "二月十四", "makeup_workdays", "“二月十四”不是日期"),
        ("", "", "holidays", "这个字段是必填项"),
    ],
)
def test_a_wrong_arrangement_is_refused_naming_the_field(
    client, sysadmin_user, holidays, makeup, field, message
):
    client.force_login(sysadmin_user)
    response = _post(client, {**NEXT, "holidays": holidays, "makeup_workdays": makeup})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors and any(message in text for text in errors[field]), errors
    assert not HolidayArrangement.objects.filter(year=2027).exists()


def test_a_day_of_the_neighbouring_year_is_refused(client, sysadmin_user):
    """2023's 元旦 holiday starts on 2022-12-31: 2022's arrangement cannot name that day as well."""
    client.force_login(sysadmin_user)
    row = HolidayArrangement.objects.get(year=2022)
    data = {
        "notice_title": row.notice_title,
        "document_number": "",
        "published_on": "2021-10-25",
        "url": "https://www.gov.cn/",
        "holidays": "元旦 2022-01-01 至 2022-01-03\n岁末 2022-12-30 至 2022-12-31",
        "makeup_workdays": "",
        "amendments": "",
    }
    response = _post(client, data, reverse("core:holidayarrangement_edit", kwargs={"pk": row.pk}))
    errors = response.context["form"].errors
    assert any("2022-12-31 与2023年节假日安排的“元旦”重叠" in text for text in errors["holidays"]), errors


def test_year_title_and_source_are_checked(client, sysadmin_user):
    client.force_login(sysadmin_user)
    response = _post(client, {**NEXT, "year": "2026"})
    assert "year" in response.context["form"].errors  # already recorded
    response = _post(client, {**NEXT, "notice_title": "国务院办公厅关于2028年部分节假日安排的通知"})
    assert any("未含“2027年”" in text for text in response.context["form"].errors["notice_title"])
    response = _post(client, {**NEXT, "document_number": "", "url": ""})
    assert any("文号或原文链接" in text for text in response.context["form"].errors["document_number"])


def test_the_year_of_a_recorded_arrangement_cannot_be_changed(client, sysadmin_user):
    client.force_login(sysadmin_user)
    row = HolidayArrangement.objects.get(year=2026)
    data = {
        "year": "2030",
        "notice_title": row.notice_title,
        "document_number": "x",
        "published_on": "2025-11-04",
        "holidays": "元旦 2026-01-01 至 2026-01-03",
        "makeup_workdays": "",
    }
    _post(client, data, reverse("core:holidayarrangement_edit", kwargs={"pk": row.pk}))
    row.refresh_from_db()
    assert row.year == 2026


def test_text_formats():
    assert parse_holidays("国庆节、中秋节 2025/10/1 - 2025/10/8\n\n端午节 2025年5月31日至2025年6月2日") == [
        ("国庆节、中秋节", date(2025, 10, 1), date(2025, 10, 8)),
        ("端午节", date(2025, 5, 31), date(2025, 6, 2)),
    ]
    assert parse_makeup_workdays("2025-01-26、2025-02-08\n2025-04-27") == [
        date(2025, 1, 26),
        date(2025, 2, 8),
        date(2025, 4, 27),
    ]


def test_rules_accept_the_new_year_holiday_from_late_december():
    # 2019: 元旦 2018-12-30 .. 2019-01-01 with the make-up Saturday 2018-12-29.
    assert not arrangement_problems(
        year=2019,
        holidays=[("元旦", date(2018, 12, 30), date(2019, 1, 1))],
        makeup_workdays=[date(2018, 12, 29)],
    )


# ------------------------------------------------------------------------------------ missing next year


@pytest.mark.parametrize(
    ("today", "missing"),
    [
        (date(2026, 10, 31), []),
        (date(2026, 11, 1), [2027]),
        (date(2026, 12, 31), [2027]),
        (date(2027, 1, 4), [2027]),
        (date(2025, 11, 20), []),
    ],
)
def test_missing_years_from_the_first_of_november(today, missing):
    assert workdays.missing_years(today=today) == missing
    warnings = holiday_calendar_warnings(today=today)
    assert [w.id for w in warnings] == ["core.W001"] * len(missing)
    for warning, year in zip(warnings, missing, strict=True):
        assert f"尚未录入{year}年的法定节假日安排" in warning.msg and "系统管理员" in warning.hint


def test_no_warning_once_the_next_year_is_recorded(client, sysadmin_user):
    client.force_login(sysadmin_user)
    _post(client, NEXT)
    assert holiday_calendar_warnings(today=date(2026, 11, 1)) == []


def test_the_check_says_nothing_when_the_database_cannot_be_read(monkeypatch):
    from django.db import ProgrammingError

    def unmigrated(**kwargs):
        raise ProgrammingError('relation "core_holidayarrangement" does not exist')

    monkeypatch.setattr("kejiju.core.checks.missing_years", unmigrated)
    assert holiday_calendar_warnings(today=date(2026, 11, 1)) == []


def test_manage_py_check_without_a_reachable_database_passes():
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env["DATABASE_URL"] = "postgres://postgres@127.0.0.1:5432/kejiju_no_such_database"
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "core.W001" not in result.stdout + result.stderr


@pytest.mark.parametrize(
    ("role", "warned"),
    [("sysadmin", True), ("bureau", True), ("leader", False), ("county", False), ("auditor", False)],
)
def test_home_page_warning(client, world, monkeypatch, role, warned):
    monkeypatch.setattr(workdays, "local_today", lambda: date(2026, 11, 2))
    client.force_login(world.users[role])
    page = client.get(reverse("core:home")).content.decode()
    assert ('data-testid="holiday-warning"' in page) is warned
    if warned:
        assert "尚未录入2027年的法定节假日安排" in page
        assert (reverse("core:holidayarrangement_add") in page) is (role == "sysadmin")
    monkeypatch.setattr(workdays, "local_today", lambda: date(2026, 10, 30))
    assert 'data-testid="holiday-warning"' not in client.get(reverse("core:home")).content.decode()
