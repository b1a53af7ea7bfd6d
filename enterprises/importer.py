"""Import of enterprises and yearly figures from an xlsx workbook: safety checks on the file, per-row
validation with row number, column and reason in Chinese, then an all-or-nothing commit.

The file is refused as a whole (nothing is read into the database) when it is not an xlsx, is too large,
expands to too much (a zip bomb), has too many rows, or holds formulas where values belong. openpyxl parses
its XML through defusedxml (installed), which refuses entity expansion (XML bombs).
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from kejiju.accounts.models import Region
from kejiju.accounts.scoping import scope_region_ids
from kejiju.core.auditing import log_bulk_created
from kejiju.core.identifiers import IdentifierError, validate_uscc
from kejiju.core.models import Organization

from . import services
from .industries import SECTION_NAMES, SECTIONS
from .models import Enterprise, EnterpriseYear

MAX_BYTES = 5 * 1024 * 1024  # the upload itself
MAX_UNCOMPRESSED = 50 * 1024 * 1024  # all members of the zip, expanded
MAX_MEMBERS = 200
MAX_RATIO = 200  # expanded / compressed, per member
MAX_ROWS = 10_000  # data rows per sheet (10,000 rows take about 20 MB while parsed)
INLINE_ROWS = 300  # larger files are committed by a background job (enterprises/jobs.py)

ENTERPRISE_SHEET = "企业"
FIGURES_SHEET = "年度数据"

ENTERPRISE_COLUMNS: list[tuple[str, str, bool]] = [
    ("name", "企业名称", True),
    ("uscc", "统一社会信用代码", True),
    ("region", "所在县区", True),
    ("industry_section", "行业门类", True),
    ("industry_code", "行业代码", False),
    ("established_on", "成立日期", False),
    ("address", "地址", False),
    ("contact_person", "联系人", False),
    ("contact_phone", "联系电话", False),
]
FIGURE_COLUMNS: list[tuple[str, str, str]] = [
    ("uscc", "统一社会信用代码", "code"),
    ("year", "年度", "year"),
    ("employees", "职工总数", "int"),
    ("tech_staff", "科技人员数", "int"),
    ("revenue", "销售收入（元）", "money"),
    ("total_income", "总收入（元）", "money"),
    ("high_tech_revenue", "高新技术产品（服务）收入（元）", "money"),
    ("total_assets", "资产总额（元）", "money"),
    ("rd_expense", "研发费用总额（元）", "money"),
    ("rd_expense_in_china", "境内研发费用（元）", "money"),
    ("total_cost", "成本费用支出总额（元）", "money"),
    ("ip_class1", "Ⅰ类知识产权（项）", "int"),
    ("ip_class2", "Ⅱ类知识产权（项）", "int"),
]


class ImportRefused(Exception):
    """The file as a whole is refused; the message says why, in Chinese."""


@dataclass(frozen=True)
class RowError:
    sheet: str
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"“{self.sheet}”第{self.row}行【{self.column}】：{self.message}"


@dataclass
class ParsedImport:
    enterprises: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    figures: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    new_count: int = 0
    update_count: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors


# ------------------------------------------------------------------------------------------------ the file


def check_file(*, name: str, content: bytes) -> None:
    """Refuse anything that is not a plausible, bounded xlsx before openpyxl sees it."""
    if not name.lower().endswith(".xlsx"):
        raise ImportRefused("只接受 Excel 2007 及以上版本的 .xlsx 文件（不接受 .xls、.csv、.xlsm 等）。")
    if len(content) > MAX_BYTES:
        raise ImportRefused(
            f"文件过大（{len(content) / 1024 / 1024:.1f} MB），上限为 {MAX_BYTES // 1024 // 1024} MB。"
        )
    if not zipfile.is_zipfile(io.BytesIO(content)):
        raise ImportRefused("文件不是有效的 .xlsx 文件（无法识别的文件格式）。")
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            members = archive.infolist()
            if len(members) > MAX_MEMBERS:
                raise ImportRefused("文件结构异常（包含的部件过多），已拒绝。")
            total = 0
            for member in members:
                total += member.file_size
                if (
                    member.compress_size
                    and member.file_size / member.compress_size > MAX_RATIO
                    and member.file_size > 1024 * 1024
                ):
                    raise ImportRefused("文件压缩比异常（疑似压缩炸弹），已拒绝。")
                if member.filename.lower().endswith("vbaproject.bin"):
                    raise ImportRefused("文件包含宏，已拒绝。请另存为不含宏的 .xlsx 文件。")
            if total > MAX_UNCOMPRESSED:
                raise ImportRefused(
                    f"文件解压后过大（{total / 1024 / 1024:.0f} MB，"
                    f"上限 {MAX_UNCOMPRESSED // 1024 // 1024} MB），已拒绝。"
                )
            names = {member.filename for member in members}
            if "xl/workbook.xml" not in names:
                raise ImportRefused("文件不是有效的 .xlsx 工作簿。")
    except zipfile.BadZipFile:
        raise ImportRefused("文件已损坏，无法读取。") from None


def _open(content: bytes):
    try:
        return load_workbook(io.BytesIO(content), read_only=True, data_only=False)
    except Exception as error:  # openpyxl/defusedxml raise many kinds; all mean "not a safe workbook"
        raise ImportRefused(
            f"无法读取该工作簿（{type(error).__name__}），请确认文件未损坏、未加密。"
        ) from None


def _sheet_rows(workbook, title: str, headers: list[str]) -> list[tuple[int, dict[str, Any]]]:
    """Data rows of a sheet as {header: value}, refusing formulas and too many rows."""
    if title not in workbook.sheetnames:
        return []
    sheet = workbook[title]
    rows: list[tuple[int, dict[str, Any]]] = []
    header_index: dict[str, int] | None = None
    # Values only (read-only mode, data_only=False): a formula cell's value is its formula text, "=…".
    for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
        values = list(row)
        for index, value in enumerate(values):
            if isinstance(value, str) and value.startswith("="):
                raise ImportRefused(
                    f"“{title}”第{number}行{get_column_letter(index + 1)}列含有公式，"
                    "请将公式替换为数值（复制后“选择性粘贴—数值”）再导入。"
                )
        if header_index is None:
            names = [str(value).strip().rstrip("*") if value is not None else "" for value in values]
            missing = [header for header in headers if header not in names]
            if missing:
                raise ImportRefused(f"“{title}”工作表缺少列：{'、'.join(missing)}。请使用导入模板。")
            header_index = {name: index for index, name in enumerate(names) if name}
            continue
        if all(value is None or (isinstance(value, str) and not value.strip()) for value in values):
            continue
        if len(rows) >= MAX_ROWS:
            raise ImportRefused(f"“{title}”工作表超过 {MAX_ROWS} 行数据，请分批导入。")
        rows.append(
            (
                number,
                {
                    header: values[index] if index < len(values) else None
                    for header, index in header_index.items()
                },
            )
        )
    return rows


# ------------------------------------------------------------------------------------------- cell parsing


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _date(value: Any) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value).replace("/", "-").replace(".", "-")
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError("日期格式应为 YYYY-MM-DD。") from None


def _int(value: Any) -> int | None:
    if value in (None, ""):
        return None
    if isinstance(value, bool):
        raise ValueError("应为整数。")
    try:
        number = Decimal(str(value).strip().replace(",", ""))
    except InvalidOperation:
        raise ValueError("应为整数。") from None
    if number != number.to_integral_value():
        raise ValueError("应为整数。")
    if number < 0:
        raise ValueError("不能为负数。")
    return int(number)


def _money(value: Any) -> Decimal | None:
    if value in (None, ""):
        return None
    if isinstance(value, bool):
        raise ValueError("应为金额（元）。")
    try:
        number = Decimal(str(value).strip().replace(",", ""))
    except InvalidOperation:
        raise ValueError("应为金额（元），只填数字。") from None
    if not number.is_finite():
        raise ValueError("应为金额（元），只填数字。")
    if number < 0:
        raise ValueError("不能为负数。")
    if number >= Decimal("1e14"):
        raise ValueError("金额过大，请确认单位为元。")
    return number.quantize(Decimal("0.01"))


def _section(value: Any) -> str:
    text = _text(value)
    if not text:
        raise ValueError("不能为空。")
    letter = text[0].upper()
    if letter in SECTION_NAMES:
        return letter
    for code, name in SECTIONS:
        if name == text:
            return code
    raise ValueError("应为 GB/T 4754-2017 门类字母（A–T）或门类名称。")


# ------------------------------------------------------------------------------------------- validation


def parse(*, content: bytes, name: str, user) -> ParsedImport:
    """Check the file and every row; nothing is written."""
    check_file(name=name, content=content)
    workbook = _open(content)
    try:
        enterprise_rows = _sheet_rows(
            workbook, ENTERPRISE_SHEET, [label for _k, label, _r in ENTERPRISE_COLUMNS]
        )
        figure_rows = _sheet_rows(workbook, FIGURES_SHEET, [label for _k, label, _t in FIGURE_COLUMNS])
    except ImportRefused:
        raise
    except Exception as error:  # sheets are parsed lazily: a malformed or hostile sheet fails here
        raise ImportRefused(f"无法读取该工作簿（{type(error).__name__}），请确认文件未损坏。") from None
    finally:
        workbook.close()
    if not enterprise_rows and not figure_rows:
        raise ImportRefused(
            f"未找到数据：请在“{ENTERPRISE_SHEET}”或“{FIGURES_SHEET}”工作表中填写（使用导入模板）。"
        )

    parsed = ParsedImport()
    allowed = scope_region_ids(user)
    regions = {region.name: region for region in Region.objects.county_level()}
    labels = {key: label for key, label, _r in ENTERPRISE_COLUMNS}
    seen: dict[str, int] = {}
    codes_in_file: set[str] = set()

    # Existing enterprises referred to by the file, in one query.
    file_codes = {
        _text(values.get("统一社会信用代码")).upper()
        for _n, values in [*enterprise_rows, *figure_rows]
        if values.get("统一社会信用代码")
    }
    existing = {e.uscc: e for e in Enterprise.objects.filter(uscc__in=file_codes).select_related("region")}

    for number, values in enterprise_rows:
        row: dict[str, Any] = {}
        errors_before = len(parsed.errors)

        def error(key: str, message: str, number=number) -> None:
            parsed.errors.append(RowError(ENTERPRISE_SHEET, number, labels[key], message))

        for key, label, required in ENTERPRISE_COLUMNS:
            if required and not _text(values.get(label)):
                error(key, "不能为空。")
        row["name"] = _text(values.get("企业名称"))[:200]
        raw_code = values.get("统一社会信用代码")
        if raw_code not in (None, ""):
            try:
                code = validate_uscc(raw_code)
            except IdentifierError as exc:
                error("uscc", str(exc))
            else:
                row["uscc"] = code
                if code in seen:
                    error("uscc", f"与第{seen[code]}行重复。")
                seen[code] = number
                current = existing.get(code)
                if current is not None and allowed is not None and current.region_id not in allowed:
                    error("uscc", "该代码已登记为其他县区的企业。")
                row["existing"] = current
        region_name = _text(values.get("所在县区"))
        if region_name:
            region = regions.get(region_name)
            if region is None:
                error("region", f"“{region_name}”不是本市的县区名称。")
            elif allowed is not None and region.pk not in allowed:
                error("region", "只能导入本县区的企业。")
            row["region"] = region
        if _text(values.get("行业门类")):
            try:
                row["industry_section"] = _section(values.get("行业门类"))
            except ValueError as exc:
                error("industry_section", str(exc))
        row["industry_code"] = _text(values.get("行业代码"))
        try:
            row["established_on"] = _date(values.get("成立日期"))
        except ValueError as exc:
            error("established_on", str(exc))
        for key in ("address", "contact_person", "contact_phone"):
            row[key] = _text(values.get(labels[key]))[:200]
        if len(parsed.errors) == errors_before and row.get("industry_code"):
            try:
                services._industry_clean(row["industry_section"], row["industry_code"])
            except ValidationError as exc:
                error("industry_code", "；".join(exc.messages))
        if len(parsed.errors) == errors_before:
            parsed.enterprises.append((number, row))
            codes_in_file.add(row["uscc"])
            if row["existing"] is None:
                parsed.new_count += 1
            else:
                parsed.update_count += 1

    figure_labels = {key: label for key, label, _t in FIGURE_COLUMNS}
    seen_years: dict[tuple[str, int], int] = {}
    for number, values in figure_rows:
        row = {}
        errors_before = len(parsed.errors)

        def ferror(key: str, message: str, number=number) -> None:
            parsed.errors.append(RowError(FIGURES_SHEET, number, figure_labels[key], message))

        for key, label, kind in FIGURE_COLUMNS:
            value = values.get(label)
            if kind == "code":
                try:
                    code = validate_uscc(value)
                except IdentifierError as exc:
                    ferror(key, str(exc))
                    continue
                current = existing.get(code)
                if current is None and code in seen and code not in codes_in_file:
                    ferror(key, f"该企业在“{ENTERPRISE_SHEET}”工作表第{seen[code]}行有错误，请先修改该行。")
                elif current is None and code not in codes_in_file:
                    ferror(key, "未找到该企业：请先登记企业，或在“企业”工作表中一并导入。")
                elif current is not None and allowed is not None and current.region_id not in allowed:
                    ferror(key, "该企业不属于本县区。")
                row["uscc"] = code
            elif kind == "year":
                try:
                    year = _int(value)
                except ValueError as exc:
                    ferror(key, str(exc))
                    continue
                if year is None or not 2000 <= year <= 2100:
                    ferror(key, "应为四位年份。")
                    continue
                row["year"] = year
            else:
                try:
                    row[key] = _int(value) if kind == "int" else _money(value)
                except ValueError as exc:
                    ferror(key, str(exc))
        if len(parsed.errors) == errors_before:
            figures = {k: v for k, v in row.items() if k not in {"uscc", "year"}}
            try:
                services.figures_clean(figures)
            except ValidationError as exc:
                for key, messages in exc.message_dict.items():
                    ferror(key, "；".join(messages))
            pair = (row["uscc"], row["year"])
            if pair in seen_years:
                ferror("year", f"与第{seen_years[pair]}行重复（同一企业同一年度）。")
            seen_years[pair] = number
        if len(parsed.errors) == errors_before:
            parsed.figures.append((number, row))
    return parsed


# ------------------------------------------------------------------------------------------------ commit


def _row_refused(sheet: str, number: int, error: ValidationError | str) -> ImportRefused:
    message = error if isinstance(error, str) else "；".join(error.messages)
    return ImportRefused(f"“{sheet}”第{number}行：{message}（未导入任何数据）")


def _create_enterprises(rows: list[tuple[int, dict[str, Any]]], *, user) -> list[Enterprise]:
    """The new enterprises of the file, written in bulk: the checks of services.enterprise_create done for
    all rows with a few queries, then one INSERT per table (and their audit entries)."""
    if not rows:
        return []
    for region_id in {row["region"].pk for _n, row in rows}:
        services._check_region(user, region_id)
    codes = [row["uscc"] for _n, row in rows]
    taken = set(Enterprise.objects.filter(uscc__in=codes).values_list("uscc", flat=True))
    units = {unit.uscc: unit for unit in Organization.objects.filter(uscc__in=codes)}
    linked = set(
        Enterprise.objects.filter(organization__in=list(units.values())).values_list(
            "organization_id", flat=True
        )
    )
    namesakes: dict[str, list[Organization]] = {}
    for unit in Organization.objects.filter(
        name__in={row["name"] for _n, row in rows if row["uscc"] not in units},
        uscc="",
        kind=Organization.Kind.ENTERPRISE,
        enterprise__isnull=True,
    ).order_by("pk"):
        namesakes.setdefault(unit.name, []).append(unit)

    new_units, known_units, enterprises = [], [], []
    for number, row in rows:
        code, name = row["uscc"], row["name"].strip()
        if code in taken:
            raise _row_refused(ENTERPRISE_SHEET, number, "该统一社会信用代码已登记。")
        if not name:
            raise _row_refused(ENTERPRISE_SHEET, number, "企业名称不能为空。")
        unit = units.get(code)
        if unit is not None and unit.pk in linked:
            raise _row_refused(ENTERPRISE_SHEET, number, "该统一社会信用代码已关联其他企业。")
        if unit is None and namesakes.get(name):
            unit = namesakes[name].pop(0)
            unit.uscc = code
        if unit is None:
            unit = Organization(name=name, uscc=code, region=row["region"], kind=Organization.Kind.ENTERPRISE)
            new_units.append(unit)
        else:
            known_units.append(unit)
        unit.name, unit.region = name, row["region"]
        enterprise = Enterprise(
            name=name,
            uscc=code,
            region=row["region"],
            industry_section=row["industry_section"],
            industry_code=row["industry_code"],
            established_on=row["established_on"],
            address=row["address"],
            contact_person=row["contact_person"],
            contact_phone=row["contact_phone"],
        )
        try:  # field and model checks; uniqueness and the region (a known county) were checked above
            unit.clean_fields(exclude=["region"])
            unit.clean()
            enterprise.clean_fields(exclude=["organization", "region"])
            enterprise.clean()
        except ValidationError as error:
            raise _row_refused(ENTERPRISE_SHEET, number, error) from None
        enterprises.append((enterprise, unit))
    for unit in known_units:  # units another app recorded first: saved one by one, audited as changes
        unit.save()
    Organization.objects.bulk_create(new_units, batch_size=2000)
    for enterprise, unit in enterprises:
        enterprise.organization = unit
    created = Enterprise.objects.bulk_create([e for e, _u in enterprises], batch_size=2000)
    log_bulk_created(new_units, actor=user)
    log_bulk_created(created, actor=user)
    return created


def _save_figures(rows: list[tuple[int, dict[str, Any]]], by_code: dict[str, Enterprise], *, user) -> None:
    """Yearly figures: new years in bulk, replaced years saved one by one (audited as changes)."""
    if not rows:
        return
    for region_id in {enterprise.region_id for enterprise in by_code.values()}:
        services._check_region(user, region_id)
    current = {
        (row.enterprise_id, row.year): row
        for row in EnterpriseYear.objects.filter(
            enterprise__in=[by_code[row["uscc"]] for _n, row in rows],
            year__in={row["year"] for _n, row in rows},
        )
    }
    new = []
    for number, row in rows:
        enterprise = by_code[row["uscc"]]
        values = {k: v for k, v in row.items() if k not in {"uscc", "year"}}
        try:
            services.figures_clean(values)
        except ValidationError as error:
            raise _row_refused(FIGURES_SHEET, number, error) from None
        year = current.get((enterprise.pk, row["year"]))
        if year is None:
            year = EnterpriseYear(enterprise=enterprise, year=row["year"])
        for key, value in values.items():
            setattr(year, key, value)
        try:
            year.clean_fields(exclude=["enterprise"])  # the enterprise: found above by its code
            year.clean()
        except ValidationError as error:
            raise _row_refused(FIGURES_SHEET, number, error) from None
        if year.pk is None:
            new.append(year)
        else:
            year.save()
    log_bulk_created(EnterpriseYear.objects.bulk_create(new, batch_size=2000), actor=user)


def commit(*, parsed: ParsedImport, user) -> tuple[int, int]:
    """Write every row or none: (enterprises written, yearly rows written). New enterprises and new years
    are inserted in bulk; enterprises already registered go through services.enterprise_update."""
    if not parsed.ok:
        raise ImportRefused("存在错误，未导入任何数据。")
    with transaction.atomic():
        by_code: dict[str, Enterprise] = {}
        new_rows = []
        for number, row in parsed.enterprises:
            if row["existing"] is None:
                new_rows.append((number, row))
                continue
            fields = {
                key: row[key]
                for key in (
                    "name",
                    "region",
                    "industry_section",
                    "industry_code",
                    "established_on",
                    "address",
                    "contact_person",
                    "contact_phone",
                )
            }
            try:
                enterprise = services.enterprise_update(
                    enterprise=row["existing"], actor=user, uscc=row["uscc"], **fields
                )
            except ValidationError as exc:
                raise _row_refused(ENTERPRISE_SHEET, number, exc) from None
            by_code[enterprise.uscc] = enterprise
        by_code.update({e.uscc: e for e in _create_enterprises(new_rows, user=user)})
        missing = {row["uscc"] for _n, row in parsed.figures} - set(by_code)
        by_code.update({e.uscc: e for e in Enterprise.objects.filter(uscc__in=missing)})
        _save_figures(parsed.figures, by_code, user=user)
    return len(parsed.enterprises), len(parsed.figures)


# ---------------------------------------------------------------------------------------------- template


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
