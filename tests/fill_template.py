"""Fill a downloaded import template (kejiju.core.xlsx.import_template) as a user would: open it in a
spreadsheet program (openpyxl here), type rows below the header, save."""

from __future__ import annotations

import io
from collections.abc import Sequence

from openpyxl import load_workbook


def downloaded(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def headers(content: bytes, sheet: str) -> list[str]:
    """The header row as the user sees it, without the "*" marking a required column."""
    book = load_workbook(io.BytesIO(content))
    return [str(cell.value).rstrip("*") for cell in book[sheet][1]]


def fill(content: bytes, rows: dict[str, Sequence[Sequence]]) -> bytes:
    book = load_workbook(io.BytesIO(content))
    for sheet, values in rows.items():
        for number, row in enumerate(values, start=2):
            for column, value in enumerate(row, start=1):
                book[sheet].cell(row=number, column=column, value=value)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
