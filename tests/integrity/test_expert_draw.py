"""An expert under 科研诚信 惩戒 of scope 评审专家 is skipped in a draw with the record named on the draw's
record (kept, so the replay stays the draw's own whatever becomes of the record), is not confirmed nor
stepped in as a reserve, and the expert's page shows the record to staff who may read 失信 records."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from experts import services
from experts.models import ReviewMember
from kejiju.core.workflow.selectors import events_for
from tests.experts.factories import ExpertFactory, ExpertFieldFactory, OrganizationFactory, make_id_number
from tests.integrity.factories import make_person_record

pytestmark = pytest.mark.django_db

CRITERIA = [{"key": "c1", "label": "创新性", "max_score": 100, "weight": 1}]
BARRED_ID = make_id_number(900_001)


@pytest.fixture
def field():
    return ExpertFieldFactory(name="新材料")


@pytest.fixture
def applicant():
    return OrganizationFactory(name="山西众立法兰有限公司")


def _panel(field, applicant, user, *, size=3, reserves=1, seed="s1"):
    return services.review_panel_create(
        subject=applicant,
        title="诚信测试评审",
        applicant=applicant,
        fields=[field],
        size=size,
        reserves=reserves,
        criteria=CRITERIA,
        user=user,
        seed=seed,
    )


def test_a_barred_expert_is_skipped_with_the_record_and_the_draw_replays(
    client, field, applicant, bureau_user
):
    eligible = [ExpertFactory(fields=[field]) for _ in range(4)]
    barred = ExpertFactory(fields=[field], id_number=BARRED_ID, name="失信专家")
    record = make_person_record(user=bureau_user, id_number=BARRED_ID, bars_apply=False)

    panel = _panel(field, applicant, bureau_user)

    draw = panel.draws.get()
    assert barred.pk not in draw.pool and barred.pk not in draw.drawn
    assert sorted(draw.pool) == sorted(e.pk for e in eligible)
    (entry,) = draw.skipped
    assert entry["expert_id"] == barred.pk and entry["reasons"] == ["integrity"]
    assert entry["integrity"]["record_id"] == record.pk
    assert entry["integrity"]["source"] == record.source
    assert entry["integrity"]["period"] == "2025-03-01 起长期"
    assert draw.parameters["integrity_on"] == timezone.localdate().isoformat()
    assert services.review_draw_replay(draw) == draw.drawn

    client.force_login(bureau_user)
    page = client.get(reverse("experts:reviewdraw_detail", kwargs={"pk": draw.pk})).content.decode()
    assert "科研诚信失信惩戒期内" in page and record.source in page and record.get_absolute_url() in page
    assert "复算结果与记录不一致" not in page

    # The record repaired afterwards: the draw still shows the day's skip, says the record no longer binds,
    # and replays identically (the pool and the reasons are the draw's, not recomputed).
    record.repaired_on = timezone.localdate()
    record.save(update_fields=["repaired_on"])
    draw.refresh_from_db()
    assert services.review_draw_replay(draw) == draw.drawn
    page = client.get(reverse("experts:reviewdraw_detail", kwargs={"pk": draw.pk})).content.decode()
    assert record.source in page and "今日已不再生效" in page
    assert "结果与原抽取一致" in page


@pytest.mark.parametrize(
    "change",
    [
        {"repaired_on": dt.date(2025, 6, 1)},  # 信用修复
        {"ends_on": dt.date(2025, 12, 31)},  # 惩戒期届满
        {"bars_expert": False},  # another scope only
    ],
    ids=["repaired", "expired", "other-scope"],
)
def test_a_repaired_expired_or_other_scope_record_does_not_skip(field, applicant, bureau_user, change):
    [ExpertFactory(fields=[field]) for _ in range(3)]
    expert = ExpertFactory(fields=[field], id_number=BARRED_ID)
    make_person_record(user=bureau_user, id_number=BARRED_ID, **change)

    draw = _panel(field, applicant, bureau_user).draws.get()

    assert expert.pk in draw.pool
    assert draw.skipped == []


def test_the_draw_fails_short_naming_the_reason(field, applicant, bureau_user):
    [ExpertFactory(fields=[field]) for _ in range(3)]
    ExpertFactory(fields=[field], id_number=BARRED_ID)
    make_person_record(user=bureau_user, id_number=BARRED_ID)

    with pytest.raises(ValidationError) as refused:
        _panel(field, applicant, bureau_user, size=3, reserves=1)
    assert "科研诚信失信惩戒期内（限制担任评审专家） 1 人" in str(refused.value)


def _draw_queries(field, applicant, user, seed) -> int:
    with CaptureQueriesContext(connection) as captured:
        _panel(field, applicant, user, seed=seed)
    return len(captured.captured_queries)


def test_the_draw_query_count_does_not_grow_with_records(field, bureau_user):
    for _ in range(6):
        ExpertFactory(fields=[field])
    first = _draw_queries(field, OrganizationFactory(), bureau_user, "q1")
    for n in range(5):
        number = make_id_number(910_000 + n)
        ExpertFactory(fields=[field], id_number=number)
        make_person_record(user=bureau_user, id_number=number)
        make_person_record(user=bureau_user, id_number=number, source=f"晋科监〔2025〕{n + 10}号")
    assert _draw_queries(field, OrganizationFactory(), bureau_user, "q2") == first


def test_a_barred_reserve_does_not_step_in(field, applicant, bureau_user):
    [ExpertFactory(fields=[field]) for _ in range(4)]
    panel = _panel(field, applicant, bureau_user, size=2, reserves=2)
    regular = panel.members.filter(role=ReviewMember.Role.REGULAR).order_by("position").first()
    first_reserve, second_reserve = panel.members.filter(role=ReviewMember.Role.RESERVE).order_by("position")
    # The first reserve comes under 惩戒 after the draw.
    record = make_person_record(user=bureau_user, id_number=first_reserve.expert.reveal_id_number())

    promoted = services.review_member_refuse(member=regular, reason="出差", user=bureau_user)

    assert promoted.pk == second_reserve.pk
    first_reserve.refresh_from_db()
    assert first_reserve.status == ReviewMember.Status.REFUSED
    assert record.source in first_reserve.refusal_reason
    assert first_reserve.role == ReviewMember.Role.RESERVE
    events = events_for(panel).values_list("label", "comment")
    assert any(label == "备选不予递补" and record.source in comment for label, comment in events)


def test_a_barred_member_cannot_confirm(field, applicant, bureau_user):
    [ExpertFactory(fields=[field]) for _ in range(4)]
    panel = _panel(field, applicant, bureau_user)
    member = panel.members.filter(role=ReviewMember.Role.REGULAR).order_by("position").first()
    record = make_person_record(user=bureau_user, id_number=member.expert.reveal_id_number())

    with pytest.raises(ValidationError) as refused:
        services.review_member_confirm(member=member, user=bureau_user)
    assert "科研诚信失信惩戒期内" in str(refused.value) and record.source in str(refused.value)
    member.refresh_from_db()
    assert member.status == ReviewMember.Status.PENDING

    record.repaired_on = timezone.localdate()
    record.save(update_fields=["repaired_on"])
    assert (
        services.review_member_confirm(member=member, user=bureau_user).status
        == ReviewMember.Status.CONFIRMED
    )


def test_the_expert_page_shows_the_active_record(client, bureau_user, county_user):
    expert = ExpertFactory(id_number=BARRED_ID)
    record = make_person_record(user=bureau_user, id_number=BARRED_ID)
    url = expert.get_absolute_url()

    client.force_login(bureau_user)
    page = client.get(url).content.decode()
    assert 'data-testid="integrity-banner"' in page
    assert record.get_absolute_url() in page and record.source in page

    record.repaired_on = timezone.localdate()
    record.save(update_fields=["repaired_on"])
    assert 'data-testid="integrity-banner"' not in client.get(url).content.decode()
