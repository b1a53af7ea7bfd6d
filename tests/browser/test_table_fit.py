"""The widest list pages (the tables with the most columns) and the detail pages they link to fit 1366×768:
no table wider than its box (columns a list cannot hold are export-only: BaseTable.export_only), and no
cell of a name, state or date column (kejiju.core.tables.column_kind) takes more than two lines — no name
or state broken one character per line ("梁/霞/建", "待/确/认", "符/合"), no date across lines.
Screenshots go to $KEJIJU_SCREENSHOTS (default /tmp/kejiju-table-fit)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

from tests.core.test_table_exports import TABLES, _list_urls, demo  # noqa: F401 — demo: the fixture

# The pages are served to chromium from this test's own transaction (the demo world, rolled back at the
# end) through Playwright's request routing: no live server, no transactional flush.
pytestmark = [pytest.mark.browser, pytest.mark.django_db]

ORIGIN = "http://kejiju.test"
WIDEST = 6
SHOTS = Path(os.environ.get("KEJIJU_SCREENSHOTS", "/tmp/kejiju-table-fit"))

# Lines a cell's text takes: the distinct tops of its text's line boxes.
# Cells (of `selector`, whose text has at most `max` characters) whose text takes more than two lines:
# the distinct tops of the text's line boxes.
TALL_CELLS = """([selector, max]) => {
  const tall = [];
  for (const cell of document.querySelectorAll(selector)) {
    const text = cell.textContent.trim();
    if (!text || text.length > max) continue;
    const range = document.createRange();
    range.selectNodeContents(cell);
    const tops = new Set([...range.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.top)));
    if (tops.size > 2) tall.push(`${cell.className}: ${text} (${tops.size} lines)`);
  }
  return tall;
}"""
CELLS = "td.col-name, td.col-short, td.col-state, td.col-date, td.col-money"
# Tables wider than the box that holds them: at 1366 px a list scrolls sideways only when it must not.
WIDE_TABLES = """() => [...document.querySelectorAll('main table')]
  .filter(t => t.scrollWidth > t.parentElement.clientWidth + 1)
  .map(t => `table ${t.scrollWidth} px in ${t.parentElement.clientWidth} px: ` +
             [...t.querySelectorAll('thead th')].map(th => th.innerText.trim()).join('|'))"""


def _widest_lists() -> list[str]:
    urls = _list_urls()
    shown = [table for table in TABLES if urls.get(table)]
    shown.sort(key=lambda table: -len(table.base_columns))
    return [urls[table][0] for table in shown[:WIDEST]]


def _serve(pages: dict[str, bytes]):
    """Playwright answers requests on its own thread, whose database connection does not see this test's
    transaction: the pages are fetched first (`_fetch`), the handler serves them and the static files."""

    def handle(route):
        path = route.request.url.removeprefix(ORIGIN)
        if path.startswith("/static/"):
            found = finders.find(path.removeprefix("/static/").split("?")[0])
            return route.fulfill(path=found) if found else route.fulfill(status=404)
        if path in pages:
            return route.fulfill(body=pages[path], headers={"content-type": "text/html; charset=utf-8"})
        return route.fulfill(status=404)

    return handle


def _fetch(client: Client, pages: dict[str, bytes], path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    pages[path] = response.content


def test_widest_lists_and_their_details_fit_1366(page, demo):  # noqa: F811
    from kejiju.accounts.models import User

    client = Client()
    client.force_login(User.objects.get(username="bureau"))
    pages: dict[str, bytes] = {}
    page.route(f"{ORIGIN}/**", _serve(pages))
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1366, "height": 768})
    problems, checked = [], 0
    for url in _widest_lists():
        _fetch(client, pages, url)
        page.goto(f"{ORIGIN}{url}")
        name = url.strip("/").replace("/", "_") or "home"
        page.screenshot(path=str(SHOTS / f"list_{name}.png"))
        assert page.locator("tbody tr td").count() > 1, url
        checked += page.locator(CELLS).count()
        problems += [f"{url} {table}" for table in page.evaluate(WIDE_TABLES)]
        problems += [f"{url} {cell}" for cell in page.evaluate(TALL_CELLS, [CELLS, 10**6])]
        # Any other short text (a label, a header) on three lines is broken per character too.
        problems += [f"{url} {cell}" for cell in page.evaluate(TALL_CELLS, ["td, th", 12])]
        link = page.locator("tbody tr td a[href^='/']").first
        if link.count():
            href = link.get_attribute("href")
            _fetch(client, pages, href)
            page.goto(f"{ORIGIN}{href}")
            page.screenshot(path=str(SHOTS / f"detail_{name}.png"))
            problems += [
                f"{href} {cell}" for cell in page.evaluate(TALL_CELLS, [".detail-table th, " + CELLS, 10**6])
            ]
            problems += [f"{href} {cell}" for cell in page.evaluate(TALL_CELLS, ["td, th", 12])]
            problems += [f"{href} {table}" for table in page.evaluate(WIDE_TABLES)]
    assert checked > 100
    assert not problems, "\n".join(problems)
