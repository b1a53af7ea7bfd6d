"""The import template workbook (the two sheets, their headers and notes), written by kejiju.core.xlsx."""

from __future__ import annotations

from kejiju.accounts.models import Region
from kejiju.core.scoping import scope_region_ids
from kejiju.core.xlsx import import_template

from ..industries import SECTIONS
from .sheets import (
    ENTERPRISE_COLUMNS,
    ENTERPRISE_SHEET,
    FIGURE_COLUMNS,
    FIGURES_SHEET,
    MAX_BYTES,
    MAX_ROWS,
    SHEETS,
)

EXAMPLE_ENTERPRISE = (
    "示例科技有限公司",
    "91140902MA0XXXXXXX",
    "忻府区",
    "C",
    "3311",
    "2018-05-20",
    "忻州市忻府区示例路1号",
    "张三",
    "0350-0000000",
)
EXAMPLE_FIGURES = (
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
)


def template_workbook(*, user) -> bytes:
    """The blank template (kejiju.core.xlsx.import_template): both sheets, codes as text, the user's
    counties and the 行业门类 letters as drop-down lists; the 填写说明 sheet holds an example of each."""
    allowed = scope_region_ids(user)
    counties = [r.name for r in Region.objects.county_level() if allowed is None or r.pk in allowed]
    notes: list[tuple] = [
        (line,)
        for line in (
            "1. 第一行为列名，请勿修改；带 * 的列必填。示例见本表末尾，从第二行起填写。",
            "2. 统一社会信用代码为18位，该列已设为“文本”格式，避免被识别为数字。",
            "3. 所在县区填写县区名称（见下表）；行业门类填写 GB/T 4754-2017 门类字母（A–T）。",
            "4. 金额单位为元，只填数字；人数、知识产权项数填整数。不要使用公式。",
            f"5. 每个工作表最多 {MAX_ROWS} 行；文件不超过 {MAX_BYTES // 1024 // 1024} MB。"
            "任一行有错误时整个文件不导入。",
            "6. 已登记的企业（按统一社会信用代码）将被更新；同一企业同一年度的年度数据将被替换。",
            "7. 列名也可用常见写法（如 单位名称、所属区县、社会信用代码）；只有一个工作表时直接读取该表；"
            "不填的非必填列可以删去。",
        )
    ]
    notes += [(), ("县区名称",), *((name,) for name in counties), (), ("行业门类", "名称"), *SECTIONS]
    # The examples last, far below the rows a reader scans for a header (spreadsheets.HEADER_SCAN_ROWS).
    notes += [(), (f"示例（{ENTERPRISE_SHEET}）",), tuple(label for _k, label, _r in ENTERPRISE_COLUMNS)]
    notes += [EXAMPLE_ENTERPRISE, (), (f"示例（{FIGURES_SHEET}）",)]
    notes += [tuple(label for _k, label, _t in FIGURE_COLUMNS), EXAMPLE_FIGURES]
    return import_template(
        SHEETS,
        notes=notes,
        notes_widths=(90, 30),
        choices={"所在县区": counties, "行业门类": [code for code, _label in SECTIONS]},
    )
