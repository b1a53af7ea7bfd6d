"""E-mail (kejiju.core.mail): one mechanism for every sender; a message goes out once its transaction has
committed, through a Celery task that retries SMTP and network errors.

The notifying services are found in the code (every function that calls `notice_send` or `mail_send`),
and each must have a scenario below: a change that is rolled back sends nothing, a committed one sends one
message, and no message is handed to the backend while a transaction is open (the `_mail_only_after_commit`
fixture of tests/conftest.py, which guards every test of the suite)."""

from __future__ import annotations

import ast
import datetime as dt
from collections.abc import Callable
from pathlib import Path
from smtplib import SMTPServerDisconnected

import pytest
from django.conf import settings
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.db import transaction
from django.utils import timezone

from kejiju.core.mail import mail_send
from kejiju.reporting import services as reporting
from kejiju.reporting.rules import SHANGHAI

pytestmark = pytest.mark.django_db

ROOT = Path(settings.BASE_DIR)
# The mechanism itself: the only module that may call Django's mail functions, and the helpers that
# hand a message to it.
MAIL_MODULE = "kejiju/core/tasks.py"
MECHANISM = {
    "kejiju.core.mail:mail_send",
    "kejiju.reporting.services.notices:notice_send",
    "kejiju.reporting.services.notices:notify_region",
}
NOTIFIERS = {"mail_send", "notice_send", "notify_region"}


def _project_sources():
    for path in sorted(ROOT.rglob("*.py")):
        relative = path.relative_to(ROOT)
        if relative.parts[0] in {".venv", "tests", "bench", "scripts", "node_modules"} or (
            "migrations" in relative.parts
        ):
            continue
        yield relative, ast.parse(path.read_text(encoding="utf-8"))


def notifying_functions() -> set[str]:
    """module:function of every function in the project that calls a notifier (the mechanism aside)."""
    found = set()
    for relative, tree in _project_sources():
        module = ".".join(relative.with_suffix("").parts)
        for node in ast.walk(tree):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for call in ast.walk(node):
                if isinstance(call, ast.Call):
                    name = getattr(call.func, "id", None) or getattr(call.func, "attr", None)
                    if name in NOTIFIERS:
                        found.add(f"{module}:{node.name}")
    return found - MECHANISM


def test_only_the_mail_task_uses_djangos_mail_functions():
    offenders = []
    for relative, tree in _project_sources():
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module in {"django.core.mail", "django.core"}:
                names = {alias.name for alias in node.names}
                if node.module == "django.core.mail" or "mail" in names:
                    offenders.append(str(relative))
            elif isinstance(node, ast.Import) and any(
                alias.name.startswith("django.core.mail") for alias in node.names
            ):
                offenders.append(str(relative))
    assert set(offenders) <= {MAIL_MODULE}, offenders


# --------------------------------------------------------------------------------- notifying services


def sh(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SHANGHAI)


def _submitted_filing(county):
    filing = reporting.filing_save(
        actor=county, year=2024, month=1, progress=(), figures=(), now=sh(2024, 2, 3, 10), key_progress="进展"
    )
    return reporting.filing_submit(actor=county, filing=filing, now=sh(2024, 2, 3, 10))


def _filing_return(world) -> Callable[[], object]:
    filing = _submitted_filing(world.users["county"])
    return lambda: reporting.filing_return(
        actor=world.users["bureau"], filing=filing, reason="缺少附件", now=sh(2024, 2, 4)
    )


def _filing_reopen(world) -> Callable[[], object]:
    return lambda: reporting.filing_reopen(
        actor=world.users["bureau"],
        region=world.county_a,
        year=2024,
        month=1,
        reason="补报",
        expires_at=sh(2024, 2, 12),
        now=sh(2024, 2, 9),
    )


def _send_filing_reminders(world) -> Callable[[], object]:
    return lambda: reporting.send_filing_reminders(now=sh(2024, 2, 2, 9))


def _placement_approved(world) -> Callable[[], object]:
    from experts import services as experts
    from experts.models import VicePresidentPlacement
    from tests.experts.factories import OrganizationFactory, UniversityFactory

    placement = experts.vice_president_save(
        placement=VicePresidentPlacement(
            name="张三",
            title="副高",
            university=UniversityFactory(),
            year=2024,
            enterprise=OrganizationFactory(region=world.county_a),
        ),
        user=world.users["bureau"],
    )
    placement.state, placement.term_start = VicePresidentPlacement.State.SERVING, dt.date(2024, 3, 1)
    return lambda: experts.vice_president_save(placement=placement, user=world.users["bureau"])


def _registration_returned(world) -> Callable[[], object]:
    """A unit without a county returned by the bureau: the registrant hears of it at its own address."""
    from kejiju.core.workflow.services import apply_transition
    from tests.units.factories import UnitRegistrationFactory

    registration = UnitRegistrationFactory(region=None, email="xinfu@example.gov.cn")
    return lambda: apply_transition(
        record=registration,
        action="return",
        actor=world.users["bureau"],
        effective_on=timezone.localdate(),
        comment="证照不清晰",
    )


def _expert_invited(world) -> Callable[[], object]:
    """A drawn expert with an account (whose address is the one the fixture keeps) is invited."""
    from experts import services as experts
    from experts.models import Expert
    from tests.experts.factories import ExpertFactory, ExpertFieldFactory, OrganizationFactory

    field = ExpertFieldFactory(name="邀请测试领域")
    for _ in range(2):
        ExpertFactory(fields=[field])
    subject = OrganizationFactory(name="邀请测试单位")
    panel = experts.review_panel_create(
        subject=subject,
        title="邀请测试评审",
        applicant=subject,
        fields=[field],
        size=2,
        reserves=0,
        criteria=[{"key": "c1", "label": "创新性", "max_score": 100, "weight": 1}],
        user=world.users["bureau"],
        seed="mail",
    )
    county = world.users["county"]  # the fixture's one address; the role does not matter to the mail
    Expert.objects.filter(pk=panel.members.order_by("position").first().expert_id).update(user=county)
    return lambda: experts.invite_pending(panel)


def _online_panel(world, *, seed: str, deadline_in: dt.timedelta | None = None):
    """A panel of two drawn experts, the first bound to county A's account (the fixture's one address)."""
    from django.utils import timezone

    from experts import services as experts
    from experts.models import Expert
    from tests.experts.factories import ExpertFactory, ExpertFieldFactory, OrganizationFactory

    field = ExpertFieldFactory(name=f"网评测试领域{seed}")
    for _ in range(2):
        ExpertFactory(fields=[field])
    subject = OrganizationFactory(name=f"网评测试单位{seed}")
    panel = experts.review_panel_create(
        subject=subject,
        title=f"网评测试{seed}",
        applicant=subject,
        fields=[field],
        size=2,
        reserves=0,
        criteria=[{"key": "c1", "label": "创新性", "max_score": 100, "weight": 1}],
        user=world.users["bureau"],
        seed=seed,
        online_deadline=timezone.now() + deadline_in if deadline_in else None,
    )
    member = panel.members.order_by("position").first()
    Expert.objects.filter(pk=member.expert_id).update(user=world.users["county"])
    return panel, member


def _online_reminders_due(world) -> Callable[[], object]:
    """The deadline is a day away: the expert with an account is reminded by the beat task."""
    from experts import reminders

    _online_panel(world, seed="beat", deadline_in=dt.timedelta(hours=24))
    return lambda: reminders.send_online_reminders()


def _panel_reminded(world) -> Callable[[], object]:
    """Staff remind the experts of a panel who have not submitted."""
    from experts import reminders

    panel, _member = _online_panel(world, seed="remind")
    return lambda: reminders.panel_remind(panel=panel, user=world.users["bureau"])


def _scores_reopened(world) -> Callable[[], object]:
    """Staff reopen the expert's submitted 网评 (the panel 评分中)."""
    from django.utils import timezone

    from experts import reopen
    from experts import services as experts
    from experts.models import ReviewMember

    panel, member = _online_panel(world, seed="reopen")
    bureau = world.users["bureau"]
    seats = list(panel.members.order_by("position"))
    for seat in seats:
        experts.review_member_confirm(member=seat, user=bureau)
    for seat in seats:
        experts.review_scores_enter(member=seat, scores={"c1": 80}, user=bureau)
    ReviewMember.objects.filter(pk=member.pk).update(scores_submitted_at=timezone.now())
    return lambda: reopen.online_scores_reopen(member=member, reason="漏评指标", user=bureau)


SCENARIOS: dict[str, Callable] = {
    "experts.services.panels:invite_pending": _expert_invited,
    "experts.reminders:send_online_reminders": _online_reminders_due,
    "experts.reminders:panel_remind": _panel_reminded,
    "experts.reopen:online_scores_reopen": _scores_reopened,
    "kejiju.units.services:registration_return_effect": _registration_returned,
    # Every workflow transition of a county's record (here a monthly filing returned) is told to the county.
    "kejiju.reporting.services.notices:notify_transition": _filing_return,
    "experts.services.placements:_placement_approved_notice": _placement_approved,
    "kejiju.reporting.services.filings:filing_reopen": _filing_reopen,
    "kejiju.reporting.services.filings:send_filing_reminders": _send_filing_reminders,
}


def test_every_notifying_function_has_a_scenario():
    assert notifying_functions() == set(SCENARIOS)


class _Rollback(Exception):
    pass


@pytest.fixture
def mail_world(world):
    """The world's users without addresses, but for county A's account (so one message per action)."""
    for user in world.users.values():
        user.email = ""
        user.save(update_fields=["email"])
    county = world.users["county"]
    county.email = "xinfu@example.gov.cn"
    county.save(update_fields=["email"])
    return world


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_a_rolled_back_change_sends_nothing(name, mail_world, django_capture_on_commit_callbacks):
    act = SCENARIOS[name](mail_world)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(_Rollback), transaction.atomic():
        act()
        raise _Rollback
    assert mail.outbox == []


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_a_committed_change_sends_once_after_the_commit(
    name, mail_world, django_capture_on_commit_callbacks, _mail_only_after_commit
):
    act = SCENARIOS[name](mail_world)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        act()
        assert mail.outbox == []  # nothing while the service's transaction could still roll back
    assert [message.to for message in mail.outbox] == [["xinfu@example.gov.cn"]]
    assert mail.outbox[0].subject.startswith("【忻州市科技局】")
    assert _mail_only_after_commit == []  # the backend was called with no transaction open


# ------------------------------------------------------------------------------------------ the task


@pytest.fixture
def eager_retries():
    """In-process tasks that retry as a worker would (with eager propagation, Celery raises the first
    Retry instead of running the task again)."""
    from kejiju.celery import app

    propagates = app.conf.task_eager_propagates
    app.conf.task_eager_propagates = False
    yield
    app.conf.task_eager_propagates = propagates


def test_smtp_errors_are_retried_until_the_message_goes(
    monkeypatch, eager_retries, django_capture_on_commit_callbacks
):
    send_messages = EmailBackend.send_messages
    attempts = []

    def flaky(self, messages):
        attempts.append(1)
        if len(attempts) < 3:
            raise SMTPServerDisconnected("connection unexpectedly closed")
        return send_messages(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", flaky)
    with django_capture_on_commit_callbacks(execute=True):
        assert mail_send(subject="测试", body="正文", recipients=["a@example.gov.cn", "", "a@example.gov.cn"])
    assert len(attempts) == 3
    assert [message.to for message in mail.outbox] == [["a@example.gov.cn"]]


def _smtp_down(monkeypatch) -> list:
    attempts = []

    def down(self, messages):
        attempts.append(1)
        raise ConnectionRefusedError("SMTP server down")

    monkeypatch.setattr(EmailBackend, "send_messages", down)
    return attempts


def test_a_message_is_retried_at_most_max_retries_times(
    monkeypatch, eager_retries, django_capture_on_commit_callbacks
):
    from kejiju.core.tasks import send_mail_message

    attempts = _smtp_down(monkeypatch)
    with django_capture_on_commit_callbacks(execute=True):
        mail_send(subject="测试", body="正文", recipients=["a@example.gov.cn"])
    assert len(attempts) == send_mail_message.max_retries + 1
    assert mail.outbox == []


def test_a_failed_message_does_not_fail_the_committed_change(
    monkeypatch, django_capture_on_commit_callbacks, caplog
):
    _smtp_down(monkeypatch)
    with django_capture_on_commit_callbacks(execute=True):
        mail_send(subject="测试", body="正文", recipients=["a@example.gov.cn"])
    assert mail.outbox == [] and "e-mail not sent: 【忻州市科技局】测试" in caplog.text


def test_no_recipient_no_message(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        assert not mail_send(subject="测试", body="正文", recipients=["", ""])
    assert callbacks == []
