"""The plain rules: conflict screening, the seeded draw, scoring, ranking, the panel state machine."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from experts import rules
from experts.rules import Candidate, DrawContext

APPLICANT = 7


def _candidate(**kwargs):
    base = {"expert_id": 1, "name": "甲", "state": "在库", "employer_id": 99}
    base.update(kwargs)
    return Candidate(**base)


@pytest.mark.parametrize(
    ("candidate", "context", "expected"),
    [
        (_candidate(), DrawContext(applicant_ids=frozenset({APPLICANT})), []),
        (_candidate(state="暂停"), DrawContext(applicant_ids=frozenset({APPLICANT})), ["not_active"]),
        (_candidate(state="出库"), DrawContext(), ["not_active"]),
        (_candidate(employer_id=APPLICANT), DrawContext(applicant_ids=frozenset({APPLICANT})), ["same_unit"]),
        (_candidate(employer_id=APPLICANT), DrawContext(), []),
        (
            _candidate(avoided_unit_ids=frozenset({APPLICANT})),
            DrawContext(applicant_ids=frozenset({APPLICANT})),
            ["avoided_unit"],
        ),
        (
            _candidate(),
            DrawContext(applicant_ids=frozenset({APPLICANT}), excluded_expert_ids=frozenset({1})),
            ["excluded"],
        ),
        (
            _candidate(recent_applicant_ids=frozenset({APPLICANT})),
            DrawContext(applicant_ids=frozenset({APPLICANT})),
            ["recent_review"],
        ),
        (
            _candidate(recent_applicant_ids=frozenset({APPLICANT})),
            DrawContext(applicant_ids=frozenset({APPLICANT}), lookback_years=0),
            [],
        ),
        (
            _candidate(placed_at_ids=frozenset({APPLICANT})),
            DrawContext(applicant_ids=frozenset({APPLICANT})),
            ["placed"],
        ),
        (
            _candidate(),
            DrawContext(applicant_ids=frozenset({APPLICANT}), already_on_panel_ids=frozenset({1})),
            ["already_on_panel"],
        ),
        (
            _candidate(state="暂停", employer_id=APPLICANT),
            DrawContext(applicant_ids=frozenset({APPLICANT}), excluded_expert_ids=frozenset({1})),
            ["not_active", "same_unit", "excluded"],
        ),
    ],
)
def test_conflict_reasons(candidate, context, expected):
    assert rules.conflict_reasons(candidate, context) == expected


def test_draw_is_a_seeded_permutation():
    pool = list(range(1, 41))
    first = rules.draw(pool, "seed-1", 5)
    assert first == rules.draw(list(reversed(pool)), "seed-1", 5)  # the pool's order does not matter
    assert first != rules.draw(pool, "seed-2", 5)
    assert len(set(first)) == 5 and set(first) <= set(pool)
    assert rules.draw(pool, "seed-1", 7)[:5] == first  # more draws extend the same order
    with pytest.raises(ValueError):
        rules.draw(pool, "seed-1", 41)


def test_draw_order_is_documented_sha256():
    import hashlib

    pool = [3, 11, 42]
    expected = sorted(pool, key=lambda pk: hashlib.sha256(f"abc:{pk}".encode()).hexdigest())
    assert rules.draw_order(pool, "abc") == expected


candidates = st.lists(
    st.builds(
        Candidate,
        expert_id=st.integers(1, 10_000),
        name=st.just("专家"),
        state=st.sampled_from(["在库", "在库", "在库", "暂停", "出库"]),
        employer_id=st.integers(1, 6),
        avoided_unit_ids=st.frozensets(st.integers(1, 6), max_size=2),
        recent_applicant_ids=st.frozensets(st.integers(1, 6), max_size=2),
        placed_at_ids=st.frozensets(st.integers(1, 6), max_size=1),
    ),
    max_size=60,
    unique_by=lambda c: c.expert_id,
)


@settings(max_examples=300, deadline=None, database=None)
@given(
    pool=candidates,
    applicants=st.frozensets(st.integers(1, 6), max_size=3),
    excluded=st.frozensets(st.integers(1, 10_000), max_size=5),
    lookback=st.integers(0, 5),
    seed=st.text(min_size=1, max_size=12),
    wanted=st.integers(1, 15),
)
def test_no_conflicting_expert_is_ever_drawn(pool, applicants, excluded, lookback, seed, wanted):
    context = DrawContext(applicant_ids=applicants, excluded_expert_ids=excluded, lookback_years=lookback)
    screening = rules.screen(pool, context)
    by_id = {c.expert_id: c for c in pool}
    # every candidate is either in the pool or skipped with at least one reason, never both
    skipped_ids = {entry["expert_id"] for entry in screening.skipped}
    assert skipped_ids.isdisjoint(screening.pool)
    assert skipped_ids | set(screening.pool) == set(by_id)
    if wanted > len(screening.pool):
        message = rules.describe_shortfall(needed=wanted, screening=screening)
        assert f"候选池仅有 {len(screening.pool)} 人" in message
        return
    drawn = rules.draw(screening.pool, seed, wanted)
    for expert_id in drawn:
        candidate = by_id[expert_id]
        assert candidate.state == "在库"
        assert expert_id not in excluded
        # a conflict with any subject's applicant keeps the expert off the whole panel
        assert candidate.employer_id not in applicants
        assert applicants.isdisjoint(candidate.avoided_unit_ids)
        assert applicants.isdisjoint(candidate.placed_at_ids)
        if lookback:
            assert applicants.isdisjoint(candidate.recent_applicant_ids)
    # the replay from the recorded pool and seed gives the same panel
    assert rules.draw(list(screening.pool), seed, wanted) == drawn


CRITERIA = rules.parse_criteria(
    [
        {"key": "a", "label": "创新性", "max_score": 30, "weight": 1},
        {"key": "b", "label": "可行性", "max_score": 10, "weight": 2},
    ]
)


@pytest.mark.parametrize(
    ("scores", "total"),
    [
        ({"a": Decimal(30), "b": Decimal(10)}, Decimal("50.00")),
        ({"a": Decimal("12.5"), "b": Decimal("7.25")}, Decimal("27.00")),
        ({"a": Decimal(30)}, None),
    ],
)
def test_member_total(scores, total):
    assert rules.member_total(CRITERIA, scores) == total


@pytest.mark.parametrize(
    ("totals", "drop", "expected"),
    [
        ([Decimal(80), Decimal(90)], False, Decimal("85.00")),
        ([Decimal(80), Decimal(100), Decimal(50)], True, Decimal("80.00")),
        ([Decimal(70), Decimal(71), Decimal(72), Decimal(99)], True, Decimal("71.50")),
        ([Decimal(1), Decimal(2), Decimal(2)], False, Decimal("1.67")),
        ([Decimal("0.005"), Decimal(0)], False, Decimal("0.00")),  # 0.0025 rounds half-up to 0.00
    ],
)
def test_panel_score(totals, drop, expected):
    assert rules.panel_score(totals, drop_extremes=drop) == expected


def test_panel_score_needs_three_to_drop_extremes():
    with pytest.raises(ValueError, match="至少需要 3 位"):
        rules.panel_score([Decimal(1), Decimal(2)], drop_extremes=True)
    with pytest.raises(ValueError):
        rules.panel_score([], drop_extremes=False)


@pytest.mark.parametrize(
    ("score", "ok"),
    [(Decimal(0), True), (Decimal(30), True), (Decimal("30.01"), False), (Decimal(-1), False)],
)
def test_check_score_range(score, ok):
    if ok:
        rules.check_score(CRITERIA[0], score)
    else:
        with pytest.raises(ValueError, match="0–30"):
            rules.check_score(CRITERIA[0], score)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ([], "不能为空"),
        ([{"key": "a", "label": "", "max_score": 1}], "缺少"),
        ([{"key": "a", "label": "x", "max_score": 0}], "满分必须大于 0"),
        ([{"key": "a", "label": "x", "max_score": 5, "weight": -1}], "权重必须大于 0"),
        ([{"key": "a", "label": "x", "max_score": "abc"}], "不是数字"),
        ([{"key": "a", "label": "x", "max_score": 5}, {"key": "a", "label": "y", "max_score": 5}], "重复"),
    ],
)
def test_parse_criteria_rejects(raw, message):
    with pytest.raises(ValueError, match=message):
        rules.parse_criteria(raw)


def test_rank_competition_style():
    assert rules.rank(
        {"a": Decimal(90), "b": Decimal(95), "c": Decimal(90), "d": None, "e": Decimal(80)}
    ) == {
        "a": 2,
        "b": 1,
        "c": 2,
        "d": None,
        "e": 4,
    }


@pytest.mark.parametrize(
    ("step", "state", "allowed"),
    [
        ("confirm", "抽取中", True),
        ("confirm", "已确认", False),
        ("refuse", "已确认", True),
        ("refuse", "评分中", False),
        ("score", "抽取中", False),
        ("score", "已确认", True),
        ("score", "已完成", False),
        ("supplement", "抽取中", True),
        ("supplement", "已确认", False),
        ("leader", "已撤销", False),
    ],
)
def test_panel_steps(step, state, allowed):
    assert rules.step_allowed(step, state) is allowed


def test_seating_complete():
    assert rules.seating_complete(seated_confirmed=3, seated=3, size=3) is True
    assert rules.seating_complete(seated_confirmed=2, seated=3, size=3) is False
    assert rules.seating_complete(seated_confirmed=2, seated=2, size=3) is False
