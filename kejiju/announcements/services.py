"""Writes of 通知公告: drafts (with their attachments) by bureau staff, the read row of a reader. Publishing
and withdrawing are workflow transitions (workflow.py, through the one engine)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from kejiju.accounts.models import Region, User
from kejiju.core import parameters, uploads
from kejiju.core.workflow.services import record_created

from . import rules
from .models import Announcement, AnnouncementAttachment, AnnouncementRead, Audience


def attachment_max_bytes() -> int:
    return parameters.value("announcement_attachment_max_bytes")


def _require(user: User, perm: str, message: str) -> None:
    if not user.has_perm(perm):
        raise PermissionDenied(message)


def _store_attachment(*, user: User, announcement: Announcement, upload) -> AnnouncementAttachment:
    original = uploads.display_name(uploads.upload_original_name(upload))
    problem = uploads.upload_problem(
        filename=original,
        head=uploads.upload_head(upload),
        size=upload.size or 0,
        max_bytes=attachment_max_bytes(),
        upload=upload,
    )
    if problem:
        raise ValidationError({"attachment": f"附件：{problem}"})
    attachment = AnnouncementAttachment(
        announcement=announcement,
        original_name=original,
        size=upload.size,
        content_type=uploads.CONTENT_TYPES.get(
            uploads.upload_extension(original), "application/octet-stream"
        ),
        uploaded_by=user,
    )
    uploads.store(attachment.file, upload)
    attachment.full_clean()
    attachment.save()
    return attachment


def _save_draft(
    *,
    user: User,
    announcement: Announcement,
    title: str,
    body: str,
    audience: str,
    regions: Iterable[Region],
    publish_at: dt.datetime | None,
    expires_at: dt.datetime | None,
    pinned: bool,
    attachment,
) -> Announcement:
    regions = list(regions)
    problem = rules.audience_problem(audience=audience, region_count=len(regions))
    if problem:
        raise ValidationError({"regions": problem})
    if expires_at is not None and expires_at <= (publish_at or timezone.now()):
        raise ValidationError({"expires_at": "有效期至必须晚于发布时间（未填发布时间时须晚于现在）。"})
    announcement.title = title
    announcement.body = body
    announcement.audience = audience
    announcement.publish_at = publish_at
    announcement.expires_at = expires_at
    announcement.pinned = pinned
    announcement.full_clean()
    announcement.save()
    announcement.regions.set(regions if audience != Audience.ALL else [])
    if attachment is not None:
        _store_attachment(user=user, announcement=announcement, upload=attachment)
    return announcement


@uploads.atomic()
def announcement_create(
    *,
    user: User,
    title: str,
    body: str,
    audience: str,
    regions: Iterable[Region] = (),
    publish_at: dt.datetime | None = None,
    expires_at: dt.datetime | None = None,
    pinned: bool = False,
    attachment=None,
) -> Announcement:
    """A new draft by `user` (its author)."""
    _require(user, "announcements.add_announcement", "无权起草通知公告。")
    announcement = _save_draft(
        user=user,
        announcement=Announcement(author=user),
        title=title,
        body=body,
        audience=audience,
        regions=regions,
        publish_at=publish_at,
        expires_at=expires_at,
        pinned=pinned,
        attachment=attachment,
    )
    record_created(record=announcement, actor=user)
    return announcement


@uploads.atomic()
def announcement_update(
    *,
    user: User,
    announcement: Announcement,
    title: str,
    body: str,
    audience: str,
    regions: Iterable[Region] = (),
    publish_at: dt.datetime | None = None,
    expires_at: dt.datetime | None = None,
    pinned: bool = False,
    attachment=None,
) -> Announcement:
    """Change a draft (a published or withdrawn one is refused: readers keep what they read)."""
    _require(user, "announcements.change_announcement", "无权修改通知公告。")
    locked = Announcement.objects.select_for_update().get(pk=announcement.pk)
    problem = rules.edit_problem(state=locked.state)
    if problem:
        raise ValidationError(problem)
    return _save_draft(
        user=user,
        announcement=locked,
        title=title,
        body=body,
        audience=audience,
        regions=regions,
        publish_at=publish_at,
        expires_at=expires_at,
        pinned=pinned,
        attachment=attachment,
    )


@transaction.atomic
def attachment_delete(*, user: User, attachment: AnnouncementAttachment) -> None:
    _require(user, "announcements.change_announcement", "无权修改通知公告。")
    announcement = Announcement.objects.select_for_update().get(pk=attachment.announcement_id)
    problem = rules.edit_problem(state=announcement.state)
    if problem:
        raise ValidationError(problem)
    uploads.delete_on_commit(attachment.file)
    attachment.delete()


def mark_read(*, user: User, announcement: Announcement, now: dt.datetime | None = None) -> bool:
    """Record that `user` opened a live announcement (once; later openings keep the first time). True when
    this opening was the first."""
    if not Announcement.objects.live(now=now).filter(pk=announcement.pk).exists():
        return False
    if AnnouncementRead.objects.filter(announcement=announcement, user_id=user.pk).exists():
        return False
    # Two tabs opening it at once: the second row is dropped by the unique constraint, not an error.
    AnnouncementRead.objects.bulk_create(
        [AnnouncementRead(announcement=announcement, user=user, read_at=now or timezone.now())],
        ignore_conflicts=True,
    )
    return True
