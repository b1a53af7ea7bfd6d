"""The whole review cycle in a browser: a county office files its month, the bureau returns it, the county
corrects and resends, the bureau confirms."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from kejiju.reporting import rules
from kejiju.reporting.models import MonthlyFiling
from tests.factories import TEST_PASSWORD
from tests.reporting.factories import CountyTaskFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def session(browser, live_server):
    contexts = []

    def open_as(user):
        # A small laptop screen.
        context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 720})
        contexts.append(context)
        page = context.new_page()
        page.on("dialog", lambda dialog: dialog.accept())
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("#id_username", user.username)
        page.fill("#id_password", TEST_PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{live_server.url}/")
        return page

    yield open_as
    for context in contexts:
        context.close()


def test_file_return_correct_resend_confirm(session, live_server, county_user, bureau_user, county_a):
    year, month = rules.due_month(timezone.now())
    task = CountyTaskFactory(
        region=county_a,
        year=year,
        title="山西大学杂粮深加工转化基地",
        target_quantity=4,
        deadline=dt.date(year, 12, 31),
    )

    county = session(county_user)
    county.click("text=县区报送")
    county.click("text=本月动态")
    county.wait_for_url(f"{live_server.url}/reporting/filings/{year}/{month}/")
    assert "山西大学杂粮深加工转化基地" in county.locator("main").inner_text()
    # The one-page form fits a small laptop screen: no horizontal scrolling.
    assert county.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    county.fill("#id_key_progress", "与山西大学签订转化基地共建协议。")
    county.fill(f"[name=t{task.pk}_done]", "1")
    # 状态 must agree with 累计完成 (1 done is not 未启动).
    county.select_option(f"[name=t{task.pk}_status]", "in_progress")
    county.fill(f"[name=t{task.pk}_percent]", "120")
    county.get_by_test_id("save-draft").click()
    assert "完成进度不能超过 100%。" in county.locator("main").inner_text()
    county.fill(f"[name=t{task.pk}_percent]", "25")
    county.get_by_test_id("save-draft").click()
    county.wait_for_selector("text=草稿已保存。")
    county.get_by_test_id("submit-filing").click()
    county.wait_for_selector("text=已报送，等待市局审核。")
    assert county.get_by_test_id("filing-state").first.inner_text() == "已报送"
    filing = MonthlyFiling.objects.get(region=county_a, year=year, month=month)

    bureau = session(bureau_user)
    bureau.goto(f"{live_server.url}/reporting/board/?month={year}-{month:02d}")
    assert "已报送" in bureau.get_by_test_id(f"board-{county_a.code}").inner_text()
    bureau.get_by_test_id(f"board-{county_a.code}").get_by_text("查看").click()
    bureau.get_by_test_id("return-filing").click()
    bureau.fill("#id_reason", "请补充基地共建协议扫描件。")
    bureau.get_by_test_id("confirm-return").click()
    bureau.wait_for_selector("text=已退回，县区将收到通知。")
    assert bureau.get_by_test_id("filing-state").first.inner_text() == "退回"

    county.goto(f"{live_server.url}/")
    county.click("text=被退回待修改的月度动态")
    county.click(f"text={year}-{month:02d}")
    assert "请补充基地共建协议扫描件。" in county.get_by_test_id("return-reason").inner_text()
    county.get_by_test_id("edit-filing").click()
    county.fill(f"[name=t{task.pk}_done]", "2")
    county.fill(f"[name=t{task.pk}_percent]", "50")
    county.set_input_files(
        "#id_attachments", files=[{"name": "协议.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4"}]
    )
    county.get_by_test_id("submit-filing").click()
    county.wait_for_selector("text=已报送，等待市局审核。")
    assert "协议.pdf" in county.locator("main").inner_text()

    bureau.reload()
    bureau.get_by_test_id("confirm-filing").click()
    bureau.wait_for_selector("text=已确认。")
    assert bureau.get_by_test_id("filing-state").first.inner_text() == "已确认"
    timeline = bureau.get_by_test_id("timeline").inner_text()
    for step in ("创建草稿", "报送", "退回", "上传附件", "重新报送", "确认"):
        assert step in timeline
    filing.refresh_from_db()
    assert filing.state == "confirmed" and filing.progress.get().done_quantity == 2

    # After 报送 the county cannot edit any more.
    county.goto(f"{live_server.url}/reporting/filings/{year}/{month}/")
    assert "不能再修改" in county.get_by_test_id("closed-reason").inner_text()
