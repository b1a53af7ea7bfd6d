"""Online review, the expert's side: the bureau opens a 评审专家 account from a library entry (never the
system admin, never self-registration); drawn experts with an account are invited once (notice and e-mail);
the expert accepts, or declines with a reason and the reserve steps in — and sees nobody else's seats."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from experts import seats, services
from experts.models import Expert, ReviewMember, ReviewPanel, ReviewScore
from kejiju.accounts.forms import UserCreateForm
from kejiju.accounts.roles import Role
from kejiju.reporting.models import Notice
from tests.experts.factories import ExpertFactory, ExpertFieldFactory, OrganizationFactory
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db

PASSWORD = TEST_PASSWORD + "x"


def _open(world, expert, username):
    return seats.expert_account_open(
        actor=world.users["bureau"],
        expert=expert,
        username=username,
        password=PASSWORD,
        email=f"{username}@x.cn",
    )


@pytest.fixture
def library(world, django_capture_on_commit_callbacks):
    """Four experts of one field, the first two with accounts."""
    field = ExpertFieldFactory(name="新能源")
    experts = [ExpertFactory(fields=[field]) for _ in range(4)]
    accounts = [_open(world, expert, f"zj{index}") for index, expert in enumerate(experts[:2])]
    return field, experts, accounts


def _panel(world, field, *, size=2, reserves=2, seed="s1"):
    subject = OrganizationFactory(name=f"受评单位{seed}")
    return services.review_panel_create(
        subject=subject,
        title=f"网评测试{seed}",
        applicant=subject,
        fields=[field],
        size=size,
        reserves=reserves,
        criteria=[{"key": "c1", "label": "创新性", "max_score": 100, "weight": 1}],
        user=world.users["bureau"],
        seed=seed,
    )


def test_the_bureau_opens_an_account_from_the_library_entry(world, library):
    _field, experts, accounts = library
    user = accounts[0]
    assert (user.role, user.display_name, user.must_change_password) == (Role.EXPERT, experts[0].name, True)
    assert Expert.objects.get(pk=experts[0].pk).user == user
    with pytest.raises(ValidationError) as refused:
        _open(world, experts[0], "again")
    assert "已有评审账户" in refused.value.message_dict["username"][0]
    paused = ExpertFactory(state=Expert.State.SUSPENDED)
    with pytest.raises(ValidationError, match="只能为在库专家"):
        _open(world, paused, "paused")
    with pytest.raises(PermissionDenied):
        seats.expert_account_open(
            actor=world.users["county"], expert=experts[2], username="c", password=PASSWORD
        )


def test_the_system_admin_cannot_make_expert_accounts():
    roles = dict(UserCreateForm().fields["role"].choices)
    assert Role.EXPERT not in roles and Role.BUREAU in roles


def test_drawn_experts_with_an_account_are_invited_once(world, library, django_capture_on_commit_callbacks):
    field, _experts, accounts = library
    with django_capture_on_commit_callbacks(execute=True):
        panel = _panel(world, field, size=4, reserves=0)
    invited = panel.members.filter(invited_at__isnull=False)
    assert {member.expert.user for member in invited} == set(accounts)
    assert set(Notice.objects.filter(title__startswith="评审邀请").values_list("recipient", flat=True)) == {
        user.pk for user in accounts
    }
    assert {address for message in mail.outbox for address in message.to} >= {"zj0@x.cn", "zj1@x.cn"}
    assert services.invite_pending(panel) == 0  # once


def _seat_of(panel, user):
    return panel.members.get(expert__user=user)


def test_the_expert_accepts_and_declines_their_own_seats_only(client, world, library):
    field, _experts, accounts = library
    panel = _panel(world, field, size=4, reserves=0)
    mine, theirs = _seat_of(panel, accounts[0]), _seat_of(panel, accounts[1])
    accounts[0].must_change_password = False  # changed at the first login
    accounts[0].save(update_fields=["must_change_password"])
    client.force_login(accounts[0])
    page = client.get(reverse("experts:my_seats")).content.decode()
    assert panel.title in page and page.count('data-testid="seat-row"') == 1
    assert client.post(reverse("experts:my_seat_accept", kwargs={"pk": theirs.pk})).status_code == 404
    assert client.get(reverse("experts:my_seat_decline", kwargs={"pk": theirs.pk})).status_code == 404
    with pytest.raises(PermissionDenied):
        seats.seat_accept(user=accounts[0], member=theirs)
    assert client.post(reverse("experts:my_seat_accept", kwargs={"pk": mine.pk})).status_code == 302
    mine.refresh_from_db()
    assert mine.status == ReviewMember.Status.CONFIRMED
    assert panel.events.filter(action="confirm", actor=accounts[0]).exists()
    with pytest.raises(ValidationError, match="无需再答复"):
        seats.seat_accept(user=accounts[0], member=mine)


def test_declining_names_the_reason_and_the_reserve_steps_in_invited(world, library):
    field, _experts, accounts = library
    panel = _panel(world, field, size=1, reserves=3, seed="s2")
    regular = panel.members.get(role=ReviewMember.Role.REGULAR)
    reserve_with_account = panel.members.filter(role=ReviewMember.Role.RESERVE).order_by("position").first()
    # The accounts go to the drawn regular and to the first reserve (not yet invited: reserves are not).
    Expert.objects.update(user=None)
    Expert.objects.filter(pk=regular.expert_id).update(user=accounts[0])
    Expert.objects.filter(pk=reserve_with_account.expert_id).update(user=accounts[1])
    with pytest.raises(ValidationError):
        seats.seat_decline(user=accounts[0], member=regular, reason=" ")
    replacement = seats.seat_decline(user=accounts[0], member=regular, reason="时间冲突")
    regular.refresh_from_db()
    assert (regular.status, regular.refusal_reason) == (ReviewMember.Status.REFUSED, "时间冲突")
    assert replacement.pk == reserve_with_account.pk
    replacement.refresh_from_db()
    assert replacement.invited_at is not None and replacement.status == ReviewMember.Status.PENDING


def test_an_expert_out_of_the_library_cannot_answer(world, library):
    field, _experts, accounts = library
    panel = _panel(world, field, size=4, reserves=0)
    Expert.objects.filter(user=accounts[0]).update(state=Expert.State.SUSPENDED)
    with pytest.raises(ValidationError, match="不能参加评审"):
        seats.seat_accept(user=accounts[0], member=_seat_of(panel, accounts[0]))


def test_an_expert_under_a_ban_cannot_accept(world, library):
    from tests.integrity.factories import make_person_record

    field, _experts, accounts = library
    panel = _panel(world, field, size=4, reserves=0)
    expert = Expert.objects.get(user=accounts[0])
    make_person_record(user=world.users["bureau"], id_number=expert.reveal_id_number(), name=expert.name)
    with pytest.raises(ValidationError, match="科研诚信失信惩戒期内"):
        seats.seat_accept(user=accounts[0], member=_seat_of(panel, accounts[0]))


def test_other_roles_see_no_seats(client, world, library):
    from experts.selectors import my_seats

    field, _experts, _accounts = library
    _panel(world, field, size=4, reserves=0)
    for role in ("bureau", "county", "applicant"):
        assert not my_seats(user=world.users[role]).exists()


# ------------------------------------------------------------------------------------------------ 网评


def _confirmed_seat(world, library, **panel_kwargs):
    field, _experts, accounts = library
    panel = _panel(world, field, size=4, reserves=0, **panel_kwargs)
    seat = _seat_of(panel, accounts[0])
    seats.seat_accept(user=accounts[0], member=seat)
    for other in panel.members.filter(status=ReviewMember.Status.PENDING):  # staff register the others
        services.review_member_confirm(member=other, user=world.users["bureau"])
    return panel, seat, accounts


def _scores(seat):
    return [str(s.score) for s in ReviewScore.objects.filter(sheet__member=seat)]


def test_the_declaration_comes_before_the_material_and_scores(client, world, library):
    panel, seat, accounts = _confirmed_seat(world, library)
    subject = panel.subjects.get()
    accounts[0].must_change_password = False
    accounts[0].save(update_fields=["must_change_password"])
    client.force_login(accounts[0])
    overview = reverse("experts:my_seat_review", kwargs={"pk": seat.pk})
    url = reverse("experts:my_seat_subject", kwargs={"pk": seat.pk, "subject_pk": subject.pk})
    assert "未签署" in client.get(overview).content.decode()
    page = client.get(url).content.decode()
    assert 'data-testid="declaration"' in page and 'data-testid="subject-scores"' not in page
    with pytest.raises(ValidationError, match="回避及保密声明"):
        seats.seat_scores_save(user=accounts[0], member=seat, subject=subject, scores={"c1": 80})
    assert client.post(url, {"conflict": "0"}).status_code == 302
    page = client.get(url).content.decode()
    assert 'data-testid="subject-scores"' in page
    # The whole panel seated, the scores go in through the page; a bad one is named on the form.
    for other in panel.members.filter(status=ReviewMember.Status.PENDING):
        services.review_member_confirm(member=other, user=world.users["bureau"])
    refused = client.post(url, {"c_c1": "120", "comment": "", "save": ""})
    assert refused.status_code == 200 and "120" in refused.content.decode()
    assert client.post(url, {"c_c1": "75", "comment": "好", "save": ""}).status_code == 302
    assert client.post(overview, {"submit": ""}).status_code == 302
    seat.refresh_from_db()
    assert seat.scores_submitted_at is not None and _scores(seat) == ["75.00"]
    # Another expert's seat, and a subject of another panel, are not theirs to review.
    other = _seat_of(panel, accounts[1])
    assert client.get(reverse("experts:my_seat_review", kwargs={"pk": other.pk})).status_code == 404
    mine_elsewhere = reverse("experts:my_seat_subject", kwargs={"pk": other.pk, "subject_pk": subject.pk})
    assert client.get(mine_elsewhere).status_code == 404
    stranger = _panel(world, library[0], size=1, reserves=0, seed="elsewhere").subjects.get()
    foreign = reverse("experts:my_seat_subject", kwargs={"pk": seat.pk, "subject_pk": stranger.pk})
    assert client.get(foreign).status_code == 404


def test_a_declared_conflict_removes_the_expert_with_the_reason(world, library):
    field, _experts, accounts = library
    panel = _panel(world, field, size=2, reserves=2, seed="s3")
    subject = panel.subjects.get()
    regular = panel.members.filter(role=ReviewMember.Role.REGULAR).order_by("position").first()
    Expert.objects.update(user=None)
    Expert.objects.filter(pk=regular.expert_id).update(user=accounts[0])
    seats.seat_accept(user=accounts[0], member=regular)
    for other in panel.members.filter(status=ReviewMember.Status.PENDING):
        services.review_member_confirm(member=other, user=world.users["bureau"])
    panel.refresh_from_db()
    assert panel.state == ReviewPanel.State.CONFIRMED  # a seat left now reopens the draw
    with pytest.raises(ValidationError) as refused:
        seats.seat_declare(user=accounts[0], member=regular, subject=subject, conflict=True, reason="")
    assert "reason" in refused.value.message_dict
    sheet = seats.seat_declare(
        user=accounts[0], member=regular, subject=subject, conflict=True, reason="曾在申报单位任职"
    )
    assert sheet.recused and sheet.conflict_reason == "曾在申报单位任职"
    regular.refresh_from_db()
    assert (
        regular.status == ReviewMember.Status.REFUSED
        and "申明回避：曾在申报单位任职" in regular.refusal_reason
    )
    replacement = panel.members.get(replaces=regular)
    assert replacement.role == ReviewMember.Role.REGULAR
    panel.refresh_from_db()
    assert panel.state == ReviewPanel.State.DRAWING
    assert panel.events.filter(action="refuse_online", actor=accounts[0]).exists()


def test_scores_are_saved_changed_and_submitted_once_before_the_deadline(world, library):
    import datetime as dt

    from django.utils import timezone

    panel, seat, accounts = _confirmed_seat(world, library)
    subject = panel.subjects.get()
    seats.seat_declare(user=accounts[0], member=seat, subject=subject, conflict=False)
    with pytest.raises(ValidationError, match="尚未签署声明或评分不完整"):
        seats.seat_submit(user=accounts[0], member=seat)
    with pytest.raises(ValidationError, match="之间"):
        seats.seat_scores_save(user=accounts[0], member=seat, subject=subject, scores={"c1": 101})
    seats.seat_scores_save(user=accounts[0], member=seat, subject=subject, scores={"c1": 70}, comment="可行")
    seats.seat_scores_save(
        user=accounts[0], member=seat, subject=subject, scores={"c1": "82.5"}, comment="创新性强"
    )
    seat.refresh_from_db()
    assert _scores(seat) == ["82.50"] and seat.scores_submitted_at is None
    assert seat.sheets.get().comment == "创新性强"
    seats.seat_submit(user=accounts[0], member=seat)
    seat.refresh_from_db()
    assert seat.scores_submitted_at is not None
    panel.refresh_from_db()
    assert panel.state == ReviewPanel.State.SCORING  # opened by the expert's own first save
    assert panel.events.filter(action="score_online", actor=accounts[0]).exists()
    assert panel.events.filter(action="submit_scores", actor=accounts[0]).exists()
    with pytest.raises(ValidationError, match="已提交"):
        seats.seat_scores_save(user=accounts[0], member=seat, subject=subject, scores={"c1": 90})
    with pytest.raises(ValidationError, match="已提交"):
        seats.seat_submit(user=accounts[0], member=seat)
    # A panel past its deadline takes no more online scores.
    other = _seat_of(panel, accounts[1])
    seats.seat_declare(user=accounts[1], member=other, subject=subject, conflict=False)
    panel.online_deadline = timezone.now() - dt.timedelta(minutes=1)
    panel.save(update_fields=["online_deadline"])
    with pytest.raises(ValidationError, match="截止"):
        seats.seat_scores_save(user=accounts[1], member=other, subject=subject, scores={"c1": 60})


def test_scoring_waits_for_the_whole_panel(world, library):
    field, _experts, accounts = library
    panel = _panel(world, field, size=4, reserves=0, seed="s4")
    subject = panel.subjects.get()
    seat = _seat_of(panel, accounts[0])
    seats.seat_accept(user=accounts[0], member=seat)
    seats.seat_declare(user=accounts[0], member=seat, subject=subject, conflict=False)
    seat.refresh_from_db()
    assert "全部正式专家确认参加后方可评分" in seats.review_problem(seat)
    with pytest.raises(ValidationError, match="方可评分"):
        seats.seat_scores_save(user=accounts[0], member=seat, subject=subject, scores={"c1": 60})


def test_the_last_acceptance_seats_the_panel(world, library):
    """The expert whose answer completes the panel moves it to 已确认, under their own permission."""
    field, _experts, accounts = library
    panel = _panel(world, field, size=4, reserves=0, seed="s5")
    for other in panel.members.filter(status=ReviewMember.Status.PENDING).exclude(expert__user=accounts[0]):
        services.review_member_confirm(member=other, user=world.users["bureau"])
    seats.seat_accept(user=accounts[0], member=_seat_of(panel, accounts[0]))
    panel.refresh_from_db()
    assert panel.state == ReviewPanel.State.CONFIRMED
    assert panel.events.filter(action="seat_online", actor=accounts[0]).exists()
