"""Demo of online 申报 (data in data/demo.json): the 申报指南 of the calls open now, with county quotas, and
one application of the demo 项目负责人 submitted and waiting for the unit's review, so that `unit_admin`
has something to approve and `applicant` can apply at once to the other open call. Its title is close to the
demo projects' "煤矸石基新型建材制备" of earlier years, so that its page shows 查重's likely duplicates."""

from __future__ import annotations

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from kejiju.accounts.models import Region, User
from kejiju.core import demodata
from kejiju.core.workflow.services import apply_transition
from projects.models import Call

from . import services
from .models import Application

DOCUMENT = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def seed_demo_applications(*, stdout=None) -> None:
    specs = demodata.read("applications")
    bureau = User.objects.filter(role="bureau", is_active=True).order_by("pk").first()
    regions = {region.code: region for region in Region.objects.county_level()}
    calls: list[Call] = []
    for spec in specs["guides"]:
        for call in Call.objects.filter(title__contains=spec["call_title_contains"]).order_by("pk"):
            services.call_guide_save(
                user=bureau,
                call=call,
                text=spec["text"],
                online=spec["online"],
                quotas={regions[code]: quota for code, quota in spec["quotas"].items() if code in regions},
            )
            calls.append(call)
    if not calls:
        return
    for spec in specs["submitted"]:
        leader = User.objects.filter(username=spec["applicant"]).first()
        if leader is None or Application.objects.filter(leader=leader).exists():
            continue
        if not leader.phone:
            leader.phone = spec["mobile"]
            leader.save(update_fields=["phone"])
        today = timezone.localdate()
        application = services.application_create(
            user=leader,
            call=calls[0],
            title=spec["title"],
            summary=spec["summary"],
            goals=spec["goals"],
            start_date=dt.date(today.year + 1, 1, 1),
            end_date=dt.date(today.year + spec["years"], 12, 31),
            leader_id_number=spec["leader_id_number"],
        )
        services.budget_save(user=leader, application=application, lines=spec["budget"])
        for member in spec["team"]:
            employer = leader.organization.name if member["employer"] == "申报单位" else member["employer"]
            services.team_member_add(user=leader, application=application, **{**member, "employer": employer})
        services.attachment_create(
            user=leader,
            application=application,
            kind="application",
            upload=SimpleUploadedFile("申报书正文.pdf", DOCUMENT),
        )
        services.pledge_accept(user=leader, application=application)
        apply_transition(record=application, action="submit", actor=leader)
    if stdout is not None:
        stdout.write(f"  网上申报：{len(calls)} 个批次开放网上申报，1 份申报书待单位审核")
