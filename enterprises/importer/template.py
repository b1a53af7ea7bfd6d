"""The import template workbook (the two sheets, their headers and notes)."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from kejiju.accounts.models import Region
from kejiju.core.scoping import scope_region_ids

from ..industries import SECTIONS
from .sheets import ENTERPRISE_COLUMNS, ENTERPRISE_SHEET, FIGURE_COLUMNS, FIGURES_SHEET, MAX_BYTES, MAX_ROWS


def template_workbook(*, user) -> bytes:
    workbook = Workbook()
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
    sheet = workbook.active
    sheet.title = ENTERPRISE_SHEET
    sheet.append([f"{label}{'*' if required else ''}" for _k, label, required in ENTERPRISE_COLUMNS])
    sheet.append(
        [
            "示例科技有限公司",
            "91140902MA0XXXXXXX",
            "忻府区",
            "C",
            "3311",
            "2018-05-20",
            "忻州市忻府区示例路1号",
            "张三",
            "0350-0000000",
        ]
    )
    figures = workbook.create_sheet(FIGURES_SHEET)
    figures.append([label for _k, label, _t in FIGURE_COLUMNS])
    figures.append(
        [
            "91140902MA0XXXXXXX",
            2025,
            120,
            30,
            50000000,
            52000000,
            40000000,
            80000000,
            2500000,
            2500000,
            45000000,
            1,
            5,
        ]
    )
    for ws in (sheet, figures):
        for cell in ws[1]:
            cell.font, cell.fill = bold, fill
        for index in range(1, ws.max_column + 1):
            ws.column_dimensions[get_column_letter(index)].width = 22
        ws.freeze_panes = "A2"
    for row in range(2, MAX_ROWS + 2):  # keep long codes as text
        sheet.cell(row=row, column=2).number_format = "@"
        figures.cell(row=row, column=1).number_format = "@"
    notes = workbook.create_sheet("填写说明")
    notes.append(["说明"])
    for line in (
        "1. 第一行为列名，请勿修改；带 * 的列必填；示例行请删除后再填写。",
        "2. 统一社会信用代码为18位，请将单元格设为“文本”格式，避免被识别为数字。",
        "3. 所在县区填写县区名称（见下表）；行业门类填写 GB/T 4754-2017 门类字母（A–T）。",
        "4. 金额单位为元，只填数字；人数、知识产权项数填整数。不要使用公式。",
        f"5. 每个工作表最多 {MAX_ROWS} 行；文件不超过 {MAX_BYTES // 1024 // 1024} MB。"
        "任一行有错误时整个文件不导入。",
        "6. 已登记的企业（按统一社会信用代码）将被更新；同一企业同一年度的年度数据将被替换。",
        "7. 列名也可用常见写法（如 单位名称、所属区县、社会信用代码）；只有一个工作表时直接读取该表；"
        "不填的非必填列可以删去。",
    ):
        notes.append([line])
    notes.append([])
    notes.append(["县区名称"])
    allowed = scope_region_ids(user)
    for region in Region.objects.county_level():
        if allowed is None or region.pk in allowed:
            notes.append([region.name])
    notes.append([])
    notes.append(["行业门类", "名称"])
    for code, label in SECTIONS:
        notes.append([code, label])
    notes.column_dimensions["A"].width = 90
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
