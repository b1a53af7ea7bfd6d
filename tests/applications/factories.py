"""Applications of unit A (county A) in any state, complete enough to be submitted."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from kejiju.applications.models import (
    Application,
    ApplicationAttachment,
    ApplicationBudgetLine,
    CallGuide,
    TeamMember,
)
from kejiju.applications.services import SEALED_LEADER_FIELDS
from tests.experts.factories import make_id_number
from tests.projects.factories import CallFactory

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
ID_NUMBERS = ("140902198503150019", "140902199007080028")


def open_guide(call=None, **kwargs) -> CallGuide:
    call = call or CallFactory()
    return CallGuide.objects.create(call=call, text=kwargs.pop("text", "申报指南正文"), online=True, **kwargs)


def make_application(
    *, leader, call=None, state: str = "draft", complete: bool = True, **kwargs
) -> Application:
    """An application of the leader's unit in `state` (rows written directly: the services have their
    own tests)."""
    if call is None:
        call = open_guide().call
    if not leader.phone:
        leader.phone = "13903501234"
        leader.save(update_fields=["phone"])
    unit = leader.organization
    application = Application.objects.create(
        call=call,
        unit=unit,
        region=kwargs.pop("region", unit.region),
        leader=leader,
        leader_name=leader.display_name or leader.username,
        leader_mobile=leader.phone,
        title=kwargs.pop("title", "测试申报项目"),
        summary="研究内容",
        goals="考核指标",
        start_date=dt.date(2027, 1, 1),
        end_date=dt.date(2028, 12, 31),
        state=state,
        submitted_at=None if state == "draft" else timezone.now(),
        pledge_accepted_at=timezone.now() if complete else None,
        **kwargs,
    )
    if complete:
        # The leader's own 身份证号, one per account (a test wanting the same person passes the record).
        application.set_leader_id_number(make_id_number(leader.pk, area="140921"))
        application.save(update_fields=SEALED_LEADER_FIELDS)
        ApplicationBudgetLine.objects.create(
            application=application, source="city", category="equipment", amount=Decimal("100000")
        )
        ApplicationBudgetLine.objects.create(
            application=application, source="self", category="business", amount=Decimal("50000")
        )
        member = TeamMember(application=application, name="王成员", employer=unit.name, duty="试验")
        member.set_id_number(ID_NUMBERS[0])
        member.save()
        attachment = ApplicationAttachment(
            application=application,
            kind="application",
            original_name="申报书.pdf",
            size=len(PDF),
            content_type="application/pdf",
        )
        attachment.file.save("x.pdf", SimpleUploadedFile("x.pdf", PDF), save=False)
        attachment.save()
    return application
