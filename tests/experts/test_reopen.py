"""Freeze semantics of 网评 (experts.reopen, the edge "reopen_scores" of experts.workflow): staff reopen one
expert's submitted scores with a reason while the panel is 评分中 (the reason on the timeline, the expert
told); experts never see another expert's scores — on their pages, nor through the panel's transition
page — and once the panel is 已完成 they see its frozen result, still not the others' scores."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from experts import seats, services
from experts.models import Expert, ReviewMember, ReviewPanel, ReviewScore
from kejiju.reporting.models import Notice
from tests.experts.factories import ExpertFactory, ExpertFieldFactory, OrganizationFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

CRITERIA = [{"key": "c1", "label": "创新性", "max_score": 100, "weight": 1}]
_serial = itertools.count(1)
# Scores no page may show to anyone but their own expert (and staff).
MINE, THEIRS = "61.37", "88.19"
RESULT = "74.78"  # their mean


def _online_panel(world, *, deadline=None, reserves=0):
    """A panel of two seated experts with accounts (their own logins), both declared: 网评 is open."""
    n = next(_serial)
    field = ExpertFieldFactory(name=f"退回领域{n}")
    for _ in range(2 + reserves):
        ExpertFactory(fields=[field])
    subject = OrganizationFactory(name=f"退回受评单位{n}")
    panel = services.review_panel_create(
        subject=subject,
        title=f"网评冻结测试{n}",
        applicant=subject,
        fields=[field],
        size=2,
        reserves=reserves,
        criteria=CRITERIA,
        user=world.users["bureau"],
        seed=f"reopen{n}",
        online_deadline=deadline,
    )
    regular = list(panel.members.filter(role=ReviewMember.Role.REGULAR).order_by("position"))
    accounts = []
    for member in regular:
        user = UserFactory(
            role="expert", username=f"reopen{n}_{member.position}", email=f"r{n}{member.pk}@x.cn"
        )
        Expert.objects.filter(pk=member.expert_id).update(user=user)
        accounts.append(user)
    for member, user in zip(regular, accounts, strict=True):
        seats.seat_accept(user=user, member=member)
        seats.seat_declare(user=user, member=member, subject=panel.subjects.get(), conflict=False)
    return panel, regular, accounts


def _save(user, member, score):
    seats.seat_scores_save(
        user=user, member=member, subject=member.panel.subjects.get(), scores={"c1": score}, comment="意见"
    )


def _submit(user, member, score):
    _save(user, member, score)
    seats.seat_submit(user=user, member=member)


def _reopen_url(member):
    return reverse("experts:reviewmember_reopen", kwargs={"pk": member.panel_id, "member_pk": member.pk})


def test_staff_reopen_a_submitted_score_with_the_reason(client, world, django_capture_on_commit_callbacks):
    panel, (mine, theirs), (me, _them) = _online_panel(world, deadline=timezone.now() + dt.timedelta(days=3))
    _submit(me, mine, MINE)
    bureau = world.users["bureau"]
    client.force_login(bureau)
    page = client.get(panel.get_absolute_url()).content.decode()
    assert f'href="{_reopen_url(mine)}"' in page  # linked from the member row …
    assert f'href="{_reopen_url(theirs)}"' not in page  # … of a member who submitted only
    assert client.get(_reopen_url(mine)).status_code == 200
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_reopen_url(mine), {"comment": "漏评指标“团队基础”"})
    assert response.status_code == 302
    mine.refresh_from_db()
    assert mine.scores_submitted_at is None
    assert [s.score for s in ReviewScore.objects.filter(sheet__member=mine)] == [Decimal(MINE)]  # kept
    panel.refresh_from_db()
    assert panel.state == ReviewPanel.State.SCORING
    event = panel.events.order_by("-pk").first()
    assert (event.action, event.label, event.actor, event.comment) == (
        "reopen_scores",
        "退回网评评分",
        bureau,
        "漏评指标“团队基础”",
    )
    assert event.data == {"member": str(mine.expert)}
    assert ("退回评分的专家", str(mine.expert)) in event.data_display
    notice = Notice.objects.get(recipient=me, title__startswith="网评评分已退回")
    assert "漏评指标“团队基础”" in notice.body and notice.url.endswith(f"/my/{mine.pk}/review/")
    assert [message.to for message in mail.outbox] == [[me.email]]
    # The expert changes and submits again.
    _submit(me, mine, 70)
    mine.refresh_from_db()
    assert mine.scores_submitted_at is not None


def test_reopen_refused_with_the_reason_nothing_changed(client, world):
    panel, (mine, theirs), (me, them) = _online_panel(world)
    _submit(me, mine, MINE)
    client.force_login(world.users["bureau"])

    def refused(member, data):
        response = client.post(_reopen_url(member), data)
        assert response.status_code == 200
        member.refresh_from_db()
        return " ".join(str(e) for errors in response.context["form"].errors.values() for e in errors)

    assert "请填写退回原因" in refused(mine, {"comment": "  "})
    assert mine.scores_submitted_at is not None
    assert "尚未提交网评评分，无需退回" in refused(theirs, {"comment": "复核"})
    _submit(them, theirs, THEIRS)
    ReviewPanel.objects.filter(pk=panel.pk).update(online_deadline=timezone.now() - dt.timedelta(minutes=1))
    assert "截止：退回后专家不能重新提交" in refused(mine, {"comment": "复核"})
    ReviewPanel.objects.filter(pk=panel.pk).update(online_deadline=None)
    services.review_panel_close(panel=panel, user=world.users["bureau"])
    assert "不能执行“退回网评评分”" in refused(mine, {"comment": "复核"})
    theirs.refresh_from_db()
    assert mine.scores_submitted_at is not None and theirs.scores_submitted_at is not None
    assert not panel.events.filter(action="reopen_scores").exists()
    assert not Notice.objects.filter(title__startswith="网评评分已退回").exists()
    page = client.get(panel.get_absolute_url()).content.decode()
    assert _reopen_url(mine) not in page  # closed: no link
    # Neither leadership nor the expert themselves may reopen.
    for role in ("leader", "expert"):
        client.force_login(world.users[role])
        assert client.post(_reopen_url(mine), {"comment": "复核"}).status_code == 403
    client.force_login(me)
    assert client.get(_reopen_url(mine)).status_code == 403


def _pages(client, member):
    my_seats = client.get(reverse("experts:my_seats")).content.decode()
    review = client.get(reverse("experts:my_seat_review", kwargs={"pk": member.pk})).content.decode()
    return my_seats, review


def test_experts_never_see_each_others_scores(client, world):
    panel, (mine, theirs), (me, them) = _online_panel(world)
    _save(me, mine, MINE)
    _submit(them, theirs, THEIRS)
    client.force_login(me)
    my_seats, review = _pages(client, mine)
    assert MINE in review  # their own saved score
    assert THEIRS not in my_seats + review and RESULT not in my_seats + review
    # The panel's transition page is open to a seated expert (refused there with the reason); the
    # provisional result it shows staff before closing is not shown to them.
    transition = reverse("experts:reviewpanel_transition", kwargs={"pk": panel.pk})
    page = client.get(f"{transition}?action=close")
    assert page.status_code == 200
    assert RESULT not in page.content.decode() and THEIRS not in page.content.decode()
    client.force_login(world.users["bureau"])
    assert RESULT in client.get(f"{transition}?action=close").content.decode()  # staff's preview
    # Closed: the frozen result, not the other's score.
    _submit(me, mine, MINE)
    services.review_panel_close(panel=panel, user=world.users["bureau"])
    client.force_login(me)
    my_seats, review = _pages(client, mine)
    assert f"评审得分 <strong>{RESULT}</strong>（已冻结）" in my_seats
    assert f'href="{reverse("experts:my_seat_review", kwargs={"pk": mine.pk})}"' in my_seats
    assert f"<strong>{RESULT}</strong>（已冻结）" in review and MINE in review
    assert "评审已完成，评审得分已冻结" in review
    assert THEIRS not in my_seats + review


def test_the_result_is_shown_only_to_the_experts_who_sat(client, world):
    """A member who left the panel (a declared conflict) or a reserve never called sees no result."""
    panel, (mine, theirs), (me, them) = _online_panel(world, reserves=2)
    bureau = world.users["bureau"]
    services.review_member_refuse(member=mine, reason="出差", user=bureau)
    stepped_in = panel.members.get(replaces=mine)
    standby = panel.members.get(role=ReviewMember.Role.RESERVE, status=ReviewMember.Status.STANDBY)
    reserve_user = UserFactory(role="expert", username="standby_reserve")
    Expert.objects.filter(pk=standby.expert_id).update(user=reserve_user)
    services.review_member_confirm(member=stepped_in, user=bureau)
    for member, score in ((stepped_in, 70), (theirs, 80)):
        services.review_scores_enter(member=member, scores={"c1": score}, user=bureau)
    services.review_panel_close(panel=panel, user=bureau)
    client.force_login(them)
    assert "评审得分 <strong>75.00</strong>" in client.get(reverse("experts:my_seats")).content.decode()
    for user in (me, reserve_user):
        client.force_login(user)
        page = client.get(reverse("experts:my_seats")).content.decode()
        assert panel.title in page and "75.00" not in page and 'data-testid="seat-result"' not in page


@pytest.mark.parametrize("reason", ["漏评指标“团队基础”。", "漏评指标“团队基础”"])
def test_the_notice_of_a_reopened_score_ends_its_reason_once(
    world, reason, django_capture_on_commit_callbacks
):
    from experts.reopen import online_scores_reopen

    _panel, (mine, _theirs), (me, _them) = _online_panel(
        world, deadline=timezone.now() + dt.timedelta(days=3)
    )
    _submit(me, mine, MINE)
    with django_capture_on_commit_callbacks(execute=True):
        online_scores_reopen(member=mine, user=world.users["bureau"], reason=reason)
    body = Notice.objects.get(recipient=me, title__startswith="网评评分已退回").body
    assert "原因：漏评指标“团队基础”。请在" in body and "。。" not in body
