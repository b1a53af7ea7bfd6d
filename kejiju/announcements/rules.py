"""The rules of 通知公告 as plain functions: who an announcement is addressed to, when it may be edited
and published."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

from .models import AnnouncementState, Audience


def audience_includes(
    *,
    audience: str,
    region_ids: Collection[int],
    county_id: int | None,
    unit_region_id: int | None,
    is_unit_account: bool,
    oversees: bool = False,
    reads: bool = True,
) -> bool:
    """Whether an account is addressed by an announcement.

    `county_id` is the county a county office's account is bound to (None for others); `is_unit_account`
    and `unit_region_id` say whether it is bound to an applicant unit and that unit's county. Overseers
    (bureau staff, leadership) read everything they publish. 指定县区 addresses the county offices of the
    named counties only; 申报单位 every applicant unit's accounts, or those of units in the named counties
    when some are named; 全部用户 every account that reads announcements (`reads`: not the system admin nor
    the auditor, who hold their own duties only — 三员分立)."""
    if oversees:
        return True
    if not reads:
        return False
    if audience == Audience.ALL:
        return True
    if audience == Audience.COUNTIES:
        return county_id is not None and county_id in region_ids
    if audience == Audience.UNITS:
        return is_unit_account and (not region_ids or unit_region_id in region_ids)
    return False


def edit_problem(*, state: str) -> str | None:
    """Only a draft is edited (a published one is withdrawn and a new one published: readers keep what
    they read)."""
    if state != AnnouncementState.DRAFT:
        return f"只有草稿可以修改，当前状态为“{AnnouncementState(state).label}”。"
    return None


def audience_problem(*, audience: str, region_count: int) -> str | None:
    if audience == Audience.COUNTIES and region_count == 0:
        return "发布范围为“指定县区”时，请至少选择一个县区。"
    return None


def publish_problem(
    *,
    body: str,
    audience: str,
    region_count: int,
    publish_at: dt.datetime | None,
    expires_at: dt.datetime | None,
    now: dt.datetime,
) -> str | None:
    """Why a draft may not be published now, or None."""
    if not (body or "").strip():
        return "正文为空，不能发布。"
    problem = audience_problem(audience=audience, region_count=region_count)
    if problem:
        return problem
    if expires_at is not None and expires_at <= max(now, publish_at or now):
        return "有效期至已过（或早于发布时间），请修改后再发布。"
    return None
