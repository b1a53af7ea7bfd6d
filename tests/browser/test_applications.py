"""Online 申报 in chromium at 1366×768, as its users click through it: the 项目负责人 drafts and submits,
the unit's administrator approves, the county office recommends, the bureau accepts the project; the
项目负责人 sees each state. Another unit's account gets 404 for every page of the first unit's records, and
a late application is refused with the reason."""

import datetime as dt
import os

import pytest
from django.urls import reverse
from django.utils import timezone

from kejiju.applications.models import Application
from tests.applications.factories import PDF, open_guide

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("KEJIJU_SHOTS")  # a folder: the walk leaves its screenshots there


def _shot(page, name):
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def _submit(page):
    page.locator("main button[type=submit]").first.click()
    page.wait_for_load_state()


def _act(page, live_server, application, label, *, comment="", rank=None):
    page.goto(f"{live_server.url}{application.get_absolute_url()}")
    page.locator("[data-testid=workflow-actions]").get_by_role("link", name=label).click()
    if comment:
        page.fill("textarea[name=comment]", comment)
    if rank is not None:
        page.fill("input[name=rank]", str(rank))
    page.once("dialog", lambda dialog: dialog.accept())
    _submit(page)


def _state(page, live_server, application) -> str:
    page.goto(f"{live_server.url}{application.get_absolute_url()}")
    return page.locator("[data-testid=application-state]").inner_text()


def test_apply_approve_recommend_accept(page, live_server, login, world, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    page.set_viewport_size({"width": 1366, "height": 768})
    applicant = world.users["applicant"]
    applicant.phone = "13903501234"
    applicant.save(update_fields=["phone"])
    guide = open_guide(text="支持煤矸石综合利用等方向。")
    login(applicant.username)
    page.goto(f"{live_server.url}{reverse('applications:callguide_list')}")
    page.get_by_role("link", name=str(guide.call)).click()
    assert "支持煤矸石综合利用" in page.locator("[data-testid=guide-text]").inner_text()
    page.get_by_role("link", name="填写申报书").click()
    page.fill("#id_title", "煤矸石建材关键技术研究")
    page.fill("#id_summary", "低能耗烧结工艺。")
    page.fill("#id_goals", "专利 2 件。")
    page.fill("#id_start_date", "2027-01-01")
    page.fill("#id_end_date", "2028-12-31")
    page.fill("#id_leader_id_number", "140902198503150019")
    _submit(page)
    application = Application.objects.get(title="煤矸石建材关键技术研究")
    assert "请至少填写一名团队成员" in page.locator("[data-testid=submit-problems]").inner_text()
    page.get_by_role("link", name="填写预算").click()
    page.fill("input[name=budget-0-amount]", "200000")
    page.fill("input[name=budget-5-amount]", "250000")
    _submit(page)
    assert "200,000.00 / 250,000.00" in page.locator("[data-testid=budget-totals]").inner_text()
    page.get_by_role("link", name="添加成员").click()
    page.fill("#id_name", "刘研发")
    page.fill("#id_id_number", "140902199007080028")
    page.fill("#id_employer", "矩阵申报单位甲")
    page.fill("#id_duty", "工艺试验")
    _submit(page)
    assert "140902********0028" in page.content()
    assert "140902199007080028" not in page.content()
    page.get_by_role("link", name="上传附件").click()
    page.select_option("#id_kind", "application")
    page.set_input_files("#id_file", {"name": "申报书.pdf", "mimeType": "application/pdf", "buffer": PDF})
    _submit(page)
    page.get_by_role("link", name="阅读并确认").click()
    assert "科研诚信承诺书" in page.locator("[data-testid=pledge-text]").inner_text()
    page.check("#id_accept")
    _submit(page)
    _shot(page, "1-applicant-draft")
    _act(page, live_server, application, "提交")
    assert _state(page, live_server, application) == "待单位审核"

    login(world.users["unit_admin"].username)
    _act(page, live_server, application, "单位审核通过")
    login(applicant.username)
    assert _state(page, live_server, application) == "待县区推荐"

    login(world.users["county"].username)
    page.goto(f"{live_server.url}{reverse('applications:application_list')}?state=unit_approved")
    _shot(page, "2-county-list")
    assert "煤矸石建材关键技术研究" in page.locator("main table").inner_text()
    _act(page, live_server, application, "推荐", rank=1)
    application.refresh_from_db()
    assert application.project is not None

    login(world.users["bureau"].username)
    page.goto(f"{live_server.url}{application.project.get_absolute_url()}transition/?action=accept")
    page.once("dialog", lambda dialog: dialog.accept())
    _submit(page)
    application.project.refresh_from_db()
    assert application.project.state == "accepted"

    login(applicant.username)
    assert _state(page, live_server, application) == "已推荐至市局"
    assert "受理" in page.content()
    _shot(page, "3-applicant-recommended")


def test_the_other_unit_gets_404_and_the_late_unit_sees_why(page, live_server, login, world):
    from tests.applications.factories import make_application

    page.set_viewport_size({"width": 1366, "height": 768})
    application = make_application(leader=world.users["applicant"])
    member, attachment = application.team.first(), application.attachments.first()
    login(world.users["other_unit"].username)
    for url in (
        application.get_absolute_url(),
        reverse("applications:application_transition", args=[application.pk]),
        reverse("applications:applicationattachment_download", args=[attachment.pk]),
    ):
        assert page.goto(f"{live_server.url}{url}").status == 404, url
    call = application.call
    call.opens_on = timezone.localdate() - dt.timedelta(days=40)
    call.closes_on = timezone.localdate() - dt.timedelta(days=1)
    call.save()
    login(world.users["applicant"].username)
    page.goto(f"{live_server.url}{application.get_absolute_url()}")
    assert "截止" in page.locator("[data-testid=closed-reason]").inner_text()
    assert page.locator("[data-testid=workflow-actions]").count() == 1
    _act(page, live_server, application, "提交")
    assert "截止" in page.locator("main").inner_text()
    application.refresh_from_db()
    assert application.state == "draft"
    assert member.pk
