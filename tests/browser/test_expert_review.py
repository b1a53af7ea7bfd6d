"""网评 in chromium at 1366×768, as an expert and the bureau click through it: the expert accepts the
invitation of a panel reviewing two projects, signs the 回避及保密声明 for the first and scores it, declares a
conflict for the second, and submits; the bureau closes (freezes) the panel; the expert then sees each
project's frozen result and never the other expert's scores."""

import datetime as dt
import os

import pytest
from django.urls import reverse
from django.utils import timezone

from experts import services
from experts.models import Expert, ReviewMember, ReviewPanel, ReviewScore
from tests.experts.factories import ExpertFactory, ExpertFieldFactory
from tests.projects.factories import ProjectFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("KEJIJU_SHOTS")  # a folder: the walk leaves its screenshots there
CRITERIA = [
    {"key": "c1", "label": "创新性", "max_score": 40, "weight": 1},
    {"key": "c2", "label": "可行性", "max_score": 60, "weight": 1},
]


def _shot(page, name):
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def _click_and_confirm(page, locator):
    page.once("dialog", lambda dialog: dialog.accept())
    locator.click()
    page.wait_for_load_state()


def _panel(world):
    field = ExpertFieldFactory(name="网评浏览器")
    for _ in range(3):
        ExpertFactory(fields=[field])
    projects = [
        ProjectFactory(region=world.county_a, title="镁合金轻量化研发"),
        ProjectFactory(region=world.county_a, title="杂粮精深加工示范"),
    ]
    panel = services.review_panel_create(
        subjects=projects,
        title="浏览器网评评审组",
        fields=[field],
        size=2,
        reserves=1,
        criteria=CRITERIA,
        user=world.users["bureau"],
        seed="browser-online",
        online_deadline=timezone.now() + dt.timedelta(days=3),
    )
    mine, theirs = panel.members.filter(role=ReviewMember.Role.REGULAR).order_by("position")
    Expert.objects.filter(user=world.users["expert"]).update(user=None)
    Expert.objects.filter(pk=mine.expert_id).update(user=world.users["expert"])
    services.review_member_confirm(member=theirs, user=world.users["bureau"])
    return panel, mine, theirs


def test_the_expert_reviews_online_and_staff_freeze_the_panel(page, live_server, login, world):
    page.set_viewport_size({"width": 1366, "height": 768})
    panel, mine, theirs = _panel(world)
    first, second = panel.subjects.order_by("position")
    login(world.users["expert"].username)
    page.goto(f"{live_server.url}{reverse('experts:my_seats')}")
    row = page.locator("[data-testid=seat-row]").filter(has_text="浏览器网评评审组")
    assert "镁合金轻量化研发" in row.inner_text() and "杂粮精深加工示范" in row.inner_text()
    _shot(page, "expert-1-invited")
    _click_and_confirm(page, row.get_by_role("button", name="接受邀请"))
    panel.refresh_from_db()
    assert panel.state == ReviewPanel.State.CONFIRMED  # the last acceptance seats the panel

    page.locator("[data-testid=seat-row]").filter(has_text="浏览器网评评审组").get_by_role(
        "link", name="网评"
    ).click()
    subjects = page.locator("[data-testid=seat-subject]")
    assert subjects.count() == 2 and "未签署" in subjects.nth(0).inner_text()
    subjects.nth(0).get_by_role("link", name="签署声明").click()
    assert page.locator("[data-testid=declaration]").is_visible()
    assert page.locator("[data-testid=subject-scores]").count() == 0  # nothing before the declaration
    page.check("input[name=conflict][value='0']")
    page.get_by_role("button", name="提交声明").click()
    page.wait_for_load_state()
    page.fill("input[name=c_c1]", "45")  # over the maximum: named on the form, nothing saved
    page.fill("input[name=c_c2]", "50")
    page.get_by_role("button", name="保存评分").click()
    page.wait_for_load_state()
    assert "40" in page.locator("main").inner_text()
    assert not ReviewScore.objects.filter(sheet__member=mine).exists()
    page.fill("input[name=c_c1]", "35.5")
    page.fill("textarea[name=comment]", "技术路线清晰。")
    page.get_by_role("button", name="保存评分").click()
    page.wait_for_load_state()
    _shot(page, "expert-2-scored")

    subjects = page.locator("[data-testid=seat-subject]")
    assert "85.50" in subjects.nth(0).inner_text()
    subjects.nth(1).get_by_role("link", name="签署声明").click()
    page.check("input[name=conflict][value='1']")
    page.fill("textarea[name=reason]", "近亲属在申报单位任职")
    page.get_by_role("button", name="提交声明").click()
    page.wait_for_load_state()
    assert "已申明回避" in page.locator("[data-testid=seat-subject]").nth(1).inner_text()
    _click_and_confirm(page, page.get_by_role("button", name="提交全部评分"))
    assert "提交" in page.locator("[data-testid=seat-subjects]").inner_text()
    mine.refresh_from_db()
    assert mine.scores_submitted_at is not None and mine.status == ReviewMember.Status.CONFIRMED
    _shot(page, "expert-3-submitted")

    # The other expert's scores, entered by staff; the expert never sees them.
    for subject, scores in ((first, {"c1": 20, "c2": 40}), (second, {"c1": 30, "c2": 50})):
        services.review_scores_enter(
            member=theirs, subject=subject, scores=scores, user=world.users["bureau"]
        )

    login(world.users["bureau"].username)
    page.goto(f"{live_server.url}{panel.get_absolute_url()}")
    assert "回避" in page.locator("main").inner_text()
    page.get_by_role("link", name="完成评审").click()
    page.wait_for_load_state()
    _shot(page, "staff-4-close")
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("main button[type=submit]").first.click()
    page.wait_for_load_state()
    panel.refresh_from_db()
    assert panel.state == ReviewPanel.State.CLOSED
    first.refresh_from_db()
    second.refresh_from_db()
    # (85.50 + 60) / 2 for the first; the second only the other expert's 80, the recused left out.
    assert (str(first.result), str(second.result)) == ("72.75", "80.00")
    results = page.locator("[data-testid=panel-subjects]").inner_text()
    assert "72.75" in results and "80.00" in results
    _shot(page, "staff-5-closed")

    login(world.users["expert"].username)
    page.goto(f"{live_server.url}{reverse('experts:my_seats')}")
    seat = page.locator("[data-testid=seat-row]").filter(has_text="浏览器网评评审组").inner_text()
    assert "72.75" in seat and "80.00" in seat
    page.goto(f"{live_server.url}{reverse('experts:my_seat_review', kwargs={'pk': mine.pk})}")
    text = page.locator("main").inner_text()
    assert "72.75" in text and "85.50" in text and "60.00" not in text  # not the other expert's total
    _shot(page, "expert-6-frozen")
