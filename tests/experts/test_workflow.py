"""The review panel workflow (experts.workflow): swept over every edge × every role (完成评审 and 撤销评审组
through the one transition view, the panel's automatic moves through the engine), the timeline the member
steps write, and the move of the old ReviewPanelEvent rows into the one event table."""

from __future__ import annotations

import datetime as dt
import importlib
import itertools

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from experts import services
from experts.models import Expert, ReviewMember, ReviewPanel
from kejiju.core.workflow.selectors import events_for
from tests.experts.factories import ExpertFactory, ExpertFieldFactory, OrganizationFactory
from tests.workflowcase import ACTORS, FlowCase, WorkflowSweep

S = ReviewPanel.State
CRITERIA = [
    {"key": "c1", "label": "创新性", "max_score": 40, "weight": 1},
    {"key": "c2", "label": "可行性", "max_score": 60, "weight": 1},
]
_serial = itertools.count(1)


def _draw(world, *, size=3, reserves=0, experts=None):
    """A panel for a project of county A, drawn by the bureau from a field of its own."""
    from tests.projects.factories import ProjectFactory

    field = ExpertFieldFactory(name=f"流程领域{next(_serial)}")
    for _ in range(experts or size + reserves):
        ExpertFactory(fields=[field])
    subject = ProjectFactory(region=world.county_a)
    return services.review_panel_create(
        subject=subject,
        title=f"流程测试评审{subject.pk}",
        applicant=None,
        fields=[field],
        size=size,
        reserves=reserves,
        criteria=CRITERIA,
        user=world.users["bureau"],
        seed="flow",
    )


def _confirm_all(panel, user):
    for member in panel.members.filter(role="正式", status="待确认"):
        services.review_member_confirm(member=member, user=user)


def _score_all(panel, user):
    marks = [(30, 50), (40, 60), (20, 30)]
    for member, (a, b) in zip(panel.members.order_by("position"), marks, strict=False):
        services.review_scores_enter(member=member, scores={"c1": a, "c2": b}, user=user)


def make_panel(world, state):
    bureau = world.users["bureau"]
    panel = _draw(world)
    if state in (S.CONFIRMED, S.SCORING, S.CLOSED):
        _confirm_all(panel, bureau)
    if state in (S.SCORING, S.CLOSED):
        _score_all(panel, bureau)
    if state == S.CLOSED:
        services.review_panel_close(panel=panel, user=bureau)
    if state == S.CANCELLED:
        services.review_panel_cancel(panel=panel, reason="改期", user=bureau)
    panel.refresh_from_db()
    return panel


def _seat_the_expert(world, transition, panel):
    """The matrix expert holds the panel's first regular seat (the online edges are theirs); to reopen a
    submission, that seat has submitted its 网评."""
    from django.utils import timezone

    member = panel.members.filter(role="正式").order_by("position").first()
    Expert.objects.filter(user=world.users["expert"]).update(user=None)
    Expert.objects.filter(pk=member.expert_id).update(user=world.users["expert"])
    if transition is not None and transition.action == "reopen_scores":
        ReviewMember.objects.filter(pk=member.pk).update(scores_submitted_at=timezone.now())


def _panel_data(world, transition, panel):
    """退回网评评分 names the member whose submission it reopens (the first regular seat)."""
    if transition is not None and transition.action == "reopen_scores":
        return {"member": panel.members.filter(role="正式").order_by("position").first().pk}
    return {}


class TestReviewPanelWorkflow(WorkflowSweep):
    case = FlowCase(
        workflow="experts.reviewpanel",
        url_name="experts:reviewpanel_transition",
        make=make_panel,
        prepare=_seat_the_expert,
        data=_panel_data,
        actors=(*ACTORS, "expert"),
        # Automatic moves whose rule cannot hold on a panel built in one state (every seat confirmed, a
        # seat vacant again, a score entered), walked by the tests below.
        skip={
            "seat": "walked by tests/experts/test_workflow.py::test_panel_timeline_from_draw_to_close",
            "score": "walked by tests/experts/test_workflow.py::test_panel_timeline_from_draw_to_close",
            "refuse": (
                "walked by tests/experts/test_workflow.py::test_refusal_on_a_confirmed_panel_reopens_it"
            ),
            # The same moves taken by a seated expert online (their own answer or scores).
            "seat_online": (
                "walked by tests/experts/test_seats.py::test_the_last_acceptance_seats_the_panel"
            ),
            "refuse_online": (
                "walked by tests/experts/test_seats.py::"
                "test_a_declared_conflict_removes_the_expert_with_the_reason"
            ),
            "score_online": (
                "walked by tests/experts/test_seats.py::"
                "test_scores_are_saved_changed_and_submitted_once_before_the_deadline"
            ),
        },
    )


pytestmark = pytest.mark.django_db


def _timeline(panel):
    return [(e.action, e.label, e.from_state, e.to_state) for e in events_for(panel)]


def test_panel_timeline_from_draw_to_close(world):
    bureau = world.users["bureau"]
    panel = _draw(world)
    first, second, third = panel.members.order_by("position")
    services.review_member_confirm(member=first, user=bureau)
    services.review_member_set_leader(member=first, user=bureau)
    with pytest.raises(ValidationError, match="不能执行“完成评审”"):
        services.review_panel_close(panel=panel, user=bureau)
    services.review_member_confirm(member=second, user=bureau)
    services.review_member_confirm(member=third, user=bureau)
    panel.refresh_from_db()
    assert panel.state == S.CONFIRMED
    _score_all(panel, bureau)
    services.review_panel_close(panel=panel, user=bureau, comment="会议评审")
    panel.refresh_from_db()
    assert (
        panel.state == S.CLOSED
        and str(panel.subjects.get().result) == "76.67"
        and panel.closed_at is not None
    )
    assert _timeline(panel) == [
        ("draw", "抽取专家", "", S.DRAWING),
        ("confirm", "确认专家", S.DRAWING, S.DRAWING),
        ("leader", "指定组长", S.DRAWING, S.DRAWING),
        ("confirm", "确认专家", S.DRAWING, S.DRAWING),
        ("confirm", "确认专家", S.DRAWING, S.DRAWING),
        ("seat", "专家已确认", S.DRAWING, S.CONFIRMED),
        ("score", "录入评分", S.CONFIRMED, S.SCORING),
        ("score", "录入评分", S.SCORING, S.SCORING),
        ("score", "录入评分", S.SCORING, S.SCORING),
        ("close", "完成评审", S.SCORING, S.CLOSED),
    ]
    events = list(events_for(panel))
    assert all(event.actor_id == bureau.pk for event in events)
    assert "随机种子 flow" in events[0].comment
    assert events[-1].comment == "会议评审"
    assert events[-1].data == {"result": "76.67", "scorers": 3, "method": "取平均"}
    assert ("评审得分", "76.67") in events[-1].data_display


def test_refusal_on_a_confirmed_panel_reopens_it(world):
    bureau = world.users["bureau"]
    panel = _draw(world, size=2, reserves=1, experts=4)
    _confirm_all(panel, bureau)
    panel.refresh_from_db()
    assert panel.state == S.CONFIRMED
    reserve = panel.members.get(role="备选")
    services.review_member_refuse(member=reserve, reason="另有安排", user=bureau)
    panel.refresh_from_db()
    assert panel.state == S.CONFIRMED  # a reserve's refusal leaves every seat taken
    seated = panel.members.filter(role="正式").order_by("position").first()
    services.review_member_refuse(member=seated, reason="出差", user=bureau)
    panel.refresh_from_db()
    assert panel.state == S.DRAWING
    assert _timeline(panel)[-3:] == [
        ("refuse", "登记拒绝", S.CONFIRMED, S.CONFIRMED),
        ("refuse", "登记拒绝", S.CONFIRMED, S.DRAWING),
        ("reserves_exhausted", "备选不足", S.DRAWING, S.DRAWING),
    ]
    assert list(events_for(panel))[-2].comment.endswith("不能参加：出差")
    draw = services.review_panel_supplement(panel=panel, user=bureau, seed="more")
    assert draw.requested == 1
    _confirm_all(panel, bureau)
    panel.refresh_from_db()
    assert panel.state == S.CONFIRMED
    assert [e[0] for e in _timeline(panel)[-3:]] == ["supplement", "confirm", "seat"]


def test_automatic_moves_refused_without_their_cause(world):
    """The moves the services take by themselves are refused by the engine when their cause is absent."""
    from kejiju.core.workflow.services import apply_transition

    bureau = world.users["bureau"]
    drawing, confirmed = make_panel(world, S.DRAWING), make_panel(world, S.CONFIRMED)
    with pytest.raises(ValidationError, match="尚未全部确认参加"):
        apply_transition(record=drawing, action="seat", actor=bureau)
    with pytest.raises(ValidationError, match="无需重新抽取"):
        apply_transition(record=confirmed, action="refuse", actor=bureau)
    with pytest.raises(ValidationError, match="尚未录入任何专家的评分"):
        apply_transition(record=confirmed, action="score", actor=bureau)
    for panel, state in ((drawing, S.DRAWING), (confirmed, S.CONFIRMED)):
        panel.refresh_from_db()
        assert panel.state == state


def test_member_steps_refused_in_the_wrong_state(world):
    bureau = world.users["bureau"]
    panel = make_panel(world, S.CANCELLED)
    member = panel.members.order_by("position").first()
    with pytest.raises(ValidationError, match="评审组当前状态为“已撤销”，不能确认专家"):
        services.review_member_confirm(member=member, user=bureau)
    with pytest.raises(ValidationError, match="不能补充抽取"):
        services.review_panel_supplement(panel=panel, user=bureau)
    with pytest.raises(ValidationError, match="须填写说明"):
        services.review_panel_cancel(panel=make_panel(world, S.DRAWING), reason=" ", user=bureau)


def test_detail_page_shows_the_timeline_and_the_transitions(client, world):
    panel = make_panel(world, S.SCORING)
    client.force_login(world.users["bureau"])
    body = client.get(panel.get_absolute_url()).content.decode()
    url = reverse("experts:reviewpanel_transition", kwargs={"pk": panel.pk})
    assert f"{url}?action=close" in body and f"{url}?action=cancel" in body
    assert 'data-testid="workflow-events"' in body and 'data-testid="flow-diagram"' in body
    assert "专家已确认" in body and "抽取专家" in body
    form = client.get(f"{url}?action=close").content.decode()
    assert "76.67" in form and "冻结" in form  # the result about to be frozen
    client.force_login(world.users["leader"])
    body = client.get(panel.get_absolute_url()).content.decode()
    assert f"{url}?action=close" not in body
    assert client.get(url).status_code == 403


def test_close_refused_while_scores_are_incomplete(client, world):
    bureau = world.users["bureau"]
    panel = make_panel(world, S.CONFIRMED)
    services.review_scores_enter(member=panel.members.first(), scores={"c1": 1, "c2": 2}, user=bureau)
    client.force_login(bureau)
    url = reverse("experts:reviewpanel_transition", kwargs={"pk": panel.pk})
    response = client.post(url, {"action": "close", "comment": ""})
    assert response.status_code == 200
    assert "尚未录入完整" in response.content.decode()
    panel.refresh_from_db()
    assert panel.state == S.SCORING and panel.subjects.get().result is None


# ----------------------------------------------------------------------------- the library (experts.expert)

E = Expert.State
_expert_serial = itertools.count(601, 2)  # odd: 男


def make_expert(world, state):
    """An expert admitted 60 days ago through the services; 暂停 or 出库 30 days ago."""
    from tests.experts.factories import make_id_number

    bureau = world.users["bureau"]
    today = timezone.localdate()
    expert = services.expert_create(
        name="流程专家",
        gender="男",
        id_number=make_id_number(next(_expert_serial)),
        employer=OrganizationFactory(),
        title="正高",
        fields=[ExpertFieldFactory()],
        admitted_on=today - dt.timedelta(days=60),
        county=world.county_a,
        user=bureau,
    )
    if state != E.ACTIVE:
        services.expert_set_state(
            expert=expert, state=state, on=today - dt.timedelta(days=30), reason="流程测试", user=bureau
        )
    expert.refresh_from_db()
    return expert


class TestExpertWorkflow(WorkflowSweep):
    case = FlowCase(workflow="experts.expert", url_name="experts:expert_transition", make=make_expert)


def test_expert_timeline_through_the_services(world):
    bureau = world.users["bureau"]
    expert = make_expert(world, E.ACTIVE)
    today = timezone.localdate()
    for state, days in ((E.SUSPENDED, 40), (E.ACTIVE, 35), (E.EXITED, 20), (E.ACTIVE, 10)):
        services.expert_set_state(
            expert=expert, state=state, on=today - dt.timedelta(days=days), reason="原因", user=bureau
        )
    assert [
        (e.action, e.from_state, e.to_state, (today - e.effective_on).days) for e in events_for(expert)
    ] == [
        ("admit", "", E.ACTIVE, 60),
        ("suspend", E.ACTIVE, E.SUSPENDED, 40),
        ("resume", E.SUSPENDED, E.ACTIVE, 35),
        ("exit", E.ACTIVE, E.EXITED, 20),
        ("readmit", E.EXITED, E.ACTIVE, 10),
    ]
    expert.refresh_from_db()
    assert expert.admitted_on == today - dt.timedelta(days=10) and expert.exited_on is None


def test_editing_the_admission_date_corrects_the_current_tenure(world):
    """入库日期 edited in the form moves the current tenure's admission event, within its neighbours."""
    bureau = world.users["bureau"]
    expert = make_expert(world, E.ACTIVE)
    today = timezone.localdate()
    services.expert_set_state(
        expert=expert, state=E.EXITED, on=today - dt.timedelta(days=30), reason="x", user=bureau
    )
    services.expert_set_state(
        expert=expert, state=E.ACTIVE, on=today - dt.timedelta(days=10), reason="", user=bureau
    )
    common = {
        "name": expert.name,
        "gender": expert.gender,
        "employer": expert.employer,
        "title": expert.title,
        "fields": list(expert.fields.all()),
        "user": bureau,
    }
    with pytest.raises(ValidationError, match="不能早于上一步“出库”"):
        services.expert_update(expert=expert, admitted_on=today - dt.timedelta(days=31), **common)
    services.expert_update(expert=expert, admitted_on=today - dt.timedelta(days=20), **common)
    days = [(e.action, (today - e.effective_on).days) for e in events_for(expert)]
    assert days == [("admit", 60), ("exit", 30), ("readmit", 20)]


# ------------------------------------------------------------------------------------ the data migration

MIGRATION = "0008_reviewpanelevent_to_workflowevent"


def test_migration_moves_panel_events_into_the_event_table():
    """The old rows become WorkflowEvents: codes from the Chinese text, states replayed in time order, the
    note as comment, effective on the local date recorded."""
    from django.db import connection
    from django.db.migrations.loader import MigrationLoader

    from tests.factories import UserFactory

    migration = importlib.import_module(f"experts.migrations.{MIGRATION}")
    state_apps = MigrationLoader(connection).project_state(("experts", MIGRATION)).apps
    OldEvent = state_apps.get_model("experts", "ReviewPanelEvent")
    # The old table, created before any row it refers to (in the test's transaction, rolled back).
    with connection.schema_editor() as editor:
        editor.create_model(OldEvent)

    actor = UserFactory()

    def panel(state, subject_id):
        return ReviewPanel.objects.create(
            title="迁移测试",
            size=1,
            criteria=CRITERIA,
            state=state,
        )

    closed, cancelled = panel(S.CLOSED, 1), panel(S.CANCELLED, 2)
    start = dt.datetime(2024, 3, 1, 15, 0, tzinfo=dt.UTC)  # 23:00 in 忻州, the next day from 16:00 UTC
    rows = [
        (closed, "抽取专家", "随机种子 abc", None),
        (closed, "确认专家", "甲 确认参加评审。", actor),
        (closed, "专家已确认", "正式专家 1 人均已确认参加。", None),
        (closed, "登记拒绝", "甲（正式）不能参加：出差", actor),
        (closed, "备选递补", "备选专家 乙 递补 甲。", actor),
        (closed, "确认专家", "乙 确认参加评审。", actor),
        (closed, "专家已确认", "正式专家 1 人均已确认参加。", None),
        (closed, "录入评分", "乙：合计 80", actor),
        (closed, "录入评分", "乙：合计 82", actor),
        (closed, "完成评审", "1 位专家评分，取平均，评审得分 82；评分已冻结。", actor),
        (cancelled, "抽取专家", "随机种子 def", actor),
        (cancelled, "撤销评审组", "改期", actor),
    ]
    for index, (owner, action, note, who) in enumerate(rows):
        row = OldEvent.objects.create(panel_id=owner.pk, action=action, note=note, actor_id=who and who.pk)
        OldEvent.objects.filter(pk=row.pk).update(created_at=start + dt.timedelta(minutes=30 * index))

    migration.forwards(state_apps, None)

    assert _timeline(closed) == [
        ("draw", "抽取专家", "", S.DRAWING),
        ("confirm", "确认专家", S.DRAWING, S.DRAWING),
        ("seat", "专家已确认", S.DRAWING, S.CONFIRMED),
        ("refuse", "登记拒绝", S.CONFIRMED, S.DRAWING),
        ("promote", "备选递补", S.DRAWING, S.DRAWING),
        ("confirm", "确认专家", S.DRAWING, S.DRAWING),
        ("seat", "专家已确认", S.DRAWING, S.CONFIRMED),
        ("score", "录入评分", S.CONFIRMED, S.SCORING),
        ("score", "录入评分", S.SCORING, S.SCORING),
        ("close", "完成评审", S.SCORING, S.CLOSED),
    ]
    assert _timeline(cancelled) == [
        ("draw", "抽取专家", "", S.DRAWING),
        ("cancel", "撤销评审组", S.DRAWING, S.CANCELLED),
    ]
    events = list(events_for(closed))
    assert all(event.workflow == "experts.reviewpanel" for event in events)
    assert [event.actor_id for event in events[:3]] == [None, actor.pk, None]
    assert events[3].comment == "甲（正式）不能参加：出差"
    assert events[0].recorded_at == start
    assert [event.effective_on for event in events[:3]] == [dt.date(2024, 3, 1)] * 2 + [dt.date(2024, 3, 2)]
    assert events_for(cancelled).last().comment == "改期"


EXPERT_MIGRATION = "0010_expert_workflow_events"


def test_migration_rebuilds_the_experts_history_from_the_audit_log(world):
    """Existing experts get their events: every tenure replayed from the audit log where it is complete
    (an admission overwritten by a re-admission stays in its year), else the record's latest tenure."""
    from django.apps import apps as live_apps

    from kejiju.core.models import WorkflowEvent
    from tests.experts.factories import make_id_number

    migration = importlib.import_module(f"experts.migrations.{EXPERT_MIGRATION}")
    bureau = world.users["bureau"]

    def admit(number, on):
        return services.expert_create(
            name="迁移专家",
            gender="男",
            id_number=make_id_number(number),
            employer=OrganizationFactory(),
            title="正高",
            fields=[ExpertFieldFactory()],
            admitted_on=on,
            user=bureau,
        )

    logged = admit(951, dt.date(2020, 1, 1))
    for state, on in ((E.SUSPENDED, dt.date(2020, 6, 1)), (E.EXITED, dt.date(2021, 6, 1))):
        services.expert_set_state(expert=logged, state=state, on=on, reason="原因", user=bureau)
    services.expert_set_state(expert=logged, state=E.ACTIVE, on=dt.date(2023, 3, 1), reason="", user=bureau)
    unlogged = admit(953, dt.date(2019, 5, 1))
    # A change that left no audit log entry (made outside the audited save): the log does not add up.
    Expert.objects.filter(pk=unlogged.pk).update(
        state=E.EXITED, exited_on=dt.date(2022, 1, 1), exit_reason="退休"
    )
    expected = {logged.pk: [(e.action, e.from_state, e.to_state, e.effective_on) for e in events_for(logged)]}
    assert expected[logged.pk][0] == ("admit", "", E.ACTIVE, dt.date(2020, 1, 1))
    # Before the migration: no events.
    WorkflowEvent.objects.filter(workflow="experts.expert").delete()

    migration.forwards(live_apps, None)
    migration.forwards(live_apps, None)  # idempotent

    rebuilt = {
        expert.pk: [(e.action, e.from_state, e.to_state, e.effective_on) for e in events_for(expert)]
        for expert in (logged, unlogged)
    }
    assert rebuilt[logged.pk] == expected[logged.pk]
    assert rebuilt[unlogged.pk] == [
        ("admit", "", E.ACTIVE, dt.date(2019, 5, 1)),
        ("exit", E.ACTIVE, E.EXITED, dt.date(2022, 1, 1)),
    ]
    assert "据操作日志补记" in events_for(logged).first().comment
    assert "据专家记录补记" in events_for(unlogged).last().comment
    from experts.selectors import experts_admitted

    assert list(experts_admitted(user=bureau, year=2020)) == [logged]
