"""Announcements built through the services and the workflow engine, as the bureau builds them."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from kejiju.announcements import services
from kejiju.announcements.models import Announcement
from kejiju.core.workflow.services import apply_transition

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def pdf(name: str = "通知附件.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, "application/pdf")


def make_announcement(
    *,
    author,
    title: str = "关于开展科技活动周的通知",
    body: str = "各有关单位：\n请按要求组织。",
    audience: str = "all",
    regions=(),
    state: str = "published",
    publish_at=None,
    expires_at=None,
    pinned: bool = False,
    attachment=None,
) -> Announcement:
    announcement = services.announcement_create(
        user=author,
        title=title,
        body=body,
        audience=audience,
        regions=list(regions),
        publish_at=publish_at,
        expires_at=expires_at,
        pinned=pinned,
        attachment=attachment,
    )
    if state in ("published", "withdrawn"):
        apply_transition(record=announcement, action="publish", actor=author)
    if state == "withdrawn":
        apply_transition(record=announcement, action="withdraw", actor=author, comment="内容有误")
    return announcement
