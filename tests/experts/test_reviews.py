"""The review mechanism: draw with conflicts, replay, confirm, refusal + reserve, scores, close."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from experts import services
from experts.models import ReviewMember, ReviewPanel, VicePresidentPlacement
from experts.selectors import panel_result, review_panel_for
from tests.experts.factories import ExpertFactory, ExpertFieldFactory, OrganizationFactory, PlacementFactory

CRITERIA = [
    {"key": "c1", "label": "创新性", "max_score": 40, "weight": 1},
    {"key": "c2", "label": "可行性", "max_score": 60, "weight": 1},
]

pytestmark = pytest.mark.django_db


@pytest.fixture
def field():
    return ExpertFieldFactory(name="新材料")


@pytest.fixture
def applicant():
    return OrganizationFactory(name="山西众立法兰有限公司")


def _create(subject, field, applicant, user, **kwargs):
    options = {
        "subject": subject,
        "title": "测试评审",
        "applicant": applicant,
        "fields": [field],
        "size": 3,
        "reserves": 1,
        "criteria": CRITERIA,
        "user": user,
    }
    options.update(kwargs)
    return services.review_panel_create(**options)


def test_draw_skips_conflicts_and_records_reasons(field, applicant, bureau_user):
    eligible = [ExpertFactory(fields=[field]) for _ in range(4)]
    same_unit = ExpertFactory(fields=[field], employer=applicant)
    suspended = ExpertFactory(fields=[field], state="暂停", exit_reason="本人申请")
    excluded = ExpertFactory(fields=[field])
    avoiding = ExpertFactory(fields=[field])
    avoiding.avoided_units.add(applicant)
    placed = ExpertFactory(fields=[field])
    PlacementFactory(expert=placed, enterprise=applicant, state=VicePresidentPlacement.State.SERVING)
    ExpertFactory()  # another field: not a candidate at all

    panel = _create(applicant, field, applicant, bureau_user, excluded_experts=[excluded], seed="abc")

    draw = panel.draws.get()
    assert sorted(draw.pool) == sorted(e.pk for e in eligible)
    reasons = {entry["expert_id"]: entry["reasons"] for entry in draw.skipped}
    assert reasons == {
        same_unit.pk: ["same_unit"],
        suspended.pk: ["not_active"],
        excluded.pk: ["excluded"],
        avoiding.pk: ["avoided_unit"],
        placed.pk: ["placed"],
    }
    members = list(panel.members.order_by("position"))
    assert [m.role for m in members] == ["正式", "正式", "正式", "备选"]
    assert [m.expert_id for m in members] == draw.drawn
    assert services.review_draw_replay(draw) == draw.drawn
    assert review_panel_for(subject=applicant) == panel


def test_same_seed_same_panel(field, applicant, bureau_user):
    for _ in range(12):
        ExpertFactory(fields=[field])
    first = _create(applicant, field, applicant, bureau_user, seed="2023-xz")
    services.review_panel_cancel(panel=first, reason="测试", user=bureau_user)
    second = _create(applicant, field, applicant, bureau_user, seed="2023-xz")
    assert first.draws.get().drawn == second.draws.get().drawn


def test_shortfall_says_how_many_and_why(field, applicant, bureau_user):
    ExpertFactory(fields=[field])
    ExpertFactory(fields=[field], employer=applicant)
    ExpertFactory(fields=[field], state="出库", exit_reason="退休")
    with pytest.raises(ValidationError) as error:
        _create(applicant, field, applicant, bureau_user)
    message = error.value.messages[0]
    assert "需要 4 人" in message and "候选池仅有 1 人" in message
    assert "与申报单位为同一单位 1 人" in message and "不在库 1 人" in message
    assert not ReviewPanel.objects.exists()


def test_recent_review_of_same_applicant_is_skipped(field, applicant, bureau_user):
    experts = [ExpertFactory(fields=[field]) for _ in range(5)]
    first = _create(applicant, field, applicant, bureau_user, size=1, reserves=0)
    member = first.members.get()
    services.review_member_confirm(member=member, user=bureau_user)
    services.review_panel_cancel(panel=first, reason="改期", user=bureau_user)
    other = OrganizationFactory()
    second = _create(other, field, applicant, bureau_user, size=1, reserves=0)
    # a cancelled panel does not count; confirm on a live one and draw again
    services.review_member_confirm(member=second.members.get(), user=bureau_user)
    third = _create(OrganizationFactory(), field, applicant, bureau_user, size=4, reserves=0)
    skipped = {entry["expert_id"]: entry["reasons"] for entry in third.draws.get().skipped}
    assert skipped == {second.members.get().expert_id: ["recent_review"]}
    assert len(experts) == 5


def test_refusal_promotes_reserve_then_supplement(field, applicant, bureau_user):
    for _ in range(6):
        ExpertFactory(fields=[field])
    panel = _create(applicant, field, applicant, bureau_user)
    regular = panel.members.filter(role="正式").order_by("position")
    first, second, third = list(regular)
    reserve = panel.members.get(role="备选")
    promoted = services.review_member_refuse(member=first, reason="出差", user=bureau_user)
    assert promoted.pk == reserve.pk and promoted.role == "正式" and promoted.replaces_id == first.pk
    services.review_member_refuse(member=second, reason="生病", user=bureau_user)
    with pytest.raises(ValidationError, match="不能完成评审"):
        services.review_panel_close(panel=panel, user=bureau_user)
    draw = services.review_panel_supplement(panel=panel, user=bureau_user, seed="s2")
    assert draw.requested == 1 and draw.kind == "补充抽取"
    # already drawn experts are skipped in the supplement
    assert {e["expert_id"] for e in draw.skipped} >= {first.expert_id, second.expert_id}
    for member in panel.members.filter(role="正式", status="待确认"):
        services.review_member_confirm(member=member, user=bureau_user)
    panel.refresh_from_db()
    assert panel.state == ReviewPanel.State.CONFIRMED
    assert third.pk in set(panel.members.filter(status="已确认").values_list("pk", flat=True))


def _ready_panel(field, applicant, user, **kwargs):
    for _ in range(6):
        ExpertFactory(fields=[field])
    panel = _create(applicant, field, applicant, user, reserves=0, **kwargs)
    for member in panel.members.all():
        services.review_member_confirm(member=member, user=user)
    panel.refresh_from_db()
    return panel


def test_scores_result_and_freeze(field, applicant, bureau_user):
    panel = _ready_panel(field, applicant, bureau_user, drop_extremes=True)
    members = list(panel.members.order_by("position"))
    for member, (a, b) in zip(members, [(30, 50), (40, 60), (20, 30)], strict=True):
        services.review_scores_enter(member=member, scores={"c1": a, "c2": b}, user=bureau_user)
    panel.refresh_from_db()
    assert panel.state == ReviewPanel.State.SCORING
    assert panel.result is None
    assert panel_result(panel) == Decimal("80.00")  # 80, 100, 50 → drop 100 and 50
    services.review_panel_close(panel=panel, user=bureau_user)
    panel.refresh_from_db()
    assert panel.result == Decimal("80.00") and panel.state == ReviewPanel.State.CLOSED
    with pytest.raises(ValidationError, match="不能录入评分"):
        services.review_scores_enter(member=members[0], scores={"c1": 1, "c2": 1}, user=bureau_user)


@pytest.mark.parametrize(
    ("scores", "message"),
    [
        ({"c1": 41, "c2": 10}, "0–40"),
        ({"c1": -1, "c2": 10}, "0–40"),
        ({"c1": 10}, "可行性"),
        ({"c1": 10, "c2": 10, "c9": 1}, "c9"),
        ({"c1": "abc", "c2": 10}, "不是数字"),
    ],
)
def test_bad_scores_rejected(field, applicant, bureau_user, scores, message):
    panel = _ready_panel(field, applicant, bureau_user)
    member = panel.members.first()
    with pytest.raises(ValidationError, match=message):
        services.review_scores_enter(member=member, scores=scores, user=bureau_user)
    assert not member.scores.exists()


def test_close_needs_complete_scores(field, applicant, bureau_user):
    panel = _ready_panel(field, applicant, bureau_user)
    first = panel.members.order_by("position").first()
    services.review_scores_enter(member=first, scores={"c1": 30, "c2": 50}, user=bureau_user)
    with pytest.raises(ValidationError, match="尚未录入完整"):
        services.review_panel_close(panel=panel, user=bureau_user)


def test_invalid_panel_settings(field, applicant, bureau_user):
    ExpertFactory(fields=[field])
    with pytest.raises(ValidationError, match="评分指标"):
        _create(applicant, field, applicant, bureau_user, size=1, reserves=0, criteria=[])
    with pytest.raises(ValidationError, match="正式专家人数"):
        _create(applicant, field, applicant, bureau_user, size=0)
    with pytest.raises(ValidationError, match="至少需要 3 人"):
        _create(applicant, field, applicant, bureau_user, size=2, drop_extremes=True)


def test_one_open_panel_per_subject(field, applicant, bureau_user):
    for _ in range(4):
        ExpertFactory(fields=[field])
    _create(applicant, field, applicant, bureau_user, size=1, reserves=0)
    with pytest.raises(ValidationError, match="进行中"):
        _create(applicant, field, applicant, bureau_user, size=1, reserves=0)


def test_confirm_wrong_member_rejected(field, applicant, bureau_user):
    for _ in range(4):
        ExpertFactory(fields=[field])
    panel = _create(applicant, field, applicant, bureau_user, size=1, reserves=1)
    reserve = panel.members.get(role=ReviewMember.Role.RESERVE)
    with pytest.raises(ValidationError, match="不能确认"):
        services.review_member_confirm(member=reserve, user=bureau_user)
