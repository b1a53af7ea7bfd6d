"""List tables write their rows in Python (kejiju.core.tables.BaseTable.tbody_html): the cells must be what
django-tables2's own template gives for the same table, links, dates, money, booleans and empty cells."""

import datetime as dt
import re
from decimal import Decimal
from itertools import count

import pytest
from django.urls import reverse

from tests.enterprises.factories import EnterpriseFactory
from tests.experts.factories import ExpertFactory
from tests.projects.factories import ProjectFactory

pytestmark = pytest.mark.django_db


def _normalise(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r">\s+<", "><", html)).strip()


def _stock_tbody(table, request) -> str:
    table.template_name = "django_tables2/bootstrap5.html"
    table._counter = count()  # rows are numbered (odd/even) from the first again
    html = table.as_html(request)
    return re.search(r"<tbody[^>]*>(.*)</tbody>", html, re.S).group(1)


@pytest.mark.parametrize(
    "url_name", ["projects:project_list", "enterprises:enterprise_list", "experts:expert_list"]
)
def test_rows_are_what_django_tables2_writes(client, bureau_user, county_a, url_name):
    for index in range(3):
        ProjectFactory(
            region=county_a,
            title=f"<b>项目</b> & “{index}”",
            pi_name="王<研>&究",
            city_grant=Decimal("1234567.50") if index else None,
            lump_sum=bool(index % 2),
            start_date=dt.date(2024, 1, index + 1),
        )
        EnterpriseFactory(region=county_a, name=f"企业<{index}>")
        ExpertFactory(name=f"专家{index}")
    client.force_login(bureau_user)
    response = client.get(reverse(url_name))
    table = response.context["table"]
    table._counter = count()
    ours = str(table.tbody_html())
    assert ours.count("<tr ") >= 3
    assert _normalise(ours) == _normalise(_stock_tbody(table, response.wsgi_request))
