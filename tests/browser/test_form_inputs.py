"""In chromium at 1366×768: an edit form shows its record's date, and a pasted over-long code is refused by
the server rather than cut by the browser (issue 16, defects 4 and 6)."""

from datetime import date

import pytest
from django.utils import timezone

from tests.enterprises.factories import EnterpriseFactory, make_uscc

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_edit_form_shows_its_date_and_refuses_a_pasted_code_too_long(page, live_server, login, bureau_user):
    enterprise = EnterpriseFactory(established_on=date(2015, 3, 1))
    original = enterprise.uscc
    page.set_viewport_size({"width": 1366, "height": 768})
    login(bureau_user.username)

    # The 科小 evaluation's 提交日期 defaults to today: chromium showed an empty field for 2026/12/05.
    page.goto(f"{live_server.url}/enterprises/{enterprise.pk}/smes/add/")
    today = timezone.localdate().isoformat()
    assert page.locator("#id_submitted_on").evaluate("el => el.value") == today

    page.goto(f"{live_server.url}/enterprises/{enterprise.pk}/edit/")

    established = page.locator("#id_established_on")
    assert established.get_attribute("type") == "date"
    assert established.evaluate("el => el.value") == "2015-03-01"  # chromium shows it: not empty

    # A valid code with one character too many, pasted: a maxlength of 18 would leave the valid code.
    pasted = make_uscc(4242) + "7"
    assert len(pasted) == 19
    uscc = page.locator("#id_uscc")
    uscc.fill("")
    uscc.focus()
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.evaluate("text => navigator.clipboard.writeText(text)", pasted)
    page.keyboard.press("Control+V")
    assert uscc.evaluate("el => el.value") == pasted

    page.locator("main button[type=submit]").click()
    page.wait_for_load_state()
    assert "“统一社会信用代码”不能超过 18 个字符（现为 19 个字符）" in page.locator("main").inner_text()
    assert page.locator("#id_established_on").evaluate("el => el.value") == "2015-03-01"
    enterprise.refresh_from_db()
    assert enterprise.uscc == original
