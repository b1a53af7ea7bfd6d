"""Safe spreadsheet export helpers (openpyxl write-only: rows stream to a temporary file)."""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.http import FileResponse
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from .watermark import XLSX_CONTENT_TYPE, viewer_stamp, xlsx_stamp_sheet

_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")


def neutralise(value: Any) -> Any:
    """A text cell that a spreadsheet would run as a formula gets a leading apostrophe (CSV/formula
    injection, OWASP); numbers, dates and the rest pass unchanged."""
    if isinstance(value, str):
        if value.startswith(_FORMULA_PREFIXES):
            return "'" + value
        return value
    if value is None or isinstance(value, int | float | Decimal | dt.date | dt.datetime | bool):
        if isinstance(value, dt.datetime) and value.tzinfo is not None:
            from django.utils import timezone

            return timezone.localtime(value).replace(tzinfo=None)
        return value
    return neutralise(str(value))  # an object (a related row, a lazy string) is written as its text


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
    sheet = workbook.create_sheet(title=title[:31])
    if stamp := getattr(workbook, "kejiju_watermark", None):
        xlsx_stamp_sheet(sheet, stamp)
    sheet.freeze_panes = "A2"
    for index, header in enumerate(headers, start=1):
        width = widths[index - 1] if widths else max(10, min(40, len(str(header)) * 2 + 4))
        sheet.column_dimensions[get_column_letter(index)].width = width
    header_cells = []
    for header in headers:
        cell = WriteOnlyCell(sheet, value=str(header))
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center")
        header_cells.append(cell)
    sheet.append(header_cells)
    count = 0
    formats = number_formats or {}
    for row in rows:
        values = [neutralise(v) for v in row]
        if formats:
            cells = []
            for index, value in enumerate(values):
                cell = WriteOnlyCell(sheet, value=value)
                if index in formats:
                    cell.number_format = formats[index]
                cells.append(cell)
            sheet.append(cells)
        else:
            sheet.append(values)
        count += 1
    return count


def new_workbook(*, viewer) -> Workbook:
    """A workbook whose every sheet (added by `add_sheet`) prints the viewer's name and the time in its page
    header (kejiju.core.watermark). `viewer=None` only for a file without a viewer yet: a report job's
    file, marked when it is downloaded (kejiju.core.views.pages.ReportJobDownloadView), or a blank import
    template."""
    workbook = Workbook(write_only=True)
    workbook.kejiju_watermark = viewer_stamp(viewer) if viewer is not None else None
    return workbook


def workbook_bytes(workbook: Workbook) -> bytes:
    with tempfile.TemporaryFile() as handle:
        workbook.save(handle)
        handle.seek(0)
        return handle.read()


def xlsx_response(
    *, filename: str, title: str, headers: Sequence[str], rows: Iterable[Sequence[Any]], viewer
) -> FileResponse:
    workbook = new_workbook(viewer=viewer)
    add_sheet(workbook, title=title, headers=headers, rows=rows)
    handle = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it
    workbook.save(handle)
    handle.seek(0)
    return FileResponse(handle, as_attachment=True, filename=filename, content_type=XLSX_CONTENT_TYPE)


def filtered_queryset(filterset):
    """The rows a list page shows for this filter; an invalid filter shows nothing rather than all."""
    if filterset.is_bound and not filterset.is_valid():
        return filterset.queryset.none()
    return filterset.qs


def table_export_rows(table) -> tuple[list[str], Iterable[list[Any]]]:
    """Headers and row values of a django-tables2 table, the columns it shows, every row (not one page)."""
    excluded = getattr(table, "export_exclude", ("actions",))
    columns = [column for column in table.columns if column.name not in excluded]
    if hasattr(table, "export_values"):  # kejiju.core.tables.BaseTable: streamed, per-column work once
        return [str(column.header) for column in columns], table.export_values(columns)
    names = [column.name for column in columns]
    rows = ([row.get_cell_value(name) for name in names] for row in table.rows)
    return [str(column.header) for column in columns], rows
