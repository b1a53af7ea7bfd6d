"""Spreadsheet exports, written with XlsxWriter (constant memory: each row goes to a temporary file as it
is written). Cells are native (kejiju.core.presentation.cell): local dates and times with a date format,
numbers, money with "#,##0.00", 是/否, labels. Text is always a text cell (`write_string`), so that text
a spreadsheet would run as a formula ("=1+1", "+86 138…", "-x", "@x") stays text and reads back as it was
stored (no formula, no added apostrophe). openpyxl stays for reading imports."""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any, NamedTuple

import xlsxwriter
from django.http import FileResponse
from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.workbook import Workbook

from . import presentation
from .watermark import XLSX_CONTENT_TYPE, viewer_stamp, xlsx_stamp_worksheet

WORKBOOK_OPTIONS = {
    "constant_memory": True,
    "strings_to_formulas": False,
    "strings_to_numbers": False,
    "strings_to_urls": False,
    "remove_timezone": True,
}
_HEADER = {"bold": True, "bg_color": "#DDEBF7", "align": "center", "valign": "vcenter"}


class Formatted(NamedTuple):
    """A cell value with its own number format (a key-value sheet whose rows differ in kind)."""

    value: Any
    number_format: str | None


def cell_value(value: Any) -> Any:
    """The value an export cell holds (the presentation layer's native value; any other object as its
    text)."""
    return presentation.cell(value)


def _formats(workbook: Workbook) -> dict[str | None, Any]:
    cache = getattr(workbook, "kejiju_formats", None)
    if cache is None:
        cache = workbook.kejiju_formats = {None: None, "header": workbook.add_format(_HEADER)}
    return cache


def _format(workbook: Workbook, number_format: str | None):
    cache = _formats(workbook)
    if number_format not in cache:
        cache[number_format] = workbook.add_format({"num_format": number_format})
    return cache[number_format]


def _write(sheet, workbook: Workbook, row: int, col: int, value: Any, number_format: str | None) -> None:
    if type(value) is str:  # most cells: what presentation.cell would leave as it is, with no format
        sheet.write_string(row, col, value)
        return
    if isinstance(value, Formatted):
        value, number_format = value.value, value.number_format
    kind = presentation.xlsx_format(value)
    value = presentation.cell(value)
    if value is None:
        return
    if isinstance(value, str):
        sheet.write_string(row, col, value)
    elif isinstance(value, dt.date):  # datetimes included: local and naive (presentation.cell)
        sheet.write_datetime(row, col, value, _format(workbook, number_format or kind))
    elif isinstance(value, int | float | Decimal):
        sheet.write_number(row, col, value, _format(workbook, number_format or kind))
    else:
        sheet.write_string(row, col, str(value))


def add_sheet(
    workbook: Workbook,
    *,
    title: str,
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    widths: Sequence[int] | None = None,
    number_formats: dict[int, str] | None = None,
) -> int:
    """Write one sheet with a bold frozen header; returns the number of data rows written."""
    sheet = workbook.add_worksheet(title[:31])
    if stamp := getattr(workbook, "kejiju_watermark", None):
        xlsx_stamp_worksheet(sheet, stamp)
    sheet.freeze_panes(1, 0)
    header_format = _formats(workbook)["header"]
    for index, header in enumerate(headers):
        width = widths[index] if widths else max(10, min(40, len(str(header)) * 2 + 4))
        sheet.set_column(index, index, width)
        sheet.write_string(0, index, str(header), header_format)
    formats = number_formats or {}
    count = 0
    for count, row in enumerate(rows, start=1):
        for index, value in enumerate(row):
            _write(sheet, workbook, count, index, value, formats.get(index))
    return count


def new_workbook(*, viewer) -> Workbook:
    """A workbook whose every sheet (added by `add_sheet`) prints the viewer's name and the time in its page
    header (kejiju.core.watermark). `viewer=None` only for a file without a viewer yet: a report job's
    file, marked when it is downloaded (kejiju.core.views.pages.ReportJobDownloadView), or a blank import
    template. Written to a temporary file; `workbook_bytes` or `xlsx_response` close it."""
    handle = tempfile.TemporaryFile()  # noqa: SIM115 - closed by workbook_bytes / the response
    workbook = xlsxwriter.Workbook(handle, WORKBOOK_OPTIONS)
    workbook.kejiju_handle = handle
    workbook.kejiju_watermark = viewer_stamp(viewer) if viewer is not None else None
    return workbook


def _finish(workbook: Workbook):
    handle = workbook.kejiju_handle
    workbook.close()
    handle.seek(0)
    return handle


def workbook_bytes(workbook: Workbook) -> bytes:
    with _finish(workbook) as handle:
        return handle.read()


def workbook_response(workbook: Workbook, *, filename: str) -> FileResponse:
    return FileResponse(
        _finish(workbook), as_attachment=True, filename=filename, content_type=XLSX_CONTENT_TYPE
    )


def xlsx_response(
    *, filename: str, title: str, headers: Sequence[str], rows: Iterable[Sequence[Any]], viewer
) -> FileResponse:
    workbook = new_workbook(viewer=viewer)
    add_sheet(workbook, title=title, headers=headers, rows=rows)
    return workbook_response(workbook, filename=filename)


def filtered_queryset(filterset):
    """The rows a list page shows for this filter; an invalid filter shows nothing rather than all."""
    if filterset.is_bound and not filterset.is_valid():
        return filterset.queryset.none()
    return filterset.qs


def table_export_rows(table) -> tuple[list[str], Iterable[list[Any]]]:
    """Headers and row values of a django-tables2 table, the columns it shows, every row (not one page)."""
    excluded = getattr(table, "export_exclude", ("actions",))
    columns = [
        column
        for column in table.columns.iterall()
        if column.name not in excluded
        and (column.visible or column.name in getattr(table, "export_only", ()))
    ]
    if hasattr(table, "export_values"):  # kejiju.core.tables.BaseTable: streamed, per-column work once
        return [str(column.header) for column in columns], table.export_values(columns)
    names = [column.name for column in columns]
    rows = ([row.get_cell_value(name) for name in names] for row in table.rows)
    return [str(column.header) for column in columns], rows


# ------------------------------------------------------------------------------------ import templates

# Columns Excel would turn into numbers (a 18-digit code loses its last digits, a leading 0 goes): text.
TEXT_COLUMN_HINTS = ("信用代码", "身份证", "证件号码", "手机", "电话", "行业代码", "文号")
TEMPLATE_ROWS = 1000  # the rows that get a column's choice list (a column's text format covers all)
NOTES_SHEET = "填写说明"
CHOICES_SHEET = "选项"


def is_text_column(label: str) -> bool:
    return any(hint in label for hint in TEXT_COLUMN_HINTS)


def import_template(
    specs: Sequence[Any],
    *,
    notes: Iterable[Sequence[Any]] = (),
    notes_headers: Sequence[str] = ("说明",),
    notes_widths: Sequence[int] | None = (100,),
    choices: dict[str, Sequence[str]] | None = None,
) -> bytes:
    """The blank workbook a user downloads to fill in for an import, built from the importer's column spec
    (kejiju.core.spreadsheets.SheetSpec, one sheet each, in order): the header row (a required column's
    label marked "*", which the reader strips), widths from the labels, text format for the columns Excel
    would mangle (统一社会信用代码, 身份证号码, 手机号码…), and a drop-down list for each column named in
    `choices` (column label → its values; kept on a hidden sheet, so a list of any length works; a value
    not in the list is warned about, not refused: the importer also reads its other spellings). `notes`
    are the rows of the 填写说明 sheet."""
    workbook = new_workbook(viewer=None)  # a blank template: nobody's data, no viewer stamp
    text = workbook.add_format({"num_format": "@"})
    header_format = _formats(workbook)["header"]
    choices = {label: list(values) for label, values in (choices or {}).items() if values}
    sheets = []
    for spec in specs:
        sheet = workbook.add_worksheet(spec.title[:31])
        sheet.freeze_panes(1, 0)
        for index, column in enumerate(spec.columns):
            header = f"{column.label}{'*' if column.required else ''}"
            width = max(12, min(40, len(column.label) * 2 + 6))
            sheet.set_column(index, index, width, text if is_text_column(column.label) else None)
            sheet.write_string(0, index, header, header_format)
        sheets.append((spec, sheet))
    add_sheet(workbook, title=NOTES_SHEET, headers=notes_headers, rows=notes, widths=notes_widths)
    if choices:
        lists = workbook.add_worksheet(CHOICES_SHEET)
        ranges = {}
        for index, (label, values) in enumerate(choices.items()):
            for row, value in enumerate(values):
                lists.write_string(row, index, str(value))
            letter = xl_col_to_name(index)
            ranges[label] = f"={CHOICES_SHEET}!${letter}$1:${letter}${len(values)}"
        lists.hide()
        for spec, sheet in sheets:
            for index, column in enumerate(spec.columns):
                if column.label in ranges:
                    sheet.data_validation(
                        1,
                        index,
                        min(TEMPLATE_ROWS, spec.max_rows),
                        index,
                        {
                            "validate": "list",
                            "source": ranges[column.label],
                            "error_type": "warning",
                            "error_title": column.label,
                            "error_message": f"请从列表中选择{column.label}。",
                        },
                    )
    return workbook_bytes(workbook)
