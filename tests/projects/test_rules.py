"""The life-cycle state machine, exhaustively, and the other plain rules."""

import datetime as dt
from decimal import Decimal

import pytest

from projects import rules
from projects.rules import Action, State, TransitionRefused

ROLES = ("bureau", "county", "leader", "sysadmin", "auditor")
RUNNING = {
    State.APPROVED,
    State.EXECUTING,
    State.SUSPENDED,
    State.EVALUATION,
    State.ACCEPTANCE,
    State.RECTIFICATION,
}

# The expected table, written out independently of rules.TRANSITIONS:
# (state, action) -> (target, roles, comment required)
S = State
A = Action
B = frozenset({"bureau"})
EXPECTED = {
    (S.SUBMITTED, A.WITHDRAW): (S.WITHDRAWN, frozenset({"bureau", "county"}), False),
    (S.SUBMITTED, A.ACCEPT): (S.ACCEPTED, B, False),
    (S.SUBMITTED, A.REJECT): (S.REJECTED, B, True),
    (S.ACCEPTED, A.START_REVIEW): (S.REVIEW, B, False),
    (S.REVIEW, A.APPROVE): (S.APPROVED, B, False),
    (S.REVIEW, A.NOT_APPROVE): (S.NOT_APPROVED, B, True),
    (S.APPROVED, A.SIGN_CONTRACT): (S.EXECUTING, B, False),
    (S.EXECUTING, A.SUSPEND): (S.SUSPENDED, B, True),
    (S.SUSPENDED, A.RESUME): (S.EXECUTING, B, True),
    (S.EXECUTING, A.START_EVALUATION): (S.EVALUATION, B, False),
    (S.EVALUATION, A.START_ACCEPTANCE): (S.ACCEPTANCE, B, False),
    (S.ACCEPTANCE, A.PASS): (S.CONCLUDED, B, False),
    (S.ACCEPTANCE, A.RECTIFY): (S.RECTIFICATION, B, True),
    (S.ACCEPTANCE, A.FAIL): (S.CONCLUDED, B, True),
    (S.RECTIFICATION, A.PASS_AFTER_RECTIFICATION): (S.CONCLUDED, B, False),
    (S.RECTIFICATION, A.FAIL): (S.CONCLUDED, B, True),
    (S.CONCLUDED, A.ARCHIVE): (S.ARCHIVED, B, False),
    **{(state, A.TERMINATE): (S.TERMINATED, B, True) for state in RUNNING},
}


def test_table_matches_the_specification():
    actual = {key: (t.target, t.roles, t.comment_required) for key, t in rules.TRANSITIONS.items()}
    assert actual == EXPECTED


@pytest.mark.parametrize("state", list(State))
@pytest.mark.parametrize("action", list(Action))
@pytest.mark.parametrize("role", ROLES)
def test_every_state_action_role(state, action, role):
    expected = EXPECTED.get((state, action))
    if expected is None:
        with pytest.raises(TransitionRefused, match="不能执行"):
            rules.check_transition(state=state, action=action, role=role, comment="意见")
        return
    target, roles, comment_required = expected
    if role not in roles:
        with pytest.raises(TransitionRefused, match="无权"):
            rules.check_transition(state=state, action=action, role=role, comment="意见")
        return
    assert rules.check_transition(state=state, action=action, role=role, comment="意见").target == target
    if comment_required:
        with pytest.raises(TransitionRefused, match="须填写") as refused:
            rules.check_transition(state=state, action=action, role=role, comment="  ")
        assert refused.value.field == "comment"
    else:
        assert rules.check_transition(state=state, action=action, role=role).target == target


def test_unknown_action_refused():
    with pytest.raises(TransitionRefused, match="未知"):
        rules.check_transition(state=State.SUBMITTED, action="delete", role="bureau")


def test_terminal_states_have_no_way_out():
    for state in rules.TERMINAL_STATES:
        for role in ROLES:
            assert rules.available_actions(state=state, role=role) == []


def test_one_rectification_round_only():
    # From 整改 the only ways out are a final conclusion or 终止: never back to 结题验收.
    targets = {t.target for (state, _a), t in rules.TRANSITIONS.items() if state == State.RECTIFICATION}
    assert targets == {State.CONCLUDED, State.TERMINATED}


def test_acceptance_results():
    assert rules.TRANSITIONS[(S.ACCEPTANCE, A.PASS)].acceptance_result == rules.AcceptanceResult.PASSED
    assert (
        rules.TRANSITIONS[(S.RECTIFICATION, A.PASS_AFTER_RECTIFICATION)].acceptance_result
        == rules.AcceptanceResult.PASSED_AFTER_RECTIFICATION
    )
    assert rules.TRANSITIONS[(S.RECTIFICATION, A.FAIL)].acceptance_result == rules.AcceptanceResult.FAILED


def test_county_may_only_withdraw_a_fresh_application():
    allowed = {
        (state, action)
        for state in State
        for action, _t in rules.available_actions(state=state, role="county")
    }
    assert allowed == {(State.SUBMITTED, Action.WITHDRAW)}


def test_leadership_and_others_take_no_action():
    for role in ("leader", "sysadmin", "auditor"):
        assert all(rules.available_actions(state=state, role=role) == [] for state in State)


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
