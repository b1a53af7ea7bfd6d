"""The dashboard's selects: styled, named for assistive technology, each id once on the page; the dashboard
opens on the latest year with figures of its own, not on a January of zeros."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter

import pytest
from django.urls import reverse

from kejiju.reporting.views import annual as views_annual

pytestmark = pytest.mark.django_db


def test_the_dashboards_selects_are_styled_named_and_have_ids_of_their_own(world, client):
    client.force_login(world.users["leader"])
    html = client.get(reverse("reporting:annual_dashboard")).content.decode()
    ids = Counter(re.findall(r'\sid="([^"]+)"', html))
    assert not [name for name, count in ids.items() if count > 1], ids
    selects = re.findall(r"<select[^>]*>", html)
    assert len(selects) == 4
    for select in selects:
        assert "form-select" in select and "aria-label=" in select, select


@pytest.mark.parametrize(
    ("years_with_figures", "opens_on"),
    [({2025, 2023}, 2025), ({2026, 2025}, 2026), (set(), 2025)],
)
def test_the_dashboard_opens_on_the_latest_year_with_figures(monkeypatch, years_with_figures, opens_on):
    """On 10 January 2026 nothing of 2026 is recorded yet: the dashboard opens on 2025."""

    def figures(*, year, region=None):
        counted = 3 if year in years_with_figures else 0
        return {"projects": counted, "committed": "0.00", "gaoqi_valid": 40, "paid_cumulative": "1.00"}

    monkeypatch.setattr(views_annual, "headline_figures", figures)
    assert views_annual.default_year(today=dt.date(2026, 1, 10)) == opens_on
