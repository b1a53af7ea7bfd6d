"""The review mechanism: draw with conflicts, replay, confirm, refusal + reserve, scores, close."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from experts import services
from experts.models import ReviewMember, ReviewPanel, ReviewScore, VicePresidentPlacement
from experts.selectors import panel_result, review_subject_for
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
    assert review_subject_for(subject=applicant).panel == panel


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
    with pytest.raises(ValidationError, match="不能执行“完成评审”"):
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
    assert panel.subjects.get().result is None
    assert panel_result(panel, panel.subjects.get()) == Decimal("80.00")  # 80, 100, 50 → drop 100 and 50
    services.review_panel_close(panel=panel, user=bureau_user)
    panel.refresh_from_db()
    assert panel.subjects.get().result == Decimal("80.00") and panel.state == ReviewPanel.State.CLOSED
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
    assert not ReviewScore.objects.filter(sheet__member=member).exists()


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


def test_ranked_results_for_a_batch(field, bureau_user):
    from experts.selectors import ranked_results
    from kejiju.core.models import Organization

    for _ in range(4):
        ExpertFactory(fields=[field])
    subjects = [OrganizationFactory() for _ in range(3)]
    for subject, score in zip(subjects[:2], (70, 90), strict=True):
        panel = _create(subject, field, None, bureau_user, size=1, reserves=0)
        member = panel.members.get()
        services.review_member_confirm(member=member, user=bureau_user)
        services.review_scores_enter(member=member, scores={"c1": 30, "c2": score - 30}, user=bureau_user)
        services.review_panel_close(panel=panel, user=bureau_user)
    results = ranked_results(model=Organization, ids=[s.pk for s in subjects])
    assert results == {
        subjects[0].pk: (Decimal("70.00"), 2),
        subjects[1].pk: (Decimal("90.00"), 1),
        subjects[2].pk: (None, None),
    }


def test_leader_and_score_sheet(client, field, applicant, bureau_user):
    import io

    from django.urls import reverse
    from openpyxl import load_workbook

    panel = _ready_panel(field, applicant, bureau_user)
    first, second, third = panel.members.order_by("position")
    services.review_member_set_leader(member=first, user=bureau_user)
    services.review_member_set_leader(member=second, user=bureau_user)
    assert list(panel.members.filter(is_leader=True)) == [second]
    for member, (a, b) in zip((first, second, third), [(30, 50), (40, 60), (20, 30)], strict=True):
        services.review_scores_enter(
            member=member, scores={"c1": a, "c2": b}, performance="优秀", user=bureau_user
        )
    client.force_login(bureau_user)
    response = client.get(reverse("experts:reviewpanel_sheet", kwargs={"pk": panel.pk}))
    rows = list(
        load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.iter_rows(values_only=True)
    )
    assert rows[0][:4] == ("评审组编号", "成员编号", "顺位", "专家") and len(rows) == 5
    by_name = {row[3]: row for row in rows[1:4]}
    assert by_name[second.expert.name][:2] == (panel.pk, second.pk)
    assert by_name[second.expert.name][8] == "是"
    assert by_name[second.expert.name][-4:-2] == (100, 1)
    assert rows[-1][3] == "评审得分（暂算）" and rows[-1][-4] == pytest.approx(76.67)


@pytest.mark.django_db(transaction=False)
def test_no_conflicting_expert_drawn_from_the_database(bureau_user):
    """Random pools built in the database (employers, declared avoidances, exclusions, states, 科技副总
    placements, earlier reviews): whatever the seed, no drawn expert has a conflict."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    from experts.models import Expert

    units = [OrganizationFactory(name=f"单位{i}") for i in range(4)]
    field = ExpertFieldFactory(name="电子信息")

    expert_spec = st.tuples(
        st.sampled_from(["在库", "在库", "暂停", "出库"]),
        st.integers(0, 3),  # employer
        st.booleans(),  # avoids the applicant
        st.booleans(),  # excluded by the applicant
        st.booleans(),  # serves as 科技副总 at the applicant
    )

    @settings(
        max_examples=25,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture],
    )
    @given(
        specs=st.lists(expert_spec, min_size=1, max_size=12),
        applicant_index=st.integers(0, 3),
        # Any printable text (the service refuses control characters in a seed).
        seed=st.text(st.characters(whitelist_categories=("L", "N", "P", "S")), max_size=40),
    )
    def check(specs, applicant_index, seed):
        applicant = units[applicant_index]
        with transaction.atomic():
            experts, excluded = [], []
            for state, employer, avoids, is_excluded, placed in specs:
                expert = ExpertFactory(
                    fields=[field],
                    state=state,
                    employer=units[employer],
                    exit_reason="测试" if state != "在库" else "",
                )
                if avoids:
                    expert.avoided_units.add(applicant)
                if is_excluded:
                    excluded.append(expert)
                if placed:
                    PlacementFactory(expert=expert, enterprise=applicant, state="在任")
                experts.append(expert)
            subject = OrganizationFactory()
            try:
                panel = services.review_panel_create(
                    subject=subject,
                    title="性质测试",
                    applicant=applicant,
                    fields=[field],
                    size=1,
                    reserves=1,
                    criteria=CRITERIA,
                    excluded_experts=excluded,
                    user=bureau_user,
                    seed=seed,
                )
            except ValidationError as error:
                assert "候选池仅有" in error.messages[0]
                eligible = [
                    e for e, spec in zip(experts, specs, strict=True)
                    if spec[0] == "在库" and units[spec[1]] != applicant and not any(spec[2:])
                ]  # fmt: skip
                assert len(eligible) < 2
            else:
                for member in panel.members.select_related("expert"):
                    expert = member.expert
                    assert expert.state == "在库"
                    assert expert.employer_id != applicant.pk
                    assert not expert.avoided_units.filter(pk=applicant.pk).exists()
                    assert expert not in excluded
                    assert not expert.placements.filter(enterprise=applicant).exists()
                draw = panel.draws.get()
                assert services.review_draw_replay(draw) == draw.drawn
            transaction.set_rollback(True)
        assert not Expert.objects.filter(pk__in=[e.pk for e in experts]).exists()

    check()


def test_panel_card_tag_and_names_as_fields(rf, field, applicant, bureau_user, leader_user, county_user):
    from django.template import Context, Template

    from experts.selectors import panel_add_url

    template = Template("{% load experts_tags %}{% review_panel_card subject %}")

    def render(user):
        request = rf.get("/")
        request.user = user
        return template.render(Context({"request": request, "subject": applicant})).replace("&amp;", "&")

    assert panel_add_url(applicant) in render(bureau_user)
    assert "尚未抽取" in render(leader_user) and panel_add_url(applicant) not in render(leader_user)
    assert render(county_user).strip() == ""
    for _ in range(3):
        ExpertFactory(fields=[field])
    panel = _create(applicant, field, applicant, bureau_user, fields=["新材料"], size=1, reserves=0)
    assert panel.get_absolute_url() in render(leader_user)
    assert panel_add_url(applicant) not in render(bureau_user)  # one open panel at a time
    with pytest.raises(ValidationError, match="不存在"):
        _create(OrganizationFactory(), field, applicant, bureau_user, fields=["不存在的领域"])


def test_panel_add_page(client, field, applicant, bureau_user, county_a):
    from django.contrib.contenttypes.models import ContentType
    from django.urls import reverse

    from tests.projects.factories import ProjectFactory

    subject = ProjectFactory(title="山西众立法兰有限公司", region=county_a)
    experts = [ExpertFactory(fields=[field], name=f"候选{i}") for i in range(4)]
    client.force_login(bureau_user)
    url = reverse("experts:panel_add") + (
        f"?subject_type={ContentType.objects.get_for_model(subject).pk}&subject_id={subject.pk}"
    )
    body = client.get(url).content.decode()
    assert 'value="山西众立法兰有限公司"' in body  # the subject's str() as the default title
    data = {
        "title": "测试评审",
        "applicant": "山西众立法兰有限公司",
        "fields": [field.pk],
        "size": 3,
        "reserves": 2,
        "excluded_names": "候选0",
        "lookback_years": 3,
        "criteria_text": "创新性|60|1\n可行性|40",
    }
    response = client.post(url, data)
    body = response.content.decode()
    assert response.status_code == 200
    assert "需要 5 人" in body and "候选池仅有 3 人" in body and "申报单位申请回避 1 人" in body
    response = client.post(url, data | {"reserves": 0})
    panel = review_subject_for(subject=subject).panel
    assert response.status_code == 302 and response["Location"] == panel.get_absolute_url()
    assert panel.criteria[1] == {"key": "c2", "label": "可行性", "max_score": 40.0, "weight": 1.0}
    assert experts[0].pk not in panel.draws.get().drawn
    assert client.get(url).status_code == 302  # an open panel: the page sends staff to it
    response = client.post(url, data | {"criteria_text": "创新性|0|1"})
    assert response.status_code == 302  # still redirected: one open panel per subject
