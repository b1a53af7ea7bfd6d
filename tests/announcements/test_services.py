"""The writes of 通知公告: drafts and their rules, publish and withdraw through the workflow engine, the read
row."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from kejiju.announcements import rules, services
from kejiju.announcements.models import Announcement, AnnouncementAttachment, AnnouncementRead
from kejiju.core.models import WorkflowEvent
from kejiju.core.workflow import TransitionRefused
from kejiju.core.workflow.services import apply_transition
from tests.announcements.factories import make_announcement, pdf

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _stored_files(root) -> list:
    return [path for path in root.rglob("*") if path.is_file()]


def test_a_draft_is_the_bureau_s_with_its_author_and_first_event(world):
    bureau = world.users["bureau"]
    draft = make_announcement(
        author=bureau, state="draft", audience="counties", regions=[world.county_a], attachment=pdf()
    )
    assert draft.state == "draft" and draft.author == bureau and draft.publish_at is None
    assert list(draft.regions.all()) == [world.county_a]
    assert draft.attachments.get().original_name == "通知附件.pdf"
    assert (
        WorkflowEvent.objects.filter(object_id=draft.pk, workflow="announcements.announcement").count() == 1
    )


@pytest.mark.parametrize("role", ["leader", "county", "unit_admin", "sysadmin"])
def test_only_bureau_staff_draft(world, role):
    with pytest.raises(PermissionDenied):
        make_announcement(author=world.users[role], state="draft")
    assert not Announcement.objects.exists()


def test_counties_must_be_named_for_the_counties_audience(world):
    with pytest.raises(ValidationError) as caught:
        make_announcement(author=world.users["bureau"], state="draft", audience="counties")
    assert "至少选择一个县区" in caught.value.message_dict["regions"][0]
    assert not Announcement.objects.exists()


def test_the_expiry_follows_the_publish_time(world):
    now = timezone.now()
    with pytest.raises(ValidationError) as caught:
        make_announcement(
            author=world.users["bureau"],
            state="draft",
            publish_at=now + dt.timedelta(days=2),
            expires_at=now + dt.timedelta(days=1),
        )
    assert "有效期至" in caught.value.message_dict["expires_at"][0]


def test_all_users_names_no_county(world):
    announcement = make_announcement(author=world.users["bureau"], state="draft", regions=[world.county_a])
    assert not announcement.regions.exists()


def test_a_refused_attachment_saves_nothing(world, tmp_path):
    fake = SimpleUploadedFile("指南.pdf", b"MZ\x90\x00 not a pdf", "application/pdf")
    with pytest.raises(ValidationError) as caught:
        make_announcement(author=world.users["bureau"], state="draft", attachment=fake)
    assert "附件" in caught.value.message_dict["attachment"][0]
    assert not Announcement.objects.exists() and not AnnouncementAttachment.objects.exists()
    assert _stored_files(tmp_path) == []


def test_the_attachment_is_stored_under_a_generated_name(world, tmp_path):
    announcement = make_announcement(
        author=world.users["bureau"], attachment=pdf("../../etc/关于申报的通知.pdf")
    )
    attachment = announcement.attachments.get()
    assert attachment.original_name == "关于申报的通知.pdf"
    assert attachment.file.name.startswith("announcements/") and "通知" not in attachment.file.name


def _update(user, announcement, **changes):
    values = {
        "title": announcement.title,
        "body": announcement.body,
        "audience": announcement.audience,
        "regions": list(announcement.regions.all()),
        "publish_at": announcement.publish_at,
        "expires_at": announcement.expires_at,
        "pinned": announcement.pinned,
    }
    values.update(changes)
    return services.announcement_update(user=user, announcement=announcement, **values)


def test_a_draft_is_edited_a_published_one_is_not(world):
    bureau = world.users["bureau"]
    draft = make_announcement(author=bureau, state="draft")
    _update(bureau, draft, title="改后的标题", pinned=True)
    draft.refresh_from_db()
    assert draft.title == "改后的标题" and draft.pinned
    apply_transition(record=draft, action="publish", actor=bureau)
    with pytest.raises(ValidationError, match="只有草稿可以修改"):
        _update(bureau, draft, title="发布后再改")
    draft.refresh_from_db()
    assert draft.title == "改后的标题"


def test_attachments_of_a_published_one_stay(world):
    bureau = world.users["bureau"]
    announcement = make_announcement(author=bureau, attachment=pdf())
    with pytest.raises(ValidationError, match="只有草稿可以修改"):
        services.attachment_delete(user=bureau, attachment=announcement.attachments.get())
    assert announcement.attachments.count() == 1


def test_publish_sets_the_publish_time_when_blank_and_keeps_a_future_one(world):
    bureau = world.users["bureau"]
    now = timezone.now()
    blank = make_announcement(author=bureau)
    assert blank.state == "published" and now <= blank.publish_at <= timezone.now()
    later = now + dt.timedelta(days=3)
    future = make_announcement(author=bureau, publish_at=later)
    assert future.publish_at == later


def test_publish_is_refused_once_the_expiry_has_passed(world):
    bureau = world.users["bureau"]
    now = timezone.now()
    draft = make_announcement(author=bureau, state="draft", expires_at=now + dt.timedelta(days=1))
    Announcement.objects.filter(pk=draft.pk).update(expires_at=now - dt.timedelta(hours=1))
    draft.refresh_from_db()
    with pytest.raises(TransitionRefused, match="有效期至已过"):
        apply_transition(record=draft, action="publish", actor=bureau)
    draft.refresh_from_db()
    assert draft.state == "draft"


def test_publish_rule():
    now = timezone.now()
    ok = {
        "body": "正文",
        "audience": "all",
        "region_count": 0,
        "publish_at": None,
        "expires_at": None,
        "now": now,
    }
    assert rules.publish_problem(**ok) is None
    assert rules.publish_problem(**{**ok, "body": "  "}) == "正文为空，不能发布。"
    assert "县区" in rules.publish_problem(**{**ok, "audience": "counties"})
    assert rules.publish_problem(**{**ok, "audience": "units"}) is None
    late = {"publish_at": now + dt.timedelta(days=2), "expires_at": now + dt.timedelta(days=1)}
    assert "有效期至" in rules.publish_problem(**{**ok, **late})
    assert rules.edit_problem(state="draft") is None
    assert "已发布" in rules.edit_problem(state="published")


def test_leadership_reads_but_does_not_publish(world):
    draft = make_announcement(author=world.users["bureau"], state="draft")
    with pytest.raises(TransitionRefused):
        apply_transition(record=draft, action="publish", actor=world.users["leader"])


def test_withdraw_needs_a_reason_and_keeps_it(world):
    bureau = world.users["bureau"]
    announcement = make_announcement(author=bureau)
    with pytest.raises(TransitionRefused):
        apply_transition(record=announcement, action="withdraw", actor=bureau, comment=" ")
    apply_transition(record=announcement, action="withdraw", actor=bureau, comment="时间调整")
    announcement.refresh_from_db()
    assert announcement.state == "withdrawn" and announcement.withdraw_reason == "时间调整"
    with pytest.raises(TransitionRefused):  # a withdrawn one is not published again
        apply_transition(record=announcement, action="publish", actor=bureau)


def test_a_reader_s_first_opening_is_recorded_once(world):
    county = world.users["county"]
    announcement = make_announcement(author=world.users["bureau"])
    first = timezone.now()
    assert services.mark_read(user=county, announcement=announcement, now=first) is True
    assert services.mark_read(user=county, announcement=announcement) is False
    read = AnnouncementRead.objects.get()
    assert read.user == county and read.read_at == first


def test_a_draft_or_withdrawn_one_is_not_marked_read(world):
    bureau = world.users["bureau"]
    for state in ("draft", "withdrawn"):
        announcement = make_announcement(author=bureau, state=state, title=state)
        assert services.mark_read(user=bureau, announcement=announcement) is False
    assert not AnnouncementRead.objects.exists()
