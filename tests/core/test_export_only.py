"""Columns a wide list leaves out of the page to fit 1366 px (BaseTable.export_only) still go to its xlsx
export, in the table's order."""

import pytest

from kejiju.core.tables import BaseTable
from kejiju.core.xlsx import table_export_rows
from projects.models import Project
from projects.tables import ProjectTable

pytestmark = pytest.mark.django_db


def _all_tables():
    def walk(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from walk(sub)

    return list(walk(BaseTable))


def test_export_only_columns_leave_the_page_and_stay_in_the_export():
    table = ProjectTable(Project.objects.none())
    shown = [column.name for column in table.columns]
    headers, _rows = table_export_rows(table)
    for name in ProjectTable.export_only:
        assert name not in shown
        assert str(table.columns[name].header) in headers
    assert headers.index("起始日期") == headers.index("状态") + 1


@pytest.mark.parametrize("table_class", [t for t in _all_tables() if t.export_only], ids=lambda t: t.__name__)
def test_every_export_only_column_exists(table_class):
    assert set(table_class.export_only) <= set(table_class.base_columns)
