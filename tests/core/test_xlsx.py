"""Exports written with XlsxWriter: native cells (local times, numbers, money format, 是/否), text that
looks like a formula kept as text without an added apostrophe, the viewer's stamp in every sheet's page
header and footer."""

import datetime as dt
import io
import zipfile
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from kejiju.core import presentation
from kejiju.core.xlsx import WORKBOOK_OPTIONS, Formatted, add_sheet, new_workbook, workbook_bytes

FORMULA_LIKE = ['=HYPERLINK("http://x")', "=1+1", "+86 138 0000 0000", "-x", "@SUM(A1)", "\tcmd", "忻府区"]


class _Row:
    """A related object in a table cell (e.g. the host unit of a platform), written as its text."""

    def __str__(self):
        return '=HYPERLINK("http://x")'


def _book(rows, **kwargs):
    workbook = new_workbook(viewer=None)
    add_sheet(workbook, title="表", headers=["值"], rows=rows, **kwargs)
    return load_workbook(io.BytesIO(workbook_bytes(workbook)))


def test_the_writer_never_turns_text_into_formulas_numbers_or_links():
    assert WORKBOOK_OPTIONS["constant_memory"] is True
    for option in ("strings_to_formulas", "strings_to_numbers", "strings_to_urls"):
        assert WORKBOOK_OPTIONS[option] is False


@pytest.mark.parametrize("value", FORMULA_LIKE)
def test_formula_like_text_is_a_text_cell_with_the_stored_value(value):
    cell = _book([[value]])["表"]["A2"]
    assert cell.data_type == "s"
    assert cell.value == value


def test_an_object_is_written_as_its_text():
    cell = _book([[_Row()]])["表"]["A2"]
    assert (cell.data_type, cell.value) == ("s", '=HYPERLINK("http://x")')


def test_cells_are_native_and_local():
    utc = dt.datetime(2026, 12, 4, 20, 21, 46, 283124, tzinfo=dt.UTC)
    sheet = _book(
        [
            [utc],
            [dt.date(2023, 1, 2)],
            [True],
            [False],
            [presentation.Money("300000")],
            [12],
            [Decimal("1.50")],
            [None],
            [Formatted(Decimal("0.25"), "0.0%")],
        ]
    )["表"]
    values = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    shanghai = utc.astimezone(ZoneInfo("Asia/Shanghai")).replace(tzinfo=None)
    assert values[0].replace(microsecond=0) == shanghai.replace(microsecond=0)
    assert values[1] == dt.datetime(2023, 1, 2)  # openpyxl reads date cells as datetimes
    assert values[2:4] == ["是", "否"]
    assert values[4] == 300000 and values[5] == 12 and values[6] == 1.5 and values[7] is None
    assert sheet["A2"].number_format == presentation.XLSX_DATETIME
    assert sheet["A3"].number_format == presentation.XLSX_DATE
    assert sheet["A6"].number_format == presentation.XLSX_MONEY
    assert sheet["A10"].number_format == "0.0%"


def test_every_sheet_prints_the_viewer_in_its_header_and_footer(django_user_model, db):
    user = django_user_model.objects.create(username="zhangsan", display_name="张三 & 李四")
    workbook = new_workbook(viewer=user)
    for title in ("一", "二"):
        add_sheet(workbook, title=title, headers=["a"], rows=[[1]])
    data = workbook_bytes(workbook)
    book = load_workbook(io.BytesIO(data))
    for sheet in book.worksheets:
        assert "张三 && 李四（zhangsan）" in sheet.oddHeader.center.text  # "&&": a literal "&" in a header
        assert "张三 && 李四（zhangsan）" in sheet.oddFooter.center.text  # "&&": a literal "&" in a header
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert "sharedStrings" not in " ".join(archive.namelist())  # constant memory: inline strings
