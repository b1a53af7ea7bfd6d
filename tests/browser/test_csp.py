"""Under the Content Security Policy, the vendored libraries still work in a real browser and the pages
raise no violation: Bootstrap (dropdown), htmx (loaded, no injected style) and ECharts (a chart renders)."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

COLLECT = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__cspViolations.push(e.violatedDirective + ' ' + e.blockedURI + ' ' + (e.sample || ''));
});
"""


def test_pages_run_under_the_policy_without_violations(page, live_server, login, bureau_user):
    page.add_init_script(COLLECT)
    messages = []
    page.on("console", lambda message: messages.append(message.text))
    login(bureau_user.username)
    response = page.goto(f"{live_server.url}/")
    assert "default-src 'self'" in response.headers["content-security-policy"]

    # Bootstrap: the user menu drops down.
    page.get_by_test_id("current-user").click()
    assert page.locator(".dropdown-menu.show").count() == 1
    # htmx is loaded and has not injected its indicator <style>.
    assert page.evaluate("typeof htmx") == "object"
    assert page.evaluate("document.querySelectorAll('style').length") == 0

    # ECharts renders a chart from the vendored file.
    page.add_script_tag(url=f"{live_server.url}/static/vendor/echarts/echarts.min.js")
    page.evaluate(
        """() => {
        const div = document.createElement('div');
        div.id = 'chart'; div.className = 'w-100'; div.setAttribute('height', '300');
        document.querySelector('main').appendChild(div);
        const chart = echarts.init(div, null, {width: 400, height: 300});
        chart.setOption({
            xAxis: {data: ['忻府区', '定襄县']}, yAxis: {}, series: [{type: 'bar', data: [3, 5]}],
        });
    }"""
    )
    assert page.locator("#chart canvas").count() >= 1
    page.goto(f"{live_server.url}/accounts/two-factor/")
    assert page.locator("[data-testid=otp-qr] svg").count() == 1
    violations = page.evaluate("window.__cspViolations")
    assert violations == [], violations
    assert not [m for m in messages if "Content Security Policy" in m], messages


HELPERS_PAGE = """<!DOCTYPE html><html><head>
<link rel="stylesheet" href="BASE/static/vendor/bootstrap/css/bootstrap.min.css"></head><body>
<input type="checkbox" id="all" data-select-all>
<input type="checkbox" name="selection" value="1"><input type="checkbox" name="selection" value="2">
<div class="progress w-10rem"><div id="bar" class="progress-bar" data-progress="42"></div></div>
<form data-month-path="/reports/"><input name="month" value="2026-03"><button id="go">go</button></form>
<script src="BASE/static/js/kejiju.js"></script></body></html>"""


def test_the_helpers_that_replace_inline_code_work(page, live_server, login, bureau_user):
    """kejiju.js does from data attributes what templates may not do inline under the policy."""
    page.add_init_script(COLLECT)
    login(bureau_user.username)
    page.route(
        f"{live_server.url}/helpers-under-test/",
        lambda route: route.fulfill(
            status=200,
            content_type="text/html",
            headers={"Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self'"},
            body=HELPERS_PAGE.replace("BASE", live_server.url),
        ),
    )
    page.goto(f"{live_server.url}/helpers-under-test/")
    page.check("#all")
    assert page.locator("input[name=selection]:checked").count() == 2
    assert page.evaluate("document.getElementById('bar').style.width") == "42%"
    page.click("#go")
    page.wait_for_url(f"{live_server.url}/reports/2026/3/")
