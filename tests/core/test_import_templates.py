"""The blank import templates (kejiju.core.xlsx.import_template), written by XlsxWriter from each importer's
column spec: headers in the spec's order, codes typed as text, drop-down lists for choice columns. Each
importer's own test fills its template with one valid row and imports it (the round trip)."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from kejiju.core.spreadsheets import Column, SheetSpec
from kejiju.core.xlsx import CHOICES_SHEET, NOTES_SHEET, import_template

SPEC = SheetSpec(
    title="名单",
    columns=(
        Column("name", "名称", True),
        Column("uscc", "统一社会信用代码", True),
        Column("kind", "主体类型"),
        Column("phone", "手机号码"),
        Column("amount", "金额（元）"),
    ),
)


def test_the_template_follows_the_spec():
    content = import_template(
        (SPEC,), notes=[("1. 说明",)], choices={"主体类型": ("单位", "个人"), "无此列": ("x",)}
    )
    book = load_workbook(io.BytesIO(content))
    assert book.sheetnames == ["名单", NOTES_SHEET, CHOICES_SHEET]
    sheet = book["名单"]
    assert [cell.value for cell in sheet[1]] == [
        "名称*",
        "统一社会信用代码*",
        "主体类型",
        "手机号码",
        "金额（元）",
    ]
    assert sheet.freeze_panes == "A2"
    text_columns = {
        letter for letter, dimension in sheet.column_dimensions.items() if dimension.number_format == "@"
    }
    assert text_columns == {"B", "D"}
    (validation,) = sheet.data_validations.dataValidation
    assert validation.type == "list" and str(validation.sqref).startswith("C2:C")
    assert validation.formula1 == f"{CHOICES_SHEET}!$A$1:$A$2"
    assert book[CHOICES_SHEET].sheet_state == "hidden"
    assert [row[0] for row in book[CHOICES_SHEET].iter_rows(values_only=True)] == ["单位", "个人"]
    assert [row[0] for row in book[NOTES_SHEET].iter_rows(values_only=True)] == ["说明", "1. 说明"]


def test_a_template_without_choices_has_no_hidden_sheet():
    book = load_workbook(io.BytesIO(import_template((SPEC,))))
    assert book.sheetnames == ["名单", NOTES_SHEET]
