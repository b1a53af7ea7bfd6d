"""Who may take which step of every flow, pinned: the sweeps (tests/workflowcase.py) work out who is
refused from the grants the roles hold, so a grant added or dropped by mistake (a county given 入库, say)
would pass them; it fails here. Changing a role's grants is a decision: change this table with it."""

import pytest

from kejiju.accounts.roles import Role, declared_role_permissions
from kejiju.core.workflow.declarations import workflows

PROJECT_STEPS = {
    "accept", "approve", "archive", "fail", "not_approve", "pass", "pass_after_rectification", "rectify",
    "reject", "resume", "sign_contract", "start_acceptance", "start_evaluation", "start_review", "suspend",
    "terminate", "withdraw",
}  # fmt: skip

# flow -> role -> the actions its holders may take (roles not named take none).
GRANTS = {
    "enterprises.smesevaluation": {
        Role.BUREAU: {"admit", "reject", "review_pass", "review_return", "revoke", "start_publicity"},
        Role.COUNTY: {"review_pass", "review_return"},
    },
    # An enterprise's own 培育库 application is recommended (or not) by its county office.
    "enterprises.poolentry": {
        Role.BUREAU: {"admit", "apply", "certify", "county_decline", "county_recommend", "decline", "exit"},
        Role.COUNTY: {"county_decline", "county_recommend"},
    },
    "enterprises.reward": {Role.BUREAU: {"approve", "pay"}},
    "platforms.platform": {Role.BUREAU: {"prepare", "recognise", "restore", "revoke", "upgrade"}},
    "platforms.recognitionbatch": {
        Role.BUREAU: {"close_applications", "publicise", "recognise", "start_review"}
    },
    "platforms.platformapplication": {
        Role.BUREAU: {"accept", "not_propose", "object", "propose", "recognise", "reject"}
    },
    # A unit applies for its own project's 验收 (an actor rule: tests/projects/test_unit_filing.py).
    "projects.project": {
        Role.BUREAU: PROJECT_STEPS,
        Role.COUNTY: {"withdraw"},
        Role.UNIT_ADMIN: {"apply_acceptance"},
        Role.APPLICANT: {"apply_acceptance"},
    },
    "projects.changerequest": {Role.BUREAU: {"approve", "refuse"}},
    "reporting.monthlyfiling": {Role.BUREAU: {"confirm", "return"}, Role.COUNTY: {"resubmit", "submit"}},
    "reporting.countytask": {Role.BUREAU: {"approve"}},
    "experts.reviewpanel": {
        Role.BUREAU: {"cancel", "close", "refuse", "reopen_scores", "score", "seat"},
        # A seated expert's own answer or scores move the panel (网评): the same edges, their permission.
        Role.EXPERT: {"refuse_online", "score_online", "seat_online"},
    },
    "experts.expert": {Role.BUREAU: {"exit", "readmit", "resume", "suspend"}},
    # A unit's registration: its county office, or the bureau (for every county and units without one).
    "units.registration": {Role.BUREAU: {"verify", "return"}, Role.COUNTY: {"verify", "return"}},
    # The bureau recommends only for units without a county (an actor rule: tests/applications).
    # 通知公告: bureau staff publish and withdraw; leadership only reads them.
    "announcements.announcement": {Role.BUREAU: {"publish", "withdraw"}},
    "applications.application": {
        Role.APPLICANT: {"submit", "recall"},
        Role.UNIT_ADMIN: {"unit_approve", "unit_return"},
        Role.COUNTY: {"recommend", "county_return"},
        Role.BUREAU: {"recommend", "county_return"},
    },
}


def test_every_flow_is_pinned():
    assert set(GRANTS) == set(workflows())


@pytest.mark.parametrize("key", sorted(GRANTS))
@pytest.mark.parametrize("role", list(Role))
def test_role_takes_exactly_its_steps(key, role):
    granted = declared_role_permissions().get(role, set())
    flow = workflows()[key]
    takes = {t.action for t in flow.transitions if t.permission in granted}
    assert takes == GRANTS[key].get(role, set()), (key, role)
