"""Every list table (every subclass of kejiju.core.tables.BaseTable) exports what its page shows: for the
demo world's rows, each exported cell equals the page's cell — dates and times compared as values in
local time, 是/否, choice labels, money — and the cells are native (dates, numbers), never a time in UTC
or True/False. seed_demo runs once for the module, inside a transaction rolled back at the end."""

from __future__ import annotations

import datetime as dt
import html
import io
import re
from decimal import Decimal
from importlib import import_module

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import formats

from kejiju.core import presentation, uploads
from kejiju.core.tables import BaseTable

pytestmark = pytest.mark.django_db


def _table_classes() -> list[type[BaseTable]]:
    for config in apps.get_app_configs():
        try:
            import_module(f"{config.name}.tables")
        except ModuleNotFoundError:
            continue
    found, stack = [], [BaseTable]
    while stack:
        for sub in stack.pop().__subclasses__():
            stack.append(sub)
            if sub.__module__.startswith("tests."):
                continue
            found.append(sub)
    return sorted(set(found), key=lambda table: f"{table.__module__}.{table.__name__}")


def _list_urls() -> dict[type, list[str]]:
    """Table class → the URLs (without arguments) of the list views that show it."""
    urls: dict[type, list[str]] = {}

    def walk(patterns, prefix=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                route = prefix + str(pattern.pattern)
                view = getattr(pattern.callback, "view_class", None)
                table = getattr(view, "table_class", None)
                if table and "<" not in route and "(?P" not in route and "export" not in route:
                    urls.setdefault(table, []).append("/" + route.lstrip("^").rstrip("$"))

    walk(get_resolver().url_patterns)
    return urls


TABLES = _table_classes()


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        atomic = uploads.atomic()  # seed_demo stores files: the transaction that removes them on rollback
        atomic.__enter__()
        try:
            from kejiju.accounts.models import Region
            from kejiju.accounts.regions import ensure_regions
            from kejiju.core.holidays import ensure_published_arrangements
            from kejiju.core.models import HolidayArrangement

            if not Region.objects.exists():
                ensure_regions(Region)
            ensure_published_arrangements(HolidayArrangement)
            call_command("seed_demo", stdout=io.StringIO())
            _annual_edition()
            _demo_accounts_in_use()
            yield
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def _demo_accounts_in_use():
    """The demo accounts are made to change their first password; here they have (the pages, not a
    redirect to the password form)."""
    from django.utils import timezone

    from kejiju.accounts.models import User

    User.objects.update(must_change_password=False, password_changed_at=timezone.now())


def _annual_edition():
    """The demo builds no annual review edition (a PDF job); one finished job for AnnualEditionTable."""
    from django.utils import timezone

    from kejiju.accounts.models import User
    from kejiju.core.models import ReportJob

    ReportJob.objects.create(
        kind="annual_review",
        parameters={"year": 2023},
        state=ReportJob.State.SUCCEEDED,
        finished_at=timezone.now(),
        requested_by=User.objects.get(username="bureau"),
    )


def _page_table(table_class, urls):
    """The table as its list page builds it (queryset, annotations, order, first page), for the first
    demo account that may open the page; else the table over every row of its model."""
    from kejiju.accounts.models import User

    for url in urls.get(table_class, []):
        for username in ("bureau", "sysadmin", "auditor", "leader", "unit_admin"):
            client = Client()
            client.force_login(User.objects.get(username=username))
            response = client.get(url)
            if response.status_code == 200 and response.context and "table" in response.context:
                table = response.context["table"]
                if type(table) is table_class:
                    return table
    model = next(
        k._meta.model for k in table_class.__mro__ if getattr(getattr(k, "_meta", None), "model", None)
    )
    assert not urls.get(table_class), f"{table_class.__name__}: no demo account opens {urls[table_class]}"
    table = table_class(model._default_manager.all())
    table.paginate(per_page=50)
    return table


_ROW = re.compile(r"<tr\b[^>]*>(.*?)</tr>", re.S)
_CELL = re.compile(r"<td\b[^>]*>(.*?)</td>", re.S)


def _text(fragment: str) -> str:
    fragment = re.sub(r"<br\s*/?>", "；", fragment)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", fragment)).split())


def _matches(shown: str, exported) -> bool:
    if exported is None:
        return shown in ("", presentation.EMPTY)
    if isinstance(exported, bool):
        return False  # never True/False in a file
    if isinstance(exported, presentation.Money):
        return shown == presentation.amount(exported)
    if isinstance(exported, dt.datetime):
        assert exported.tzinfo is None  # local and naive (presentation.cell)
        return shown in (
            presentation.date_text(exported, presentation.DATETIME_FORMAT),
            presentation.date_text(exported, "Y-m-d H:i:s"),
            presentation.date_text(exported.date()),
        )
    if isinstance(exported, dt.date):
        return shown == presentation.date_text(exported)
    if isinstance(exported, int | float | Decimal):
        return shown in (formats.localize(exported), presentation.text(exported))
    return shown == " ".join(str(exported).replace("\n", " ").split())


def test_the_sweep_finds_every_table():
    assert len(TABLES) >= 41, [t.__name__ for t in TABLES]


def test_every_table_exports_what_its_page_shows(demo):
    urls = _list_urls()
    problems, empty, kinds = {}, [], set()
    for table_class in TABLES:
        table = _page_table(table_class, urls)
        excluded = table.export_exclude
        columns = list(table.columns)
        exported_columns = [c for c in columns if c.name not in excluded]
        page_rows = [_CELL.findall(row) for row in _ROW.findall(str(table.tbody_html()))]
        page_rows = [cells for cells in page_rows if len(cells) == len(columns)]
        if not page_rows:
            empty.append(table_class.__name__)
            continue
        # The export of the page's own records in the page's order (rows of equal sort keys may come
        # in another order from a second query).
        records = [row.record for row in table.paginated_rows]
        again = type(table)(records, order_by=())
        exported = again.export_values([again.columns[c.name] for c in exported_columns])
        for cells, values in zip(page_rows, exported, strict=False):
            shown = {c.name: _text(cell) for c, cell in zip(columns, cells, strict=True)}
            for column, value in zip(exported_columns, values, strict=True):
                kinds.add(type(value))
                differs = column.name in getattr(table, "export_differs", ())
                if not differs and not _matches(shown[column.name], value):
                    key = f"{table_class.__name__}.{column.name}"
                    problems.setdefault(key, f"{key}: page {shown[column.name]!r}, file {value!r}")
    assert not problems, "\n".join(sorted(problems.values()))
    assert not empty, f"tables without a demo row: {empty}"
    # The demo rows hold every kind of value the layer renders.
    for kind in (str, int, Decimal, presentation.Money, dt.date, dt.datetime, type(None)):
        assert kind in kinds, kind
    assert bool not in kinds
