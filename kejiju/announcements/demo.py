"""Demo 通知公告 (data/demo.json, fictitious): a pinned call for projects to everyone (with its guide as an
attachment), a filing reminder to four counties, a note to the applicant units, a withdrawn one and a
draft. Created and published through the services and the workflow engine; idempotent by title."""

from __future__ import annotations

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from kejiju.accounts.models import Region, User
from kejiju.core import demodata
from kejiju.core.workflow.services import apply_transition

from . import services
from .models import Announcement

PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def seed_demo_announcements(*, stdout=None) -> None:
    bureau = User.objects.filter(username="bureau").first()
    if bureau is None:
        return
    created = 0
    now = timezone.now()
    for spec in demodata.read("announcements")["announcements"]:
        if Announcement.objects.filter(title=spec["title"]).exists():
            continue
        attachment = SimpleUploadedFile(spec["attachment"], PDF) if spec.get("attachment") else None
        announcement = services.announcement_create(
            user=bureau,
            title=spec["title"],
            body=spec["body"],
            audience=spec["audience"],
            regions=Region.objects.filter(code__in=spec["regions"]),
            publish_at=now - dt.timedelta(days=spec["days_ago"]) if spec["state"] != "draft" else None,
            pinned=spec["pinned"],
            attachment=attachment,
        )
        if spec["state"] in ("published", "withdrawn"):
            apply_transition(record=announcement, action="publish", actor=bureau)
        if spec["state"] == "withdrawn":
            apply_transition(
                record=announcement, action="withdraw", actor=bureau, comment=spec["withdraw_reason"]
            )
        created += 1
    if stdout is not None:
        stdout.write(f"  通知公告：{Announcement.objects.count()} 条（本次新增 {created} 条）")
