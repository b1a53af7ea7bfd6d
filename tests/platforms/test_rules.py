"""The platforms app's rules, table-driven: the 升级认定 level rule (the workflow sweep walks the platform
states), the batch steps, the ranking, the grades and the revocation rule."""

from decimal import Decimal
from types import SimpleNamespace

import pytest

from platforms import rules
from platforms.rules import (
    ApplicationSnapshot,
    ApplicationState,
    BatchState,
    Grade,
    GradeThresholds,
    Level,
    PlatformAction,
    PlatformState,
)
from platforms.workflow import PLATFORM_WORKFLOW

R = PlatformState.RECOGNISED


@pytest.mark.parametrize(
    ("level", "new_level", "allowed"),
    [
        (Level.CITY, Level.PROVINCE, True),
        (Level.CITY, Level.NATIONAL, True),
        (Level.PROVINCE, Level.NATIONAL, True),
        (Level.CITY, Level.CITY, False),
        (Level.PROVINCE, Level.CITY, False),
        (Level.NATIONAL, Level.NATIONAL, False),
    ],
)
def test_upgrade_must_raise_the_level(level, new_level, allowed):
    """The 升级认定 rule of the platform workflow (the sweep walks the states; this, the levels)."""
    upgrade = PLATFORM_WORKFLOW.transition(action=PlatformAction.UPGRADE, state=R)
    platform = SimpleNamespace(level=level, state=R)
    refusal = upgrade.rule(platform, {"level": new_level, "certificate_no": "SXKL-2024-001"})
    assert (refusal is None) is allowed
    if not allowed:
        assert "级别" in refusal
    city = SimpleNamespace(level=Level.CITY, state=R)
    assert "证书编号" in upgrade.rule(city, {"level": Level.NATIONAL, "certificate_no": " "})


S = ApplicationSnapshot


@pytest.mark.parametrize(
    ("state", "applications", "refused_with"),
    [
        (BatchState.OPEN, [], "还没有申报单位"),
        (BatchState.OPEN, [S(ApplicationState.SUBMITTED)], None),
        (
            BatchState.FORMAL,
            [S(ApplicationState.SUBMITTED), S(ApplicationState.ACCEPTED)],
            "1 份申报未完成形式审查",
        ),
        (BatchState.FORMAL, [S(ApplicationState.REJECTED)], "没有通过形式审查"),
        (BatchState.FORMAL, [S(ApplicationState.REJECTED), S(ApplicationState.ACCEPTED)], None),
        (
            BatchState.REVIEW,
            [S(ApplicationState.ACCEPTED, None), S(ApplicationState.ACCEPTED, Decimal(80))],
            "1 份申报没有专家评审结果",
        ),
        (BatchState.REVIEW, [S(ApplicationState.ACCEPTED, Decimal(80)), S(ApplicationState.REJECTED)], None),
        (
            BatchState.PUBLICITY,
            [S(ApplicationState.OBJECTED), S(ApplicationState.NOT_PROPOSED)],
            "没有拟认定",
        ),
        (BatchState.PUBLICITY, [S(ApplicationState.PROPOSED)], None),
        (BatchState.DONE, [S(ApplicationState.RECOGNISED)], "已完成认定"),
    ],
)
def test_batch_advance(state, applications, refused_with):
    refusal = rules.batch_advance_refusal(state=state, applications=applications)
    if refused_with is None:
        assert refusal is None
    else:
        assert refused_with in refusal


def test_batch_steps_in_order():
    assert [rules.batch_next_state(s) for s in rules.BATCH_ORDER[:-1]] == rules.BATCH_ORDER[1:]


@pytest.mark.parametrize(
    ("scores", "pass_score", "quota", "expected"),
    [
        # (key, score) -> (key, rank, proposed)
        ([("a", 90), ("b", 80), ("c", 60)], 70, None, [("a", 1, True), ("b", 2, True), ("c", 3, False)]),
        ([("a", 90), ("b", 80), ("c", 75)], 70, 2, [("a", 1, True), ("b", 2, True), ("c", 3, False)]),
        # Ties share a rank; ties at the quota line are all proposed.
        (
            [("a", 90), ("b", 80), ("c", 80), ("d", 70)],
            70,
            2,
            [("a", 1, True), ("b", 2, True), ("c", 2, True), ("d", 4, False)],
        ),
        ([("a", 69.99)], 70, None, [("a", 1, False)]),
        ([("a", 70)], 70, None, [("a", 1, True)]),
        ([], 70, 3, []),
    ],
)
def test_rank_applications(scores, pass_score, quota, expected):
    ranked = rules.rank_applications(
        [(k, Decimal(str(v))) for k, v in scores], pass_score=Decimal(str(pass_score)), quota=quota
    )
    assert [(r.key, r.rank, r.proposed) for r in ranked] == expected


def test_certificate_number():
    assert rules.certificate_number(prefix="XZKL", year=2023, serial=4) == "XZKL-2023-004"
    with pytest.raises(ValueError):
        rules.certificate_number(prefix="XZKL", year=2023, serial=0)


T = GradeThresholds()


@pytest.mark.parametrize(
    ("score", "grade"),
    [
        ("100", Grade.EXCELLENT),
        ("90", Grade.EXCELLENT),
        ("89.99", Grade.GOOD),
        ("80", Grade.GOOD),
        ("79.99", Grade.PASS),
        ("60", Grade.PASS),
        ("59.99", Grade.FAIL),
        ("0", Grade.FAIL),
    ],
)
def test_grade_for(score, grade):
    assert rules.grade_for(Decimal(score), T) == grade


def test_thresholds_must_be_ordered():
    assert GradeThresholds(excellent=Decimal(80), good=Decimal(85), passing=Decimal(60)).refusal()
    assert T.refusal() is None


F, OK = Grade.FAIL, Grade.PASS


@pytest.mark.parametrize(
    ("grades", "year", "streak", "proposed"),
    [
        ({2023: F, 2024: F}, 2024, 2, True),
        ({2023: OK, 2024: F}, 2024, 2, False),
        ({2022: F, 2024: F}, 2024, 2, False),  # a missing year breaks the run
        ({2024: F}, 2024, 1, True),
        ({2022: F, 2023: F, 2024: F}, 2024, 3, True),
        ({2023: F, 2024: F}, 2024, 3, False),
        ({2023: F, 2024: F}, 2024, 0, False),  # rule switched off
    ],
)
def test_revocation_proposed(grades, year, streak, proposed):
    assert rules.revocation_proposed(grades, year=year, fail_streak=streak) is proposed
