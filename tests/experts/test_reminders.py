"""网评 reminders and progress, staff's side (experts.reminders, experts.progress): the hourly beat task
reminds, once per member and deadline, the seated experts with an account who owe their answer or their
scores when the 网评截止时间 is near; staff remind them now from the panel page; the page counts who was
invited, accepted, signed and submitted, with a constant number of queries."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.conf import settings
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from experts import reminders, services
from experts.models import Expert, ReviewMember, ReviewPanel, ReviewSheet
from kejiju.reporting.models import Notice
from tests.experts.factories import ExpertFactory, ExpertFieldFactory, OrganizationFactory

pytestmark = pytest.mark.django_db

CRITERIA = [{"key": "c1", "label": "创新性", "max_score": 100, "weight": 1}]
_serial = itertools.count(1)
HOUR = dt.timedelta(hours=1)


def _declare(*members, now):
    """The members signed the 回避及保密声明 for every record of their panel."""
    ReviewSheet.objects.bulk_create(
        ReviewSheet(member=member, subject=subject, declared_at=now)
        for member in members
        for subject in member.panel.subjects.all()
    )


def _panel(world, *, size=2, reserves=0, deadline=None, accounts=True, title=None):
    """A panel drawn from a field of its own; every drawn expert has an account (an e-mail address)
    unless ``accounts`` is False."""
    n = next(_serial)
    field = ExpertFieldFactory(name=f"提醒领域{n}")
    for _ in range(size + reserves):
        ExpertFactory(fields=[field])
    subject = OrganizationFactory(name=f"提醒受评单位{n}")
    panel = services.review_panel_create(
        subject=subject,
        title=title or f"提醒测试{n}",
        applicant=subject,
        fields=[field],
        size=size,
        reserves=reserves,
        criteria=CRITERIA,
        user=world.users["bureau"],
        seed=f"remind{n}",
        online_deadline=deadline,
    )
    if accounts:
        from experts.services import invite_pending

        for member in panel.members.all():
            _give_account(world, member)
        invite_pending(panel)  # as the draw does for experts who have an account
    return panel


def _give_account(world, member, *, username=None):
    from tests.factories import UserFactory

    username = username or f"zj_{member.pk}"
    user = UserFactory(role="expert", username=username, email=f"{username}@x.cn")
    Expert.objects.filter(pk=member.expert_id).update(user=user)
    return user


def _members(panel):
    return list(panel.members.select_related("expert__user").order_by("position"))


def _notified(title_prefix: str) -> set[int]:
    return set(Notice.objects.filter(title__startswith=title_prefix).values_list("recipient", flat=True))


# ------------------------------------------------------------------------------------------- the beat


def test_the_beat_reminds_the_members_who_owe_their_review(world, django_capture_on_commit_callbacks):
    now = timezone.now()
    panel = _panel(world, size=4, reserves=2, deadline=now + 24 * HOUR, title="临近截止的评审")
    submitted, refused, without_account, confirmed = _members(panel)[:4]
    bureau = world.users["bureau"]
    services.review_member_confirm(member=submitted, user=bureau)
    ReviewMember.objects.filter(pk=submitted.pk).update(scores_submitted_at=now)
    _declare(submitted, now=now)
    services.review_member_confirm(member=confirmed, user=bureau)
    _declare(confirmed, now=now)
    stepped_in = services.review_member_refuse(member=refused, reason="出差", user=bureau)
    standby = panel.members.get(role=ReviewMember.Role.RESERVE, status=ReviewMember.Status.STANDBY)
    Expert.objects.filter(pk=without_account.expert_id).update(user=None)

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders.send_online_reminders(now=now) == 2
    users = {m.pk: m.expert.user for m in _members(panel)}
    assert _notified("网评即将截止：临近截止的评审") == {users[confirmed.pk].pk, users[stepped_in.pk].pk}
    assert sorted(address for message in mail.outbox for address in message.to) == sorted(
        [users[confirmed.pk].email, users[stepped_in.pk].email]
    )
    # What each still has to do, and where.
    to_submit = Notice.objects.get(recipient=users[confirmed.pk], title__startswith="网评即将截止")
    assert "提交评分" in to_submit.body and to_submit.url.endswith(f"/my/{confirmed.pk}/review/")
    to_answer = Notice.objects.get(recipient=users[stepped_in.pk], title__startswith="网评即将截止")
    assert "答复评审邀请" in to_answer.body and to_answer.url == reverse("experts:my_seats")
    reminded = set(ReviewMember.objects.filter(reminded_at=now).values_list("pk", flat=True))
    assert reminded == {confirmed.pk, stepped_in.pk}
    assert standby.pk not in reminded and submitted.pk not in reminded and refused.pk not in reminded
    step = panel.events.get(action="remind")
    assert step.actor is None and step.label == "网评截止提醒"
    deadline = f"{timezone.localtime(panel.online_deadline):%Y-%m-%d %H:%M}"
    assert step.comment == f"网评将于 {deadline} 截止，已提醒：{confirmed.expert}、{stepped_in.expert}。"
    # Once: a second run, an hour later, sends nothing more.
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders.send_online_reminders(now=now + HOUR) == 0
    assert mail.outbox == [] and panel.events.filter(action="remind").count() == 1


def _owing_member(panel):
    return panel.members.filter(role=ReviewMember.Role.REGULAR).order_by("position").first()


def test_the_beat_leaves_panels_that_are_not_due(world):
    now = timezone.now()
    far = _panel(world, deadline=now + 72 * HOUR)
    past = _panel(world, deadline=now - HOUR)
    unlimited = _panel(world, deadline=None)
    cancelled = _panel(world, deadline=now + 24 * HOUR)
    services.review_panel_cancel(panel=cancelled, reason="改期", user=world.users["bureau"])
    closed = _panel(world, size=1, deadline=now + 24 * HOUR)
    bureau = world.users["bureau"]
    (seat,) = closed.members.all()
    services.review_member_confirm(member=seat, user=bureau)
    services.review_scores_enter(member=seat, scores={"c1": 70}, user=bureau)  # 会评: never submitted online
    services.review_panel_close(panel=closed, user=bureau)
    suspended = _panel(world, size=1, deadline=now + 24 * HOUR)
    Expert.objects.filter(pk=_owing_member(suspended).expert_id).update(state=Expert.State.SUSPENDED)
    inactive = _panel(world, size=1, deadline=now + 24 * HOUR)
    account = _owing_member(inactive).expert.user
    account.is_active = False
    account.save(update_fields=["is_active"])

    assert reminders.send_online_reminders(now=now) == 0
    assert not Notice.objects.filter(title__startswith="网评即将截止").exists()
    # The same members are reminded once their deadline is near (the window is the setting's).
    assert reminders.send_online_reminders(now=far.online_deadline - 47 * HOUR) == 2
    assert set(ReviewMember.objects.exclude(reminded_at=None).values_list("panel", flat=True)) == {far.pk}
    for panel in (past, unlimited, cancelled, closed, suspended, inactive):
        assert not panel.events.filter(action="remind").exists()


def test_the_window_is_a_setting(world, settings):
    now = timezone.now()
    panel = _panel(world, size=1, deadline=now + 24 * HOUR)
    assert settings.EXPERT_REVIEW_REMINDER_HOURS == 48  # the default
    settings.EXPERT_REVIEW_REMINDER_HOURS = 12
    assert reminders.send_online_reminders(now=now) == 0
    assert reminders.send_online_reminders(now=panel.online_deadline - 11 * HOUR) == 1


def test_once_per_deadline_window_whoever_reminded(world):
    """A staff reminder before the window does not stand for the deadline reminder; one within it does;
    a deadline moved later opens a new window."""
    start = timezone.now()
    panel = _panel(world, size=1, deadline=start + 96 * HOUR)
    member = _owing_member(panel)
    reminders.panel_remind(panel=panel, user=world.users["bureau"], now=start)
    member.refresh_from_db()
    assert member.reminded_at == start
    due = panel.online_deadline - 24 * HOUR
    assert reminders.send_online_reminders(now=due) == 1
    assert reminders.send_online_reminders(now=due + HOUR) == 0

    later = _panel(world, size=1, deadline=start + 96 * HOUR)
    reminders.panel_remind(panel=later, user=world.users["bureau"], now=later.online_deadline - 30 * HOUR)
    assert reminders.send_online_reminders(now=later.online_deadline - 24 * HOUR) == 0

    ReviewPanel.objects.filter(pk=panel.pk).update(online_deadline=panel.online_deadline + 120 * HOUR)
    assert reminders.send_online_reminders(now=panel.online_deadline + 100 * HOUR) == 1
    assert Notice.objects.filter(recipient=member.expert.user, title__startswith="网评即将截止").count() == 2


def test_the_task_and_its_beat_entry(world, django_capture_on_commit_callbacks):
    from celery.schedules import crontab

    from experts.tasks import send_online_review_reminders
    from kejiju.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["experts-online-review-reminders"]
    assert entry["task"] == send_online_review_reminders.name and entry["task"] in app.tasks
    assert isinstance(entry["schedule"], crontab)
    assert (entry["schedule"].minute, entry["schedule"].hour) == ({15}, set(range(24)))  # hourly
    _panel(world, size=2, deadline=timezone.now() + 24 * HOUR)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert send_online_review_reminders.apply().get() == 2
    assert len(mail.outbox) == 2
    assert send_online_review_reminders.apply().get() == 0


# ------------------------------------------------------------------------------------ staff's reminder


def test_staff_remind_those_who_have_not_submitted(client, world, django_capture_on_commit_callbacks):
    now = timezone.now()
    panel = _panel(world, size=3, deadline=now + 120 * HOUR, title="经办人提醒")
    done, owing, offline = _members(panel)
    ReviewMember.objects.filter(pk=done.pk).update(
        status=ReviewMember.Status.CONFIRMED, scores_submitted_at=now
    )
    _declare(done, now=now)
    Expert.objects.filter(pk=offline.expert_id).update(user=None)
    client.force_login(world.users["bureau"])
    page = client.get(panel.get_absolute_url()).content.decode()
    url = reverse("experts:reviewpanel_remind", kwargs={"pk": panel.pk})
    assert f'action="{url}"' in page and "提醒未提交的专家" in page
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, follow=True)
    body = response.content.decode()
    assert f"已提醒 1 位专家：{owing.expert}" in body
    assert f"{offline.expert}未开通评审账户或不在库" in body
    assert _notified("评审提醒：经办人提醒") == {owing.expert.user.pk}
    assert [message.to for message in mail.outbox] == [[owing.expert.user.email]]
    notice = Notice.objects.get(recipient=owing.expert.user, title__startswith="评审提醒")
    assert "评审组织人员提醒您" in notice.body and "答复评审邀请" in notice.body
    step = panel.events.get(action="remind")
    assert step.actor == world.users["bureau"] and step.label == "提醒专家"
    assert step.comment == (
        f"已提醒：{owing.expert}。未开通评审账户或不在库、须另行联系：{offline.expert}。"
    )  # the expert who submitted is neither
    owing.refresh_from_db()
    assert owing.reminded_at is not None
    # The member's row shows when they were reminded.
    page = client.get(panel.get_absolute_url()).content.decode()
    assert f"最近提醒 {timezone.localtime(owing.reminded_at):%Y-%m-%d %H:%M}" in page


def test_staff_reminder_refused_with_the_reason(client, world):
    now = timezone.now()
    client.force_login(world.users["bureau"])

    def remind(panel):
        return client.post(reverse("experts:reviewpanel_remind", kwargs={"pk": panel.pk}), follow=True)

    nobody = _panel(world, size=1)
    ReviewMember.objects.filter(panel=nobody).update(scores_submitted_at=now)
    assert "没有需要提醒的专家" in remind(nobody).content.decode()
    offline = _panel(world, size=1, accounts=False)
    assert "没有可在线提醒的专家" in remind(offline).content.decode()
    past = _panel(world, size=1, deadline=now - HOUR)
    assert "网评已于" in remind(past).content.decode()
    cancelled = _panel(world, size=1)
    services.review_panel_cancel(panel=cancelled, reason="改期", user=world.users["bureau"])
    assert "不能提醒专家" in remind(cancelled).content.decode()
    assert "提醒未提交的专家" not in client.get(cancelled.get_absolute_url()).content.decode()
    assert not Notice.objects.filter(title__startswith="评审提醒").exists()
    assert not ReviewMember.objects.exclude(reminded_at=None).exists()
    # Leadership reads the panel but does not remind.
    open_panel = _panel(world, size=1)
    client.force_login(world.users["leader"])
    assert "提醒未提交的专家" not in client.get(open_panel.get_absolute_url()).content.decode()
    assert remind(open_panel).status_code == 403
    assert not Notice.objects.filter(title__startswith="评审提醒").exists()


# ---------------------------------------------------------------------------------- the panel page


def test_the_panel_page_counts_the_online_progress(client, world):
    now = timezone.now()
    panel = _panel(world, size=4, reserves=1, deadline=now + 100 * HOUR)
    first, second, third, fourth = _members(panel)[:4]
    bureau = world.users["bureau"]
    for member in (first, second, third):
        services.review_member_confirm(member=member, user=bureau)
    _declare(first, second, now=now)
    ReviewMember.objects.filter(pk=first.pk).update(scores_submitted_at=now)
    Expert.objects.filter(pk=fourth.expert_id).update(user=None)
    client.force_login(bureau)
    page = client.get(panel.get_absolute_url()).content.decode()
    counts = page.split('data-testid="online-progress-counts"')[1].split("评审专家与评分")[0]
    for label, count in (("已邀请", 4), ("已接受", 3), ("已签声明", 2), ("已提交网评", 1)):
        assert (
            f'{label}</span> <strong>{count}</strong><span class="text-secondary small"> / 4 正式专家'
            in counts
        )
    assert "有 1 位未开通评审账户" in counts
    assert f"网评截止时间</th><td>{timezone.localtime(panel.online_deadline):%Y-%m-%d %H:%M}" in page
    first.refresh_from_db()
    assert f"已提交网评 {timezone.localtime(first.scores_submitted_at):%Y-%m-%d %H:%M}" in page
    assert f"已邀请 {timezone.localtime(first.invited_at):%Y-%m-%d %H:%M}" in page
    # A refusal leaves the counts with its seat (the reserve stepping in is invited in turn).
    services.review_member_refuse(member=third, reason="出差", user=bureau)
    page = client.get(panel.get_absolute_url()).content.decode()
    counts = page.split('data-testid="online-progress-counts"')[1].split("评审专家与评分")[0]
    assert "已接受</span> <strong>2</strong>" in counts and "已邀请</span> <strong>4</strong>" in counts


def test_the_panel_page_queries_do_not_grow_with_the_members(client, world):
    now = timezone.now()
    client.force_login(world.users["bureau"])
    counts = []
    for size in (2, 6):
        panel = _panel(world, size=size, reserves=1, deadline=now + 100 * HOUR)
        members = _members(panel)
        ReviewMember.objects.filter(pk__in=[m.pk for m in members[:size]]).update(
            status=ReviewMember.Status.CONFIRMED, reminded_at=now
        )
        _declare(*members[:size], now=now)
        ReviewMember.objects.filter(pk=members[0].pk).update(scores_submitted_at=now)
        Expert.objects.filter(pk=members[1].expert_id).update(user=None)
        url = panel.get_absolute_url()
        client.get(url)  # warm the per-process caches
        with CaptureQueriesContext(connection) as queries:
            page = client.get(url)
        assert page.status_code == 200 and "网评进度" in page.content.decode()
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
