"""The pages of 通知公告: the bureau's form and list, a reader's list and detail (read state), the home page,
the attachment behind the audience, withdrawing through the transition form."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kejiju.announcements.models import Announcement, AnnouncementRead
from kejiju.core.models import AuditEvent
from tests.announcements.factories import make_announcement, pdf

pytestmark = pytest.mark.django_db

LIST = reverse("announcements:announcement_list")
MANAGE = reverse("announcements:announcement_manage")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_the_bureau_drafts_through_the_form(client, world):
    client.force_login(world.users["bureau"])
    response = client.post(
        reverse("announcements:announcement_add"),
        {
            "title": "关于申报的通知",
            "body": "正文",
            "audience": "counties",
            "regions": [world.county_a.pk],
            "pinned": "on",
            "attachment": pdf(),
        },
    )
    announcement = Announcement.objects.get()
    assert response.status_code == 302 and response["Location"] == announcement.get_absolute_url()
    assert announcement.state == "draft" and announcement.pinned and announcement.attachments.count() == 1


def test_a_form_error_names_the_field_in_chinese(client, world):
    client.force_login(world.users["bureau"])
    response = client.post(
        reverse("announcements:announcement_add"), {"title": "无县区", "body": "正文", "audience": "counties"}
    )
    assert response.status_code == 200
    assert "至少选择一个县区" in " ".join(response.context["form"].errors["regions"])
    assert not Announcement.objects.exists()


def test_a_published_one_is_not_edited(client, world):
    announcement = make_announcement(author=world.users["bureau"])
    client.force_login(world.users["bureau"])
    response = client.get(reverse("announcements:announcement_edit", args=[announcement.pk]), follow=True)
    assert "只有草稿可以修改" in response.content.decode()


def test_the_reader_opens_it_and_it_is_read(client, world):
    bureau, county = world.users["bureau"], world.users["county"]
    announcement = make_announcement(
        author=bureau,
        body="<script>alert(1)</script>\n\n第二段",
        audience="counties",
        regions=[world.county_a],
    )
    client.force_login(county)
    listed = client.get(LIST)
    assert 'data-testid="unread"' in listed.content.decode()
    page = client.get(announcement.get_absolute_url()).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert(1)" not in page
    assert "<p>第二段</p>" in page
    assert "办理记录" not in page and "阅读情况" not in page  # a reader sees the announcement only
    assert AnnouncementRead.objects.filter(announcement=announcement, user=county).count() == 1
    client.get(announcement.get_absolute_url())
    assert AnnouncementRead.objects.filter(announcement=announcement, user=county).count() == 1
    assert 'data-testid="unread"' not in client.get(LIST).content.decode()


def test_the_list_puts_pinned_first_and_filters_unread(client, world):
    bureau = world.users["bureau"]
    older_pinned = make_announcement(author=bureau, title="置顶的旧通知", pinned=True)
    newer = make_announcement(author=bureau, title="新通知")
    client.force_login(world.users["expert"])
    rows = list(client.get(LIST).context["table"].data)
    assert [a.pk for a in rows] == [older_pinned.pk, newer.pk]
    client.get(newer.get_absolute_url())
    unread = client.get(LIST, {"unread": "true"}).context["table"].data
    assert [a.pk for a in unread] == [older_pinned.pk]


def test_empty_states_are_in_chinese(client, world):
    client.force_login(world.users["county"])
    assert "暂无通知公告。" in client.get(LIST).content.decode()
    assert "暂无通知公告。" in client.get("/").content.decode()


def test_the_home_page_shows_the_latest_for_the_user(client, world):
    bureau = world.users["bureau"]
    make_announcement(author=bureau, title="给全体", pinned=True)
    make_announcement(author=bureau, title="给定襄县", audience="counties", regions=[world.county_b])
    make_announcement(author=bureau, title="给申报单位", audience="units")
    client.force_login(world.users["county"])
    response = client.get("/")
    panel = dict(response.context["home_panels"])
    shown = panel["announcements/_home_panel.html"]
    assert [a.title for a in shown["announcements"]] == ["给全体"] and shown["unread"] == 1
    page = response.content.decode()
    assert "给全体" in page and "1 条未读" in page and "给定襄县" not in page and "给申报单位" not in page
    client.force_login(world.users["applicant"])
    page = client.get("/").content.decode()
    assert "给申报单位" in page and "给全体" in page and "给定襄县" not in page


@pytest.mark.parametrize("who", ["other_county", "unit_admin", "other_unit"])
def test_outside_the_audience_the_page_and_the_attachment_are_404(client, world, who):
    announcement = make_announcement(
        author=world.users["bureau"], audience="counties", regions=[world.county_a], attachment=pdf()
    )
    attachment = announcement.attachments.get()
    client.force_login(world.users[who])
    assert client.get(announcement.get_absolute_url()).status_code == 404
    assert client.get(attachment.get_absolute_url()).status_code == 404
    assert not AnnouncementRead.objects.exists()


def test_units_of_named_counties_only(client, world):
    announcement = make_announcement(
        author=world.users["bureau"], audience="units", regions=[world.county_b], attachment=pdf()
    )
    attachment = announcement.attachments.get()
    client.force_login(world.users["applicant"])  # unit A, county A
    assert client.get(attachment.get_absolute_url()).status_code == 404
    client.force_login(world.users["other_unit"])  # unit B, county B
    assert client.get(attachment.get_absolute_url()).status_code == 200


def test_the_attachment_download_is_audited(client, world):
    announcement = make_announcement(author=world.users["bureau"], attachment=pdf("申报指南.pdf"))
    client.force_login(world.users["applicant"])
    response = client.get(announcement.attachments.get().get_absolute_url())
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    assert AuditEvent.objects.filter(event_type=AuditEvent.Type.DOWNLOAD, object_repr="申报指南.pdf").exists()


def test_withdrawn_needs_a_reason_then_readers_lose_it(client, world):
    bureau, county = world.users["bureau"], world.users["county"]
    announcement = make_announcement(author=bureau, attachment=pdf())
    url = reverse("announcements:announcement_transition", args=[announcement.pk])
    client.force_login(bureau)
    response = client.post(url, {"action": "withdraw", "comment": ""})
    assert response.status_code == 200 and response.context["form"].errors
    response = client.post(url, {"action": "withdraw", "comment": "内容调整"})
    assert response.status_code == 302
    announcement.refresh_from_db()
    assert announcement.state == "withdrawn"
    page = client.get(announcement.get_absolute_url()).content.decode()
    assert "内容调整" in page
    client.force_login(county)
    assert client.get(announcement.get_absolute_url()).status_code == 404
    assert client.get(announcement.attachments.get().get_absolute_url()).status_code == 404


def test_the_bureau_sees_state_readers_and_history(client, world):
    bureau = world.users["bureau"]
    announcement = make_announcement(author=bureau, audience="counties", regions=[world.county_a])
    client.force_login(world.users["county"])
    client.get(announcement.get_absolute_url())
    client.force_login(world.users["leader"])
    response = client.get(announcement.get_absolute_url())
    assert response.context["figures"] == {"read": 1, "expected": 1}
    page = response.content.decode()
    assert "已读 1 / 应读 1" in page and "变更历史" in page and "办理记录" in page
    assert response.context["actions"] == []  # leadership reads, does not publish


def test_the_manage_list_filters_and_sorts(client, world):
    bureau = world.users["bureau"]
    draft = make_announcement(author=bureau, title="草稿", state="draft")
    to_units = make_announcement(author=bureau, title="致单位", audience="units")
    make_announcement(author=bureau, title="致全体")
    client.force_login(world.users["applicant"])
    client.get(to_units.get_absolute_url())
    client.force_login(bureau)

    def titles(params):
        return [row.record.title for row in client.get(MANAGE, params).context["table"].page.object_list]

    assert titles({"state": "draft"}) == [draft.title]
    assert titles({"audience": "units"}) == ["致单位"]
    assert sorted(titles({"year": draft.created_at.year})) == sorted(["草稿", "致单位", "致全体"])
    assert titles({"year": draft.created_at.year - 5}) == []
    assert titles({"sort": "-read_count"})[0] == "致单位"
    assert titles({"sort": "title"}) == sorted(["草稿", "致单位", "致全体"])


@pytest.mark.parametrize(("url", "who"), [(LIST, "county"), (LIST, "applicant"), (MANAGE, "bureau")])
def test_list_query_count_is_constant(client, world, url, who, django_assert_max_num_queries):
    bureau = world.users["bureau"]
    make_announcement(author=bureau, title="第一条", attachment=pdf())
    client.force_login(world.users[who])
    client.get(url)
    with django_assert_max_num_queries(25) as few:
        assert client.get(url).status_code == 200
    budget = len(few.captured_queries)  # read now: each request empties the connection's query log
    for n in range(8):
        announcement = make_announcement(author=bureau, title=f"通知{n}", pinned=n % 2 == 0, attachment=pdf())
        if n % 3 == 0:
            client.get(announcement.get_absolute_url())
    with django_assert_max_num_queries(budget):
        response = client.get(url)
    assert len(response.context["table"].page.object_list) == 9


def test_home_page_query_count_is_constant(client, world, django_assert_max_num_queries):
    bureau = world.users["bureau"]
    make_announcement(author=bureau, title="第一条")
    client.force_login(world.users["county"])
    client.get("/")
    with django_assert_max_num_queries(40) as few:
        client.get("/")
    for n in range(8):
        make_announcement(author=bureau, title=f"通知{n}", attachment=pdf())
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/")


@pytest.mark.parametrize("who", ["sysadmin", "auditor"])
def test_the_system_admin_and_the_auditor_read_no_announcement(client, world, who):
    """三员分立: they hold their own duties only — not even an announcement to 全部用户 reaches them."""
    announcement = make_announcement(author=world.users["bureau"], audience="all", attachment=pdf())
    client.force_login(world.users[who])
    assert client.get(announcement.get_absolute_url()).status_code in (403, 404)
    assert client.get(announcement.attachments.get().get_absolute_url()).status_code in (403, 404)
    assert "通知公告" not in client.get("/").content.decode()
