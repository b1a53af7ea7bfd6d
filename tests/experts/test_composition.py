"""Issue 22: composition rules per kind of review (CompositionRule) and the yearly cap of seats per
expert, met by the draw (experts.rules.draw_panel), kept on the draw and replayed from it."""

from __future__ import annotations

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from experts import rules, services
from experts.models import CompositionRule, Expert, ReviewDraw, ReviewMember, ReviewPanel
from kejiju.core.models import Organization
from tests.experts.factories import ExpertFactory, ExpertFieldFactory, OrganizationFactory

TECH, FIN, MGMT = rules.TECHNICAL, rules.FINANCIAL, rules.MANAGEMENT
GAOQI = rules.Composition(kind="gaoqi", label="高企认定", min_size=5, min_technical_share=60, min_financial=1)
CRITERIA = [{"key": "c1", "label": "创新性", "max_score": 100, "weight": 1}]


# ------------------------------------------------------------------------------------------ pure rules


def _pool(tech: int, fin: int, mgmt: int = 0) -> tuple[list[int], dict[int, str]]:
    categories = {}
    for n in range(tech):
        categories[100 + n] = TECH
    for n in range(fin):
        categories[200 + n] = FIN
    for n in range(mgmt):
        categories[300 + n] = MGMT
    return sorted(categories), categories


@pytest.mark.parametrize("seed", ["a", "b", "c", "2026-高企", "x" * 40])
def test_the_draw_meets_the_quotas(seed):
    pool, categories = _pool(tech=12, fin=2, mgmt=3)
    drawn = rules.draw_panel(pool, seed, size=5, reserves=2, categories=categories, composition=GAOQI)
    regular, reserves = drawn[:5], drawn[5:]
    assert len(set(drawn)) == 7 and len(reserves) == 2
    assert sum(categories[e] == FIN for e in regular) >= 1
    assert sum(categories[e] == TECH for e in regular) >= 3
    # Deterministic from the seed; the regular seats in seeded order, the reserves next in that order.
    assert rules.draw_panel(pool, seed, size=5, reserves=2, categories=categories, composition=GAOQI) == drawn
    order = rules.draw_order(pool, seed)
    assert regular == sorted(regular, key=order.index)
    rest = [e for e in order if e not in regular]
    assert reserves == rest[:2]


def test_the_quota_takes_the_first_of_its_category_in_seeded_order():
    pool, categories = _pool(tech=10, fin=4)
    order = rules.draw_order(pool, "fin")
    first_fin = next(e for e in order if categories[e] == FIN)
    one_fin = rules.Composition(kind="k", label="测试", min_financial=1)
    drawn = rules.draw_panel(pool, "fin", size=3, categories=categories, composition=one_fin)
    assert first_fin in drawn
    # Without a rule (or with a rule asking nothing): the first N of the seeded order, as before.
    assert rules.draw_panel(pool, "fin", size=3, reserves=1) == rules.draw(pool, "fin", 4)
    nothing = rules.Composition(kind="k", label="测试")
    assert rules.draw_panel(pool, "fin", size=3, reserves=1, categories=categories, composition=nothing) == (
        rules.draw(pool, "fin", 4)
    )


def test_a_supplement_fills_what_the_seated_members_lack():
    pool, categories = _pool(tech=6, fin=2)
    drawn = rules.draw_panel(pool, "s", size=5, categories=categories, composition=GAOQI, seated={TECH: 4})
    assert len(drawn) == 1 and categories[drawn[0]] == FIN
    two_fin = rules.Composition(kind="k", label="测试", min_financial=2)
    with pytest.raises(rules.CompositionOverflow) as overflow:
        rules.draw_panel(pool, "s", size=5, categories=categories, composition=two_fin, seated={TECH: 4})
    assert "还须补足财务专家 2 名，但只缺 1 个正式席位" in str(overflow.value)


def test_a_rule_the_pool_cannot_meet_says_which_and_why():
    pool, categories = _pool(tech=8, fin=0)
    screening = rules.Screening(
        pool=tuple(pool),
        skipped=(
            *(
                {"expert_id": 200 + n, "name": "财务", "reasons": [rules.REASON_SAME_UNIT], "category": FIN}
                for n in range(3)
            ),
            {"expert_id": 99, "name": "技术", "reasons": [rules.REASON_EXCLUDED], "category": TECH},
        ),
    )
    with pytest.raises(rules.CompositionShortfall) as short:
        rules.draw_panel(pool, "s", size=5, categories=categories, composition=GAOQI)
    assert (short.value.category, short.value.needed, short.value.found) == (FIN, 1, 0)
    text = rules.describe_composition_shortfall(GAOQI, short.value, screening)
    assert text.startswith(
        "高企认定评审组须至少 1 名财务专家，候选池中符合条件的财务专家 0 名"
        "（另有 3 名财务专家被跳过：与申报单位为同一单位 3 名）"
    )


def test_too_few_technical_experts_names_the_share():
    pool, categories = _pool(tech=2, fin=6)
    with pytest.raises(rules.CompositionShortfall) as short:
        rules.draw_panel(pool, "s", size=5, categories=categories, composition=GAOQI)
    text = rules.describe_composition_shortfall(GAOQI, short.value, rules.Screening(pool=tuple(pool)))
    assert "须至少 60% 为技术专家（正式专家 5 人中至少 3 名），候选池中符合条件的技术专家 2 名" in text
    assert "所选领域中没有其他技术专家" in text


def test_a_rule_checks_the_panel_size():
    assert GAOQI.quotas(5) == {FIN: 1, MGMT: 0, TECH: 3}
    assert GAOQI.quotas(7) == {FIN: 1, MGMT: 0, TECH: 5}  # 4.2 rounds up
    assert GAOQI.problem(5) is None
    assert GAOQI.problem(3) == "正式专家人数：高企认定评审组至少 5 人，现为 3 人。"
    impossible = rules.Composition(
        kind="k", label="测试", min_size=3, min_technical_share=100, min_financial=1
    )
    assert "合计 4 名，超过正式专家人数" in impossible.problem(3)
    assert rules.Composition.from_dict(GAOQI.as_dict()) == GAOQI


def test_the_yearly_cap_is_a_skip_reason():
    context = rules.DrawContext(yearly_cap=3)
    at_cap = rules.Candidate(expert_id=1, name="甲", state="在库", employer_id=None, year_seats=3)
    below = rules.Candidate(expert_id=2, name="乙", state="在库", employer_id=None, year_seats=2)
    assert rules.conflict_reasons(at_cap, context) == [rules.REASON_YEARLY_CAP]
    assert rules.conflict_reasons(below, context) == []
    assert rules.conflict_reasons(at_cap, rules.DrawContext()) == []
    screening = rules.screen([at_cap, below], context)
    assert screening.pool == (2,)
    entry = screening.skipped[0]
    assert (entry["year_seats"], entry["yearly_cap"]) == (3, 3)
    assert rules.reason_label(rules.REASON_YEARLY_CAP, entry) == "本年度评审已达 3 次上限（已任 3 次）"


# -------------------------------------------------------------------------------------------- services


@pytest.fixture
def field(db):
    return ExpertFieldFactory(name="电子信息")


@pytest.fixture
def gaoqi(db):
    return CompositionRule.objects.get(kind="gaoqi")  # seeded by experts/migrations/0014


def _experts(field, *, tech=0, fin=0, mgmt=0, **kwargs):
    made = []
    for category, count in ((TECH, tech), (FIN, fin), (MGMT, mgmt)):
        made += [ExpertFactory(fields=[field], category=category, **kwargs) for _ in range(count)]
    return made


def _create(field, user, *, subject=None, kind="gaoqi", size=5, reserves=1, seed="g1", fields=None):
    subject = subject or OrganizationFactory()
    return services.review_panel_create(
        subject=subject,
        title="高企认定评审",
        applicant=subject if isinstance(subject, Organization) else None,
        fields=fields or [field],
        size=size,
        reserves=reserves,
        criteria=CRITERIA,
        user=user,
        seed=seed,
        review_kind=kind,
    )


def _category_counts(panel) -> dict[str, int]:
    counts: dict[str, int] = {}
    for member in panel.members.select_related("expert"):
        if member.is_seated:
            counts[member.expert.category] = counts.get(member.expert.category, 0) + 1
    return counts


@pytest.mark.parametrize("seed", ["g1", "g2", "g3"])
def test_a_gaoqi_panel_has_a_financial_and_60_percent_technical_experts(field, gaoqi, bureau_user, seed):
    _experts(field, tech=20, fin=1, mgmt=4)  # the one 财务专家 is seldom among the first five
    panel = _create(field, bureau_user, seed=seed)
    counts = _category_counts(panel)
    assert sum(counts.values()) == 5
    assert counts.get(FIN, 0) >= 1 and counts.get(TECH, 0) >= 3
    draw = panel.draws.get()
    assert draw.parameters["composition"]["min_financial"] == 1
    assert draw.parameters["review_kind"] == "gaoqi"
    assert services.review_draw_replay(draw) == draw.drawn


def test_a_rule_that_cannot_be_met_is_refused_with_the_reason_and_nothing_saved(field, gaoqi, bureau_user):
    applicant = OrganizationFactory(name="山西示范高企有限公司")
    _experts(field, tech=8)
    _experts(field, fin=3, employer=applicant)
    with pytest.raises(ValidationError) as refused:
        _create(field, bureau_user, subject=applicant)
    assert (
        "高企认定评审组须至少 1 名财务专家，候选池中符合条件的财务专家 0 名"
        "（另有 3 名财务专家被跳过：与申报单位为同一单位 3 名）"
    ) in str(refused.value)
    assert not ReviewPanel.objects.exists() and not ReviewDraw.objects.exists()
    assert not ReviewMember.objects.exists()


def test_a_panel_smaller_than_the_rule_is_refused_on_its_size(field, gaoqi, bureau_user):
    _experts(field, tech=8, fin=2)
    with pytest.raises(ValidationError) as refused:
        _create(field, bureau_user, size=3)
    assert refused.value.message_dict == {"size": ["正式专家人数：高企认定评审组至少 5 人，现为 3 人。"]}
    assert not ReviewPanel.objects.exists()


def test_a_kind_without_a_rule_draws_as_before(field, bureau_user):
    _experts(field, tech=3)
    panel = _create(field, bureau_user, kind=None, size=2, reserves=1)
    draw = panel.draws.get()
    assert "composition" not in draw.parameters
    assert draw.drawn == rules.draw(draw.pool, draw.seed, 3)


def test_the_subjects_kind_names_its_rule(field, bureau_user, county_a):
    from tests.projects.factories import ProjectFactory

    CompositionRule.objects.create(kind="project", min_size=5, min_financial=1)
    _experts(field, tech=8, fin=1)
    project = ProjectFactory(region=county_a)
    with pytest.raises(ValidationError) as refused:
        _create(field, bureau_user, subject=project, kind=None, size=3)
    assert "科技计划项目评审组至少 5 人" in str(refused.value)
    panel = _create(field, bureau_user, subject=project, kind=None)
    assert _category_counts(panel).get(FIN) == 1


def test_replay_and_supplement_keep_the_rule_of_the_draw(field, gaoqi, bureau_user):
    experts = _experts(field, tech=8, fin=2)
    panel = _create(field, bureau_user, reserves=0)
    draw = panel.draws.get()
    # The bureau tightens the rule and re-files experts afterwards: the record and its replay stand.
    gaoqi.min_financial = 3
    gaoqi.min_technical_share = 0
    services.composition_rule_save(rule=gaoqi, user=bureau_user)
    Expert.objects.filter(pk__in=[e.pk for e in experts]).update(category=MGMT)
    assert services.review_draw_replay(draw) == draw.drawn
    # A technical member refuses: the supplement fills the seat under the rule the panel was formed
    # under (today's rule would need two more 财务专家 for one seat, and be refused).
    for expert in experts:
        Expert.objects.filter(pk=expert.pk).update(category=expert.category)
    member = next(m for m in panel.members.select_related("expert") if m.expert.category == TECH)
    services.review_member_refuse(member=member, reason="出差", user=bureau_user)
    supplement = services.review_panel_supplement(panel=panel, user=bureau_user, seed="s2")
    assert supplement.parameters["composition"] == draw.parameters["composition"]
    assert services.review_draw_replay(supplement) == supplement.drawn


def _seat(expert, user, *, refused=False):
    """Give `expert` a regular seat on another panel this year (a kind without a rule)."""
    own = ExpertFieldFactory()
    expert.fields.add(own)
    panel = _create(own, user, kind=None, size=1, reserves=0, fields=[own])
    if refused:
        member = panel.members.get()
        services.review_member_refuse(member=member, reason="时间冲突", user=user)
    return panel


def test_the_yearly_cap_skips_an_expert_with_the_reason_shown(client, field, gaoqi, bureau_user):
    gaoqi.yearly_cap = 1
    services.composition_rule_save(rule=gaoqi, user=bureau_user)
    _experts(field, tech=6, fin=2)
    busy = ExpertFactory(fields=[field], name="忙碌专家")
    _seat(busy, bureau_user)
    declined = ExpertFactory(fields=[field], name="婉拒专家")
    _seat(declined, bureau_user, refused=True)  # a refused seat is no seat

    panel = _create(field, bureau_user)
    draw = panel.draws.get()
    skipped = {entry["expert_id"]: entry for entry in draw.skipped}
    assert skipped[busy.pk]["reasons"] == [rules.REASON_YEARLY_CAP]
    assert declined.pk in draw.pool and busy.pk not in draw.pool
    client.force_login(bureau_user)
    body = client.get(reverse("experts:reviewdraw_detail", kwargs={"pk": draw.pk})).content.decode()
    assert "忙碌专家" in body and "本年度评审已达 1 次上限（已任 1 次）" in body
    assert "高企认定：正式专家至少 5 人；技术专家至少占 60%；财务专家至少 1 名" in body
    assert "复算结果与记录不一致" not in body


def _draw_queries(field, user, seed) -> int:
    with CaptureQueriesContext(connection) as captured:
        _create(field, user, seed=seed)
    return len(captured.captured_queries)


def test_the_draw_query_count_does_not_grow_with_the_pool(field, gaoqi, bureau_user):
    gaoqi.yearly_cap = 5
    services.composition_rule_save(rule=gaoqi, user=bureau_user)
    _experts(field, tech=6, fin=2)
    first = _draw_queries(field, bureau_user, "q1")
    more = _experts(field, tech=6, fin=3, mgmt=3)
    for expert in more[:3]:
        _seat(expert, bureau_user)
    assert _draw_queries(field, bureau_user, "q2") == first


# ------------------------------------------------------------------------------------------- the pages


def test_bureau_edits_a_rule_on_its_page_audit_logged(client, gaoqi, bureau_user):
    client.force_login(bureau_user)
    body = client.get(reverse("experts:compositionrule_list")).content.decode()
    assert "高企认定" in body
    url = reverse("experts:compositionrule_edit", kwargs={"pk": gaoqi.pk})
    data = {
        "kind": "gaoqi",
        "min_size": 3,
        "min_technical_share": 100,
        "min_financial": 1,
        "min_management": 0,
        "yearly_cap": "",
        "notes": "",
    }
    response = client.post(url, data)
    assert response.status_code == 200
    assert "合计 4 名，超过正式专家人数" in response.content.decode()
    response = client.post(url, data | {"min_size": 5, "min_technical_share": 60, "yearly_cap": 8})
    assert response.status_code == 302
    gaoqi.refresh_from_db()
    assert (gaoqi.min_size, gaoqi.yearly_cap) == (5, 8)
    assert LogEntry.objects.get_for_object(gaoqi).exists()
    body = client.get(reverse("experts:compositionrule_detail", kwargs={"pk": gaoqi.pk})).content.decode()
    assert "每位专家年度评审上限" in body
    response = client.post(reverse("experts:compositionrule_add"), data | {"min_size": 5})
    assert "该评审类别已有组成规则" in response.content.decode()


def test_leaders_read_rules_but_cannot_change_them(client, gaoqi, leader_user):
    client.force_login(leader_user)
    assert client.get(reverse("experts:compositionrule_detail", kwargs={"pk": gaoqi.pk})).status_code == 200
    assert client.get(reverse("experts:compositionrule_edit", kwargs={"pk": gaoqi.pk})).status_code == 403


def test_the_panel_page_shows_the_rule_and_the_expert_form_takes_the_category(
    client, field, bureau_user, county_a
):
    from django.contrib.contenttypes.models import ContentType

    from tests.projects.factories import ProjectFactory

    CompositionRule.objects.create(kind="project", min_size=5, min_financial=1, yearly_cap=10)
    project = ProjectFactory(region=county_a)
    client.force_login(bureau_user)
    url = reverse("experts:panel_add") + (
        f"?subject_type={ContentType.objects.get_for_model(project).pk}&subject_id={project.pk}"
    )
    body = client.get(url).content.decode()
    assert (
        "评审组组成规则（科技计划项目）：正式专家至少 5 人；财务专家至少 1 名；每位专家每年至多担任 10 次评审"
    ) in body
    expert = ExpertFactory(fields=[field])
    body = client.get(reverse("experts:expert_edit", kwargs={"pk": expert.pk})).content.decode()
    assert "专家类别" in body and "财务专家" in body


def test_a_reserve_steps_in_only_if_the_panel_still_meets_its_rule():
    assert not rules.seat_keeps_composition(GAOQI, size=5, seated={TECH: 4}, category=TECH)
    assert rules.seat_keeps_composition(GAOQI, size=5, seated={TECH: 4}, category=FIN)
    assert rules.seat_keeps_composition(GAOQI, size=5, seated={TECH: 3}, category=TECH)  # one seat left
    assert not rules.seat_keeps_composition(GAOQI, size=5, seated={FIN: 2, MGMT: 1}, category=MGMT)


@pytest.mark.parametrize("seed", ["r1", "r2", "r3"])
def test_a_refusing_financial_expert_is_not_replaced_by_a_technical_reserve(field, gaoqi, bureau_user, seed):
    _experts(field, tech=10, fin=1)
    panel = _create(field, bureau_user, reserves=3, seed=seed)
    member = panel.members.get(expert__category=FIN)
    assert member.role == ReviewMember.Role.REGULAR
    replacement = services.review_member_refuse(member=member, reason="出差", user=bureau_user)
    assert replacement is None  # every reserve is 技术: none keeps a 财务 seat
    assert _category_counts(panel) == {TECH: 4}
    assert panel.members.filter(status=ReviewMember.Status.STANDBY).count() == 3
    assert "备选专家均不符合评审组组成规则，请补充抽取" in str(
        [event.comment for event in panel.events.all()]
    )
