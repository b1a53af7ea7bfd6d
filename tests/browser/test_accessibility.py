"""Accessible to everyone who must use it (GB/T 37668-2019 信息无障碍, WCAG 2.1 AA), measured with axe-core in
chromium: for each role, every page its menu reaches — the lists, and the first record each list links to —
has no serious or critical violation. axe-core comes with axe-playwright-python (no CDN).

And the monthly form works from the keyboard alone: focus follows the layout, is visible, and a submit
with errors is announced (role="alert") with the focus on the first field to correct."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROLES = ("bureau", "leader", "county", "unit_admin", "applicant", "expert", "sysadmin", "auditor")
SEVERE = {"serious", "critical"}
# The WCAG 2.1 A and AA rules (GB/T 37668-2019 follows WCAG 2.0/2.1 AA); best practices are not checked.
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}
MENU_LINKS = """() => Array.from(document.querySelectorAll('#mainnav a[href]'))
    .map(a => a.getAttribute('href')).filter(href => href && href.startsWith('/'))"""
FIRST_RECORD = """() => {
    const a = Array.from(document.querySelectorAll('main table tbody a[href]'))
        .map(a => a.getAttribute('href'))
        .find(href => href.startsWith('/') && !/(download|export|edit|delete|\\?)/.test(href));
    return a || null;
}"""


def _records(world, county_a):
    """A few records in county A, so that lists have rows (with their checkboxes) and a record to open."""
    from kejiju.reporting import rules
    from tests.enterprises.factories import EnterpriseFactory, SmesEvaluationFactory
    from tests.platforms.factories import PlatformFactory
    from tests.reporting.factories import CountyTaskFactory

    enterprise = EnterpriseFactory(region=county_a)
    SmesEvaluationFactory(enterprise=enterprise)
    PlatformFactory(region=county_a)
    year, _month = rules.due_month(timezone.now())
    CountyTaskFactory(region=county_a, year=year, deadline=dt.date(year, 12, 31))


def _violations(axe, page) -> list[str]:
    result = axe.run(page, options=AXE_OPTIONS)
    return [
        f"{violation['id']} ({violation['impact']}): "
        + "; ".join(" ".join(map(str, node["target"])) for node in violation["nodes"][:5])
        + (f" … {len(violation['nodes'])} in all" if len(violation["nodes"]) > 5 else "")
        for violation in result.response["violations"]
        if violation["impact"] in SEVERE
    ]


def test_every_page_of_every_roles_menu_passes_axe(page, live_server, login, world, county_a):
    _records(world, county_a)
    page.set_viewport_size({"width": 1366, "height": 768})
    axe = Axe()
    failures, visited = [], 0
    # A page another role's menu reached already is not checked again (same template, same stylesheet):
    # each role's home page and the pages of its own are, once. It keeps the test well under two minutes.
    seen: set[str] = set()
    for role in ROLES:
        login(world.users[role].username)
        menu = list(dict.fromkeys(["/", *page.evaluate(MENU_LINKS)]))
        seen.discard("/")
        queue = list(menu)
        while queue:
            path = queue.pop(0)
            if path in seen:
                continue
            seen.add(path)
            response = page.goto(f"{live_server.url}{path}")
            if not response.ok:
                failures.append(f"{role} {path} — HTTP {response.status}")
                continue
            visited += 1
            failures += [f"{role} {path} — {problem}" for problem in _violations(axe, page)]
            if path in menu:
                record = page.evaluate(FIRST_RECORD)
                if record and urlsplit(record).path not in seen:
                    queue.append(record)
    assert visited > 60
    assert not failures, "axe-core finds serious or critical violations:\n" + "\n".join(failures)


TABBABLE = """(form) => Array.from(form.querySelectorAll(
    'a[href], button, input:not([type=hidden]), select, textarea, [tabindex]'))
    .filter(el => !el.disabled && el.tabIndex >= 0 && el.offsetParent !== null)
    .map(el => el.name || el.id || el.textContent.trim())"""
FOCUSED = """() => {
    const el = document.activeElement;
    const style = getComputedStyle(el);
    return {name: el.name || el.id || el.textContent.trim(), inForm: !!el.closest('form.filing-form'),
            outline: style.outlineStyle, width: parseFloat(style.outlineWidth),
            invalid: el.getAttribute('aria-invalid'), summary: el.hasAttribute('data-error-summary')};
}"""


def test_the_monthly_form_from_the_keyboard_alone(page, live_server, login, county_user, county_a):
    from kejiju.reporting import rules
    from tests.reporting.factories import CountyTaskFactory

    year, _month = rules.due_month(timezone.now())
    task = CountyTaskFactory(region=county_a, year=year, deadline=dt.date(year, 12, 31))
    page.set_viewport_size({"width": 1366, "height": 768})
    login(county_user.username)
    page.goto(f"{live_server.url}/reporting/filings/current/")
    form = page.locator("form.filing-form")
    expected = form.evaluate(TABBABLE)
    assert f"t{task.pk}_done" in expected and "f_projects_new_reason" in expected

    # Tab from the top of the page through the whole form: the focus goes through the controls in the
    # order they are laid out (the document's order: no tabindex reorders them), each with a ring.
    page.evaluate("document.activeElement.blur()")
    reached, unringed = [], []
    for _ in range(200):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if focused["inForm"]:
            reached.append(focused["name"])
            if focused["outline"] == "none" or focused["width"] < 2:
                unringed.append(focused["name"])
        elif reached:
            break
    assert reached == expected
    assert not unringed, f"no visible focus ring on {unringed}"

    # A mistake, sent with Enter: the summary is announced and the focus is on the field to correct.
    page.focus(f"[name=t{task.pk}_done]")
    page.keyboard.type("-1")
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    summary = page.get_by_test_id("form-errors")
    assert summary.get_attribute("role") == "alert"
    focused = page.evaluate(FOCUSED)
    assert focused["name"] == f"t{task.pk}_done" and focused["invalid"] == "true", focused
