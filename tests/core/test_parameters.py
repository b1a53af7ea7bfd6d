"""系统参数 (kejiju.core.parameters): the defaults are today's settings; a saved value is used by the code
that reads it (one test per parameter, from the registry); invalid values are refused naming the field,
nothing saved; every change and reset is audited and listed on the page; reads cost no query."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from celery.schedules import crontab
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse

from kejiju.core import parameters
from kejiju.core.models import AuditEvent, ParameterValue
from kejiju.core.services import parameters_reset, parameters_save

pytestmark = pytest.mark.django_db

MB = 1024 * 1024
PAGE = reverse("core:parameter_list")
RESET = reverse("core:parameter_reset")
SHANGHAI = dt.timezone(dt.timedelta(hours=8))

# Today's values (kejiju/settings.py, the beat schedules of reporting, experts and core).
TODAY = {
    "filing_deadline_days": 5,
    "filing_reminder_days_before": [3, 1],
    "filing_reminder_days_after": [3, 1],
    "expert_review_reminder_hours": 48,
    "session_limit_per_user": 3,
    "project_attachment_max_bytes": 20 * MB,
    "application_attachment_max_bytes": 20 * MB,
    "announcement_attachment_max_bytes": 20 * MB,
    "filing_attachment_max_bytes": 10 * MB,
    "outreach_photo_max_bytes": 10 * MB,
    "licence_max_bytes": 10 * MB,
    "filing_reminder_time": "09:00",
    "monthly_report_time": "01:30",
    "expert_reminder_minute": 15,
    "report_job_requeue_seconds": 300,
    "import_uploads_sweep_seconds": 3600,
}


def test_the_defaults_are_todays_settings():
    assert set(TODAY) == set(parameters.REGISTRY)
    for name, expected in TODAY.items():
        assert parameters.value(name) == expected, name
        parameter = parameters.get(name)
        if parameter.setting:
            assert parameters.default(name) == (
                sorted(getattr(settings, parameter.setting), reverse=True)
                if parameter.kind == parameters.DAYS
                else getattr(settings, parameter.setting)
            )
    # With no value saved, beat runs exactly the schedule of the settings.
    base = settings.CELERY_BEAT_SCHEDULE
    assert parameters.beat_schedule(base) == base


def test_the_environment_still_sets_the_default(settings):
    settings.FILING_DEADLINE_DAYS = 9
    assert parameters.value("filing_deadline_days") == 9
    parameters_save(values={"filing_deadline_days": "6"}, actor=None)
    assert parameters.value("filing_deadline_days") == 6  # a saved value wins


def test_no_code_reads_the_settings_of_a_parameter_directly():
    """Every read goes through parameters.value(): the settings are only the defaults."""
    root = Path(__file__).resolve().parents[2]
    names = [p.setting for p in parameters.PARAMETERS if p.setting]
    alternatives = "|".join(names)
    pattern = re.compile(rf"settings\.({alternatives})\b|[\"']({alternatives})[\"']")
    found = []
    for folder in ("kejiju", "enterprises", "platforms", "projects", "experts"):
        for path in (root / folder).rglob("*.py"):
            relative = path.relative_to(root).as_posix()
            if relative in ("kejiju/core/parameters.py", "kejiju/settings.py") or "/migrations/" in relative:
                continue
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if pattern.search(line):
                    found.append(f"{relative}:{number}: {line.strip()}")
    assert not found, found


# ------------------------------------------------------------------------------- the sweep: in use


def _scheduler(ctx):
    from kejiju.celery import app
    from kejiju.core.beat import ParameterScheduler

    return ParameterScheduler(app=app, schedule_filename=str(ctx.tmp_path / "beat"))


def _beat(entry):
    def probe(ctx):
        scheduler = _scheduler(ctx)
        try:
            return scheduler.schedule[entry].schedule
        finally:
            scheduler.close()

    return probe


def _deadline(ctx):
    from kejiju.reporting import rules

    return (rules.filing_deadline(2024, 1) - dt.datetime(2024, 2, 1, tzinfo=SHANGHAI)).days


def _reminders(index):
    def probe(ctx):
        from kejiju.reporting import rules

        return sorted(rules.reminder_offsets()[index], reverse=True)

    return probe


def _expert_window(ctx):
    from experts.reminders import reminder_window

    return reminder_window()


def _live_sessions_after_two_logins(ctx):
    from kejiju.accounts.models import UserSession
    from tests.accounts.test_sessions import _logged_in

    user = ctx.world.users["leader"]
    UserSession.objects.filter(user=user).delete()
    _logged_in(user), _logged_in(user)
    return UserSession.objects.live().filter(user=user).count()


def _filing_attachment(ctx):
    from kejiju.reporting.services.filings import _check_attachment

    try:
        _check_attachment(SimpleUploadedFile("a.pdf", b"%PDF-" + b"0" * (MB + MB // 2)))
    except ValidationError as error:
        return error.message_dict["attachment"][0]
    return "accepted"


def _call(path):
    def probe(ctx):
        from importlib import import_module

        module, name = path.rsplit(".", 1)
        return getattr(import_module(module), name)()

    return probe


# name → (the value typed on the page, what the code that reads it then uses, how to observe that)
SWEEP = {
    "filing_deadline_days": ("7", 7, _deadline),
    "filing_reminder_days_before": ("5，2", [5, 2], _reminders(0)),
    "filing_reminder_days_after": ("2", [2], _reminders(1)),
    "expert_review_reminder_hours": ("12", dt.timedelta(hours=12), _expert_window),
    "session_limit_per_user": ("1", 1, _live_sessions_after_two_logins),
    "project_attachment_max_bytes": ("2.5", int(2.5 * MB), _call("projects.services.attachment_max_bytes")),
    "application_attachment_max_bytes": (
        "3",
        3 * MB,
        _call("kejiju.applications.services.attachment_max_bytes"),
    ),
    "announcement_attachment_max_bytes": (
        "6",
        6 * MB,
        _call("kejiju.announcements.services.attachment_max_bytes"),
    ),
    "filing_attachment_max_bytes": ("1", "附件“a.pdf”超过 1 MB。", _filing_attachment),
    "outreach_photo_max_bytes": ("4", 4 * MB, _call("platforms.services.outreach_photo_max_bytes")),
    "licence_max_bytes": ("5", 5 * MB, _call("kejiju.units.services.licence_max_bytes")),
    "filing_reminder_time": ("10:45", crontab(minute=45, hour=10), _beat("reporting-filing-reminders")),
    "monthly_report_time": ("3:05", crontab(minute=5, hour=3), _beat("reporting-monthly-report")),
    "expert_reminder_minute": ("40", crontab(minute=40), _beat("experts-online-review-reminders")),
    "report_job_requeue_seconds": ("600", 600.0, lambda ctx: _beat("requeue-stale-report-jobs")(ctx).seconds),
    "import_uploads_sweep_seconds": ("7200", 7200.0, lambda ctx: _beat("sweep-import-uploads")(ctx).seconds),
}


def test_the_sweep_covers_every_parameter():
    assert set(SWEEP) == set(parameters.REGISTRY)


@pytest.mark.parametrize("name", list(parameters.REGISTRY))
def test_a_saved_value_is_used_by_the_code_that_reads_it(name, world, tmp_path):
    text, expected, probe = SWEEP[name]
    ctx = SimpleNamespace(world=world, tmp_path=tmp_path)
    assert probe(ctx) != expected  # the default differs
    assert parameters_save(values={name: text}, actor=world.users["sysadmin"]) == [name]
    assert probe(ctx) == expected
    parameters_reset(names=[name], actor=world.users["sysadmin"])
    assert probe(ctx) != expected


# ------------------------------------------------------------------------------------- refusals


def _invalid(parameter) -> list[str]:
    if parameter.kind == parameters.INT:
        return [str(parameter.max_value + 1), str(parameter.min_value - 1), "abc", "1.5", ""]
    if parameter.kind == parameters.DAYS:
        return ["0", f"1, {parameter.max_value + 1}", "三天", ""]
    if parameter.kind == parameters.TIME:
        return ["24:00", "9", "09:60", ""]
    return [str(parameter.max_value // MB + 1), "0.5", "-1", "abc", "NaN", ""]


@pytest.mark.parametrize("name", list(parameters.REGISTRY))
def test_invalid_values_are_refused_naming_the_field(name, sysadmin_user):
    parameter = parameters.get(name)
    valid = (
        {"session_limit_per_user": "2"} if name == "filing_deadline_days" else {"filing_deadline_days": "6"}
    )
    for text in _invalid(parameter):
        with pytest.raises(ValidationError) as caught:
            parameters_save(values={**valid, name: text}, actor=sysadmin_user)
        messages = caught.value.message_dict
        assert list(messages) == [name], (text, messages)
        assert parameter.label in messages[name][0], messages
        assert re.search(r"[\u4e00-\u9fff]", messages[name][0])
    assert not ParameterValue.objects.exists()  # the valid value beside it was not saved either
    assert not AuditEvent.objects.filter(event_type=AuditEvent.Type.PARAMETER).exists()


def test_the_page_shows_the_refusal_on_the_field_and_saves_nothing(client, sysadmin_user):
    client.force_login(sysadmin_user)
    data = {row["parameter"].name: row["parameter"].form_text(row["value"]) for row in _rows()}
    data.update({"filing_deadline_days": "40", "session_limit_per_user": "2"})
    response = client.post(PAGE, data)
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["filing_deadline_days"] == ["“月度报送截止日”须在 0 至 28 天之间（收到 40 天）。"]
    assert "月度报送截止日”须在 0 至 28 天之间" in response.content.decode()
    assert not ParameterValue.objects.exists()


def _rows():
    from kejiju.core.selectors import parameter_rows

    return parameter_rows()


# ----------------------------------------------------------------------------- page, audit, reset


def test_the_page_saves_changes_audits_them_and_lists_the_history(client, sysadmin_user):
    client.force_login(sysadmin_user)
    page = client.get(PAGE)
    assert page.status_code == 200
    body = page.content.decode()
    for topic in parameters.TOPICS:
        assert topic in body
    data = {row["parameter"].name: row["parameter"].form_text(row["value"]) for row in _rows()}
    unchanged = client.post(PAGE, data, follow=True)
    assert "没有修改任何参数" in unchanged.content.decode() and not ParameterValue.objects.exists()

    data.update({"filing_deadline_days": "8", "filing_reminder_time": "10:15", "licence_max_bytes": "12.5"})
    response = client.post(PAGE, data)
    assert response.status_code == 302 and response["Location"] == PAGE
    assert parameters.value("filing_deadline_days") == 8
    assert parameters.value("licence_max_bytes") == int(12.5 * MB)
    row = ParameterValue.objects.get(name="filing_deadline_days")
    assert row.value == 8 and row.changed_by == sysadmin_user
    events = {e.object_repr: e for e in AuditEvent.objects.filter(event_type=AuditEvent.Type.PARAMETER)}
    assert set(events) == {
        "月度报送截止日（filing_deadline_days）",
        "月度报送提醒时刻（filing_reminder_time）",
        "营业执照扫描件大小上限（licence_max_bytes）",
    }
    event = events["月度报送截止日（filing_deadline_days）"]
    assert event.detail == "5 天 → 8 天" and event.actor == sysadmin_user and event.username
    assert events["营业执照扫描件大小上限（licence_max_bytes）"].detail == "10 MB → 12.5 MB"
    assert events["月度报送提醒时刻（filing_reminder_time）"].detail == "09:00 → 10:15"

    history = client.get(PAGE).content.decode()
    assert "5 天 → 8 天" in history and "10 MB → 12.5 MB" in history and sysadmin_user.username in history
    assert f"{RESET}?name=filing_deadline_days" in history


def test_reset_one_parameter_asks_first_and_is_audited(client, sysadmin_user):
    parameters_save(values={"filing_deadline_days": "8", "session_limit_per_user": "5"}, actor=sysadmin_user)
    client.force_login(sysadmin_user)
    confirm = client.get(RESET, {"name": "filing_deadline_days"})
    assert confirm.status_code == 200 and "确认恢复默认" in confirm.content.decode()
    assert parameters.value("filing_deadline_days") == 8  # the GET only asks
    response = client.post(RESET, {"name": "filing_deadline_days"})
    assert response.status_code == 302
    assert parameters.value("filing_deadline_days") == 5
    assert parameters.value("session_limit_per_user") == 5  # the other stays
    event = AuditEvent.objects.filter(event_type=AuditEvent.Type.PARAMETER).first()
    assert event.detail == "8 天 → 5 天（恢复默认）" and event.actor == sysadmin_user
    assert "已是默认值" in client.get(RESET, {"name": "filing_deadline_days"}).content.decode()
    assert client.post(RESET, {"name": "nonsense"}, follow=True).status_code == 200


def test_reset_all(client, sysadmin_user):
    parameters_save(values={"filing_deadline_days": "8", "session_limit_per_user": "5"}, actor=sysadmin_user)
    client.force_login(sysadmin_user)
    assert "全部参数" in client.get(RESET).content.decode()
    client.post(RESET, {"name": ""})
    assert not ParameterValue.objects.exists()
    assert (
        AuditEvent.objects.filter(
            event_type=AuditEvent.Type.PARAMETER, detail__endswith="（恢复默认）"
        ).count()
        == 2
    )


def test_the_page_is_in_the_system_admins_menu_only(client, world):
    for role, shown in (("sysadmin", True), ("bureau", False), ("auditor", False)):
        client.force_login(world.users[role])
        assert (PAGE in client.get("/").content.decode()) is shown, role


# ----------------------------------------------------------------------------------- the cache


def test_a_read_costs_no_query(django_assert_num_queries):
    parameters.value("filing_deadline_days")
    with django_assert_num_queries(0):
        for name in parameters.REGISTRY:
            parameters.value(name)


def test_a_commit_raises_the_version_for_every_process(django_capture_on_commit_callbacks, sysadmin_user):
    before = parameters.version()
    with django_capture_on_commit_callbacks(execute=True):
        parameters_save(values={"expert_review_reminder_hours": "24"}, actor=sysadmin_user)
    assert parameters.version() != before
    # Another process kept the old copy under the old version: it reads the rows again.
    parameters._memo = (before, {})
    assert parameters.value("expert_review_reminder_hours") == 24


def test_a_rolled_back_change_is_forgotten(sysadmin_user):
    with pytest.raises(RuntimeError), transaction.atomic():
        parameters_save(values={"session_limit_per_user": "7"}, actor=sysadmin_user)
        assert parameters.value("session_limit_per_user") == 7
        raise RuntimeError
    assert parameters.value("session_limit_per_user") == 3
