"""The on-screen watermark in chromium: a page showing personal data draws the viewer's SVG over itself,
under the Content Security Policy (no violation), and stays clickable."""

import pytest
from django.urls import reverse

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

COLLECT = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__cspViolations.push(e.violatedDirective + ' ' + e.blockedURI);
});
"""


def test_a_page_with_personal_data_shows_the_watermark(page, live_server, login, bureau_user):
    page.add_init_script(COLLECT)
    login(bureau_user.username)
    pictures = []
    page.on(
        "response",
        lambda response: (
            pictures.append(response) if response.url.endswith(reverse("core:watermark")) else None
        ),
    )
    page.goto(f"{live_server.url}{reverse('experts:expert_list')}")
    assert "kj-watermark" in page.evaluate("document.body.className")
    background = page.evaluate("getComputedStyle(document.body, '::after').backgroundImage")
    assert reverse("core:watermark") in background
    assert page.evaluate("getComputedStyle(document.body, '::after').pointerEvents") == "none"
    page.wait_for_load_state("networkidle")
    assert pictures and pictures[0].status == 200
    assert bureau_user.username in pictures[0].text()
    assert page.evaluate("window.__cspViolations") == []
    # A page without personal data has none.
    page.goto(f"{live_server.url}/")
    assert "kj-watermark" not in page.evaluate("document.body.className")
