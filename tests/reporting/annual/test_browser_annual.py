"""Leadership in a browser: opens the dashboard from the home page, starts a build of the annual review,
watches the job page until it is done, downloads the PDF."""

from __future__ import annotations

from datetime import date

import pytest

from tests.enterprises.build import admitted_smes
from tests.factories import TEST_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_leader_opens_dashboard_builds_and_downloads(browser, live_server, leader_user, county_a, tmp_path):
    for _ in range(3):  # through the services: the figure reads the 入库 events
        admitted_smes(region=county_a, year=2023, admitted_on=date(2023, 6, 1))
    viewport = {"width": 1280, "height": 800}
    context = browser.new_context(locale="zh-CN", viewport=viewport, accept_downloads=True)
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("#id_username", leader_user.username)
        page.fill("#id_password", TEST_PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{live_server.url}/")
        page.get_by_role("link", name="年度统计看板与年度工作综述").first.click()
        page.wait_for_url(f"{live_server.url}/reporting/annual/")
        smes = page.locator("[data-figure=smes]")
        assert smes.get_attribute("data-value") == "3"
        # The charts are drawn by the static script from the json_script block.
        page.wait_for_selector("#chart-trend canvas")
        page.fill("#build_narrative", "<b>请各县区对标先进</b> 😀")
        page.get_by_test_id("annual-build").click()
        page.wait_for_url("**/reporting/annual/editions/*/")
        # The status polls the edition page; once built, the page reloads with the stored statistics.
        page.wait_for_selector("#job-status[data-state=succeeded]", timeout=60_000)
        page.wait_for_selector("[data-figure=smes][data-value='3']", timeout=10_000)
        assert "<b>请各县区对标先进</b> 😀" in page.get_by_test_id("edition-narrative").inner_text()
        with page.expect_download() as download_info:
            page.get_by_test_id("job-download").click()
        path = tmp_path / "review.pdf"
        download_info.value.save_as(path)
        assert path.read_bytes().startswith(b"%PDF")
        page.goto(f"{live_server.url}/reporting/annual/?year=2023")
        assert "下载" in page.get_by_test_id("annual-editions").inner_text()
        page.get_by_role("link", name="全部版本").click()
        page.wait_for_url("**/reporting/annual/editions/")
        assert "已完成" in page.inner_text("table") and "年度工作综述-2023" in page.inner_text("table")
    finally:
        context.close()
