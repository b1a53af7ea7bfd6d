"""System checks of the core app: the 节假日安排 of this year, and from 1 November of the next one, are in
the database (working-day periods that reach a missing year are refused until it is added)."""

from __future__ import annotations

from datetime import date

from django.core.checks import Error, Warning, register
from django.db import DatabaseError

from .workdays import local_today, missing_years


def holiday_calendar_warnings(*, today: date) -> list[Warning]:
    """The warnings for ``today`` (local date in China); none when the database cannot be read (not
    created or not migrated yet: `migrate` seeds the published years)."""
    try:
        missing = missing_years(today=today)
    except DatabaseError:
        return []
    return [
        Warning(
            f"尚未录入{year}年的法定节假日安排：跨入{year}年的工作日期限（如10个工作日的公示期）将被拒绝办理。",
            hint=f"国务院办公厅《关于{year}年部分节假日安排的通知》发布后，"
            "由系统管理员在“系统管理 › 节假日安排”页面（/holidays/add/）新增该年度。",
            obj="core.HolidayArrangement",
            id="core.W001",
        )
        for year in missing
    ]


@register()
def check_holiday_calendar(app_configs=None, **kwargs) -> list[Warning]:
    if app_configs is not None and not any(config.label == "core" for config in app_configs):
        return []
    try:
        return holiday_calendar_warnings(today=local_today())
    except Exception:  # no database configured or reachable at all: nothing to say about its rows
        return []


@register()
def check_integrity_mac_key(app_configs=None, **kwargs) -> list[Error]:
    """A malformed INTEGRITY_MAC_KEY (or retired key) is refused at start, not at the first archive."""
    from django.core.exceptions import ImproperlyConfigured

    from .integrity_mac import integrity_keys

    try:
        integrity_keys()
    except ImproperlyConfigured as error:
        return [
            Error(str(error), hint="用 base64 编码的 32 字节随机数，见 docs/deployment.md。", id="core.E001")
        ]
    return []
