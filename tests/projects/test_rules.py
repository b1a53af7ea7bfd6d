"""The declared life cycle against its specification, and the other plain rules. Who may take each edge
from which state through the view is walked by the workflow sweep (test_workflow.py)."""

import datetime as dt
from decimal import Decimal

import pytest

from kejiju.accounts.roles import Role, declared_role_permissions
from projects import rules
from projects.rules import Action, State
from projects.workflow import FILE_REPORTS, MANAGE, PROJECT_FLOW, WITHDRAW

RUNNING = {
    State.APPROVED,
    State.EXECUTING,
    State.SUSPENDED,
    State.EVALUATION,
    State.ACCEPTANCE,
    State.RECTIFICATION,
}

# The expected table, written out independently of projects.workflow:
# (state, action) -> (target, permission, comment required)
S = State
A = Action
M = MANAGE
EXPECTED = {
    (S.SUBMITTED, A.WITHDRAW): (S.WITHDRAWN, WITHDRAW, False),
    (S.SUBMITTED, A.ACCEPT): (S.ACCEPTED, M, False),
    (S.SUBMITTED, A.REJECT): (S.REJECTED, M, True),
    (S.ACCEPTED, A.START_REVIEW): (S.REVIEW, M, False),
    (S.REVIEW, A.APPROVE): (S.APPROVED, M, False),
    (S.REVIEW, A.NOT_APPROVE): (S.NOT_APPROVED, M, True),
    (S.APPROVED, A.SIGN_CONTRACT): (S.EXECUTING, M, False),
    (S.EXECUTING, A.SUSPEND): (S.SUSPENDED, M, True),
    (S.SUSPENDED, A.RESUME): (S.EXECUTING, M, True),
    (S.EXECUTING, A.START_EVALUATION): (S.EVALUATION, M, False),
    (S.EXECUTING, A.APPLY_ACCEPTANCE): (S.EVALUATION, FILE_REPORTS, False),
    (S.EVALUATION, A.START_ACCEPTANCE): (S.ACCEPTANCE, M, False),
    (S.ACCEPTANCE, A.PASS): (S.CONCLUDED, M, False),
    (S.ACCEPTANCE, A.RECTIFY): (S.RECTIFICATION, M, True),
    (S.ACCEPTANCE, A.FAIL): (S.CONCLUDED, M, True),
    (S.RECTIFICATION, A.PASS_AFTER_RECTIFICATION): (S.CONCLUDED, M, False),
    (S.RECTIFICATION, A.FAIL): (S.CONCLUDED, M, True),
    (S.CONCLUDED, A.ARCHIVE): (S.ARCHIVED, M, False),
    **{(state, A.TERMINATE): (S.TERMINATED, M, True) for state in RUNNING},
}


def _declared():
    return {
        (source, t.action): (t.target, t.permission, t.comment_required)
        for t in PROJECT_FLOW.transitions
        for source in t.sources
    }


def test_declaration_matches_the_specification():
    assert _declared() == {(str(s), str(a)): (str(t), p, c) for (s, a), (t, p, c) in EXPECTED.items()}


def test_terminal_states_have_no_way_out():
    for state in rules.TERMINAL_STATES:
        assert PROJECT_FLOW.from_state(state) == []


def test_one_rectification_round_only():
    # From 整改 the only ways out are a final conclusion or 终止: never back to 结题验收.
    assert {t.target for t in PROJECT_FLOW.from_state(State.RECTIFICATION)} == {
        State.CONCLUDED,
        State.TERMINATED,
    }


def test_role_grants_keep_todays_behaviour():
    """Bureau staff take every step but the unit's own 验收申请; a county office only withdraws (its own
    county's, by scope); a unit's accounts only apply for 验收; leadership, system administrators and
    auditors take none."""
    granted = declared_role_permissions()
    flow = PROJECT_FLOW.permissions()
    assert flow & granted[Role.BUREAU] == flow - {FILE_REPORTS}
    assert flow & granted[Role.COUNTY] == {WITHDRAW}
    for role in (Role.UNIT_ADMIN, Role.APPLICANT):
        assert flow & granted[role] == {FILE_REPORTS}
    for role in (Role.LEADER, Role.SYSADMIN, Role.AUDITOR):
        assert not flow & granted[role]


@pytest.mark.parametrize(
    ("pending", "overdue", "breaches"),
    [(0, 0, 0), (1, 0, 1), (0, 1, 1), (2, 3, 2)],
)
def test_applicant_rules(pending, overdue, breaches):
    facts = rules.ApplicantFacts(pending_in_same_call=pending, overdue_unfinished=overdue)
    assert len(rules.applicant_rule_breaches(facts)) == breaches


@pytest.mark.parametrize(
    ("granted", "paid", "amount", "ok"),
    [
        (Decimal("100"), Decimal("0"), Decimal("100"), True),
        (Decimal("100"), Decimal("60"), Decimal("40"), True),
        (Decimal("100"), Decimal("60"), Decimal("40.01"), False),
        (Decimal("100"), Decimal("0"), Decimal("0"), False),
        (Decimal("100"), Decimal("0"), Decimal("-1"), False),
        (None, Decimal("0"), Decimal("1"), False),
        (Decimal("0"), Decimal("0"), Decimal("1"), False),
    ],
)
def test_disbursement_allowed(granted, paid, amount, ok):
    assert (rules.disbursement_allowed(granted=granted, paid=paid, amount=amount) is None) is ok


def test_paid_ratio_is_exact():
    assert rules.paid_ratio(granted=Decimal("300000"), paid=Decimal("100000")) == Decimal("33.33")
    assert rules.paid_ratio(granted=None, paid=Decimal("1")) is None


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (dt.date(2024, 3, 31), 2022),  # the 2023 report is due that day, not yet overdue
        (dt.date(2024, 4, 1), 2023),
        (dt.date(2024, 12, 31), 2023),
    ],
)
def test_last_report_year_due(today, expected):
    assert rules.last_report_year_due(today) == expected


def test_missing_annual_report_years():
    missing = rules.missing_annual_report_years(
        start=dt.date(2022, 7, 1), end=dt.date(2025, 6, 30), filed_years={2022}, today=dt.date(2024, 5, 1)
    )
    assert missing == [2023]


PDF = b"%PDF-1.7\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00"
DOCX = b"PK\x03\x04\x14\x00"
DOC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00"
EXE = b"MZ\x90\x00\x03"


@pytest.mark.parametrize(
    ("name", "head", "size", "ok"),
    [
        ("申报书.pdf", PDF, 100, True),
        ("任务书.DOCX", DOCX, 100, True),
        ("旧版.doc", DOC, 100, True),
        ("照片.png", PNG, 100, True),
        ("照片.jpg", b"\xff\xd8\xff\xe0", 100, True),
        ("病毒.exe", EXE, 100, False),
        ("伪装.pdf", EXE, 100, False),  # extension allowed, content is not a PDF
        ("伪装.docx", PDF, 100, False),
        ("网页.html", b"<html>", 100, False),
        ("无扩展名", PDF, 100, False),
        ("太大.pdf", PDF, 21 * 1024 * 1024, False),
        ("空.pdf", b"", 0, False),
    ],
)
def test_attachment_problem(name, head, size, ok):
    problem = rules.attachment_problem(filename=name, head=head, size=size, max_bytes=20 * 1024 * 1024)
    assert (problem is None) is ok, problem


@pytest.mark.parametrize(
    ("facts", "limits", "expected"),
    [
        # The defaults are the provincial rules: one per PI per call, none while overdue.
        ({"pending_in_same_call": 1, "overdue_unfinished": 0}, {}, ["每人每批次限报一项"]),
        ({"pending_in_same_call": 1, "overdue_unfinished": 0}, {"per_leader": 2}, []),
        ({"pending_in_same_call": 2, "overdue_unfinished": 0}, {"per_leader": 2}, ["每人每批次限报 2 项"]),
        ({"pending_in_same_call": 0, "overdue_unfinished": 1}, {}, ["已超期未结题"]),
        ({"pending_in_same_call": 0, "overdue_unfinished": 1}, {"block_overdue": False}, []),
        (
            {"pending_in_same_call": 0, "overdue_unfinished": 0, "open_projects": 2},
            {"open_per_leader": 3},
            [],
        ),
        (
            {"pending_in_same_call": 0, "overdue_unfinished": 0, "open_projects": 3},
            {"open_per_leader": 3},
            ["3 个在研项目"],
        ),
        (
            {"pending_in_same_call": 0, "overdue_unfinished": 0, "unit_pending_in_same_call": 5},
            {"per_unit": 5},
            ["每个单位限报 5 项"],
        ),
        (
            {"pending_in_same_call": 0, "overdue_unfinished": 0, "unit_pending_in_same_call": 4},
            {"per_unit": 5},
            [],
        ),
    ],
)
def test_the_calls_limits(facts, limits, expected):
    breaches = rules.applicant_rule_breaches(rules.ApplicantFacts(**facts), rules.CallLimits(**limits))
    assert len(breaches) == len(expected)
    for breach, words in zip(breaches, expected, strict=True):
        assert words in breach


def test_at_approval_only_what_the_leader_holds_is_checked_again():
    facts = rules.ApplicantFacts(
        pending_in_same_call=3, overdue_unfinished=0, open_projects=2, unit_pending_in_same_call=9
    )
    assert rules.approval_rule_breaches(facts, rules.CallLimits(per_unit=1)) == []
    held = rules.approval_rule_breaches(facts, rules.CallLimits(open_per_leader=2))
    assert len(held) == 1 and "在研项目" in held[0]
