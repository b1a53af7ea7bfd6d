"""The import workbook's layout: limits, the two sheets and their columns, the parsed result, and the one
check of the file itself (check_file) before any reader opens it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from kejiju.core import spreadsheets
from kejiju.core.spreadsheets import Column, RowError, SheetSpec

from ..models import Enterprise, EnterpriseYear

MAX_BYTES = spreadsheets.MAX_BYTES
MAX_ROWS = 10_000  # data rows per sheet (10,000 rows take about 20 MB while parsed)
INLINE_ROWS = 300  # larger files are committed by a background job (enterprises/jobs.py)
UPLOAD_DIR = "enterprises"  # under spreadsheets.IMPORT_UPLOAD_DIR

ENTERPRISE_SHEET = "企业"
FIGURES_SHEET = "年度数据"

_enterprise = Enterprise._meta.get_field
_year = EnterpriseYear._meta.get_field
_REGION = ("所属区县", "所属县区", "所在区县", "区县", "县区", "县（市、区）", "所属县（市、区）")
_USCC = ("社会信用代码", "信用代码", "统一信用代码", "统一社会信用代码证号", "纳税人识别号")


def _money_column(label: str, key: str, *more: str) -> Column:
    return Column(key, label, synonyms=(label.removesuffix("（元）"), *more))


ENTERPRISE_SPEC = SheetSpec(
    title=ENTERPRISE_SHEET,
    synonyms=("企业信息", "企业名单", "企业名录"),
    max_rows=MAX_ROWS,
    columns=(
        Column(
            "name", "企业名称", True, ("单位名称", "企业全称", "企业名", "名称"), field=_enterprise("name")
        ),
        Column("uscc", "统一社会信用代码", True, _USCC),
        Column("region", "所在县区", True, _REGION),
        Column("industry_section", "行业门类", True, ("门类", "国民经济行业门类", "所属行业门类")),
        Column(
            "industry_code",
            "行业代码",
            synonyms=("国民经济行业代码", "行业小类代码", "行业小类"),
            field=_enterprise("industry_code"),
        ),
        Column("established_on", "成立日期", synonyms=("成立时间", "注册日期", "成立年月")),
        Column(
            "address",
            "地址",
            synonyms=("企业地址", "注册地址", "通讯地址", "详细地址", "住所", "经营地址"),
            field=_enterprise("address"),
        ),
        Column(
            "contact_person",
            "联系人",
            synonyms=("联系人姓名", "企业联系人"),
            field=_enterprise("contact_person"),
        ),
        Column(
            "contact_phone",
            "联系电话",
            synonyms=("电话", "联系方式", "联系人电话", "手机", "手机号码"),
            field=_enterprise("contact_phone"),
        ),
    ),
)
FIGURE_KINDS: dict[str, str] = {
    "uscc": "code",
    "year": "year",
    "employees": "int",
    "tech_staff": "int",
    "ip_class1": "int",
    "ip_class2": "int",
}
FIGURES_SPEC = SheetSpec(
    title=FIGURES_SHEET,
    synonyms=("年度数据表", "年度指标", "经营数据"),
    max_rows=MAX_ROWS,
    columns=(
        Column("uscc", "统一社会信用代码", True, _USCC),
        Column("year", "年度", True, ("年份", "统计年度", "数据年度")),
        Column("employees", "职工总数", synonyms=("职工人数", "从业人员数", "从业人员", "员工总数")),
        Column("tech_staff", "科技人员数", synonyms=("科技人员", "科技人员数量")),
        _money_column("销售收入（元）", "revenue", "营业收入（元）", "营业收入"),
        _money_column("总收入（元）", "total_income"),
        _money_column(
            "高新技术产品（服务）收入（元）", "high_tech_revenue", "高新技术产品收入（元）", "高新收入（元）"
        ),
        _money_column("资产总额（元）", "total_assets", "总资产（元）", "总资产"),
        _money_column("研发费用总额（元）", "rd_expense", "研发费用（元）", "研发费用"),
        _money_column("境内研发费用（元）", "rd_expense_in_china"),
        _money_column("成本费用支出总额（元）", "total_cost", "成本费用总额（元）"),
        Column("ip_class1", "Ⅰ类知识产权（项）", synonyms=("Ⅰ类知识产权", "I类知识产权", "一类知识产权")),
        Column("ip_class2", "Ⅱ类知识产权（项）", synonyms=("Ⅱ类知识产权", "II类知识产权", "二类知识产权")),
    ),
)
SHEETS = (ENTERPRISE_SPEC, FIGURES_SPEC)

# (key, label, required) and (key, label, kind): the template's columns, in order.
ENTERPRISE_COLUMNS: list[tuple[str, str, bool]] = [
    (c.key, c.label, c.required) for c in ENTERPRISE_SPEC.columns
]
FIGURE_COLUMNS: list[tuple[str, str, str]] = [
    (c.key, c.label, FIGURE_KINDS.get(c.key, "money")) for c in FIGURES_SPEC.columns
]
ENTERPRISE_LABELS = {key: label for key, label, _r in ENTERPRISE_COLUMNS}
FIGURE_LABELS = {key: label for key, label, _t in FIGURE_COLUMNS}

ImportRefused = spreadsheets.SpreadsheetRefused


@dataclass
class ParsedImport:
    enterprises: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    figures: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    # Shown, never refused: a code registered outside the row's county (enterprises move).
    warnings: list[RowError] = field(default_factory=list)
    new_count: int = 0
    update_count: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors


def check_file(*, name: str, content: bytes) -> None:
    """Refuse anything that is not a plausible, bounded xlsx before openpyxl sees it."""
    spreadsheets.check_package(name=name, content=content)
