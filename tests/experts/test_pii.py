"""Personal data: encrypted at rest, masked on every page and default export, unmasked only with the
permission, each time audited."""

from __future__ import annotations

import io

import pytest
from auditlog.models import LogEntry
from django.db import connection
from django.urls import reverse
from openpyxl import load_workbook

from experts import services
from experts.models import Expert
from kejiju.core import pii
from kejiju.core.identifiers import id_number_check_char
from kejiju.core.models import AuditEvent
from tests.experts.access import ROUTES
from tests.experts.factories import (
    CommissionerFactory,
    ExpertFactory,
    ExpertFieldFactory,
    OrganizationFactory,
    PlacementFactory,
    TeamFactory,
)

pytestmark = pytest.mark.django_db

ID_NUMBER = "11010119900307123" + id_number_check_char("11010119900307123")
MOBILE = "13812345678"
PII_PAGES = {"experts:expert_pii", "experts:expert_export_pii"}


def _body(response) -> str:
    if getattr(response, "streaming", False):
        content = b"".join(response.streaming_content)
        workbook = load_workbook(io.BytesIO(content), read_only=True)
        cells = [
            str(value)
            for sheet in workbook.worksheets
            for row in sheet.iter_rows(values_only=True)
            for value in row
            if value is not None
        ]
        return "\n".join(cells)
    return response.content.decode()


@pytest.fixture
def known(world):
    field = ExpertFieldFactory(name="新材料")
    expert = ExpertFactory(name="张敏感", id_number=ID_NUMBER, mobile=MOBILE, fields=[field])
    for _ in range(3):
        ExpertFactory(fields=[field])
    subject = OrganizationFactory(name="敏感信息受评单位")
    services.review_panel_create(
        subject=subject,
        title="敏感信息测试评审",
        applicant=subject,
        fields=[field],
        size=4,
        reserves=0,
        criteria=[{"key": "c1", "label": "创新性", "max_score": 100, "weight": 1}],
        user=world.users["bureau"],
    )
    PlacementFactory(expert=expert, county=world.county_a)
    CommissionerFactory(expert=expert, team=TeamFactory(counties=[world.county_a]), county=world.county_a)
    world.cache["expert"] = expert
    return expert


def test_stored_encrypted_with_keyed_digest(known):
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM experts_expert WHERE id = %s", [known.pk])
        row = " ".join(str(value) for value in cursor.fetchone())
    assert ID_NUMBER not in row and MOBILE not in row
    assert known.id_number_masked == "110101********" + ID_NUMBER[-4:]
    assert known.mobile_masked == "138****5678"
    expert = Expert.objects.get(pk=known.pk)
    assert expert.reveal_id_number() == ID_NUMBER and expert.reveal_mobile() == MOBILE
    assert expert.id_number_digest == pii.digest(ID_NUMBER) != pii.digest(ID_NUMBER[:-1] + "0")


def test_other_key_cannot_decrypt(known, settings):
    settings.PII_ENCRYPTION_KEY = "another-key"
    with pytest.raises(pii.PIIError):
        Expert.objects.get(pk=known.pk).reveal_id_number()
    assert pii.digest(ID_NUMBER) != known.id_number_digest


@pytest.mark.parametrize("role", ["bureau", "leader", "county"])
def test_every_page_and_export_is_masked(client, world, known, role):
    client.force_login(world.users[role])
    checked = 0
    for route in ROUTES:
        if "GET" not in route.methods or route.name in PII_PAGES or role not in route.allowed:
            continue
        url = reverse(route.name, kwargs=route.kwargs(world) if route.kwargs else None)
        response = client.get(url, route.data(world) if route.data else None)
        assert response.status_code in (200, 302), (route.name, response.status_code)
        body = _body(response)
        for secret in (ID_NUMBER, MOBILE, known.id_number_digest, known.id_number_cipher):
            assert secret not in body, (route.name, role)
        checked += 1
    assert checked >= (30 if role == "bureau" else 5)
    # the list and the default export show the masked forms
    if role != "county":
        assert known.id_number_masked in _body(client.get(reverse("experts:expert_list")))
        assert "138****5678" in _body(client.get(reverse("experts:expert_export")))


def test_change_history_never_holds_the_values(client, world, known):
    client.force_login(world.users["bureau"])
    services.expert_update(
        expert=known,
        name=known.name,
        gender=known.gender,
        employer=known.employer,
        title=known.title,
        fields=list(known.fields.all()),
        admitted_on=known.admitted_on,
        mobile="13912345678",
    )
    text = " ".join(str(entry.changes) for entry in LogEntry.objects.all())
    assert ID_NUMBER not in text and MOBILE not in text and "13912345678" not in text
    assert known.id_number_cipher not in text


def test_unmask_needs_permission_and_is_audited(client, world, known):
    url = reverse("experts:expert_pii", kwargs={"pk": known.pk})
    client.force_login(world.users["leader"])
    assert client.get(url).status_code == 403
    assert client.get(reverse("experts:expert_export_pii")).status_code == 403
    assert ID_NUMBER not in client.get(known.get_absolute_url()).content.decode()

    client.force_login(world.users["bureau"])
    response = client.get(url)
    body = response.content.decode()
    assert ID_NUMBER in body and MOBILE in body
    assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]
    event = AuditEvent.objects.get(event_type=AuditEvent.Type.UNMASK)
    assert event.actor == world.users["bureau"] and "张敏感" in event.object_repr
    assert ID_NUMBER not in event.detail + event.object_repr

    export = _body(client.get(reverse("experts:expert_export_pii"), {"q": "张敏感"}))
    assert ID_NUMBER in export and MOBILE in export
    events = AuditEvent.objects.filter(event_type=AuditEvent.Type.UNMASK)
    assert events.count() == 2
    assert all(ID_NUMBER not in e.detail and MOBILE not in e.detail for e in events)


def test_lookup_by_number_uses_post_and_digest(client, world, known):
    client.force_login(world.users["bureau"])
    response = client.post(reverse("experts:expert_lookup"), {"number": ID_NUMBER.lower()})
    assert response.status_code == 302 and response["Location"] == known.get_absolute_url()
    assert ID_NUMBER not in response["Location"]
    response = client.post(reverse("experts:expert_lookup"), {"number": MOBILE})
    assert response["Location"] == known.get_absolute_url()
    response = client.post(reverse("experts:expert_lookup"), {"number": "13800000000"})
    assert response.status_code == 200 and "没有与该号码完全一致" in response.content.decode()
    assert "13800000000" not in response.content.decode()  # the input box does not render the value


def test_edit_form_does_not_prefill_the_numbers(client, world, known):
    client.force_login(world.users["bureau"])
    body = client.get(reverse("experts:expert_edit", kwargs={"pk": known.pk})).content.decode()
    assert ID_NUMBER not in body and MOBILE not in body
    assert known.id_number_masked in body


def test_error_report_hides_the_numbers(world, settings, monkeypatch, rf):
    """A crash while saving an expert: the error report that production logs and mails (DEBUG off) shows
    neither the POSTed numbers nor the services' local variables; the user sees the plain 500 page."""
    import sys

    from django.views.debug import ExceptionReporter

    from experts.views.registry import ExpertCreateView

    settings.DEBUG = False

    def boom(*args, **kwargs):
        raise RuntimeError("simulated failure")

    monkeypatch.setattr(Expert, "save", boom)
    field = ExpertFieldFactory(name="电子信息")
    request = rf.post(
        reverse("experts:expert_add"),
        {
            "name": "钱崩溃",
            "gender": "男",
            "id_number": ID_NUMBER,
            "mobile": MOBILE,
            "title": "正高",
            "employer": OrganizationFactory().name,
            "fields": [field.pk],
            "admitted_on": "2023-06-01",
        },
    )
    request.user = world.users["bureau"]
    with pytest.raises(RuntimeError):
        try:
            ExpertCreateView.as_view()(request)
        except RuntimeError:
            reporter = ExceptionReporter(request, *sys.exc_info())
            text = reporter.get_traceback_text()
            html = reporter.get_traceback_html()
            raise
    assert "simulated failure" in text and "钱崩溃" in text  # the report is there, with the harmless data
    for report in (text, html):
        assert ID_NUMBER not in report and MOBILE not in report
