"""Import of enterprises and yearly figures from an xlsx workbook: the file is read by the one safe reader
(kejiju.core.spreadsheets: type, size, zip bombs, macros, formulas, XML bombs are refused as a whole), every
row is validated with row number, column and reason in Chinese — by the same function in the preview and at
commit, so that nothing the preview passed fails at commit and nothing is ever cut short — then an
all-or-nothing commit.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from kejiju.accounts.models import Region
from kejiju.core import spreadsheets
from kejiju.core.auditing import log_bulk_created
from kejiju.core.identifiers import IdentifierError, uscc_area_warning, validate_uscc
from kejiju.core.models import Organization
from kejiju.core.scoping import scope_region_ids
from kejiju.core.services import normalise_organization_name
from kejiju.core.spreadsheets import Column, RowError, SheetSpec, cell_text, quote

from . import services
from .industries import SECTION_NAMES, SECTIONS
from .models import Enterprise, EnterpriseYear
from .services.enterprises import _check_region, _industry_clean

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


# ------------------------------------------------------------------------------------------- cell parsing


_text = cell_text


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


def enterprise_row_errors(
    row: dict[str, Any], *, number: int, exclude: set[str] = frozenset()
) -> list[RowError]:
    """The model checks of one 企业 row (every field of the enterprise and of its unit), named by column.
    The preview and the commit both call this, so the commit refuses nothing the preview passed."""
    enterprise = Enterprise(
        name=row.get("name") or "",
        uscc=row.get("uscc") or "",
        industry_section=row.get("industry_section") or "",
        industry_code=row.get("industry_code") or "",
        established_on=row.get("established_on"),
        address=row.get("address") or "",
        contact_person=row.get("contact_person") or "",
        contact_phone=row.get("contact_phone") or "",
    )
    unit = Organization(
        name=row.get("name") or "", uscc=row.get("uscc") or "", kind=Organization.Kind.ENTERPRISE
    )
    labels = {key: label for key, label in ENTERPRISE_LABELS.items() if key not in {"uscc", "region"}}
    errors = spreadsheets.model_errors(
        enterprise, sheet=ENTERPRISE_SHEET, row=number, labels=labels, exclude=exclude
    )
    errors += spreadsheets.model_errors(
        unit, sheet=ENTERPRISE_SHEET, row=number, labels={"name": ENTERPRISE_LABELS["name"]}, exclude=exclude
    )
    unique: list[RowError] = []
    for error in errors:
        if error not in unique:
            unique.append(error)
    return unique


def figure_row_errors(row: dict[str, Any], *, number: int, exclude: set[str] = frozenset()) -> list[RowError]:
    """The checks of one 年度数据 row: the cross-field rules, then the model's own (ranges, digits)."""
    values = {k: v for k, v in row.items() if k not in {"uscc", "year"}}
    errors: list[RowError] = []
    try:
        services.figures_clean(values)
    except ValidationError as exc:
        for key, messages in exc.message_dict.items():
            if key not in exclude:
                errors.append(
                    RowError(FIGURES_SHEET, number, FIGURE_LABELS.get(key, ""), "；".join(messages))
                )
    labels = {key: label for key, label in FIGURE_LABELS.items() if key != "uscc"}
    year = EnterpriseYear(**{k: v for k, v in row.items() if k != "uscc"})
    errors += spreadsheets.model_errors(year, sheet=FIGURES_SHEET, row=number, labels=labels, exclude=exclude)
    return errors


def parse(*, content: bytes, name: str, user) -> ParsedImport:
    """Check the file and every row; nothing is written."""
    sheets = spreadsheets.read_workbook(name=name, content=content, sheets=SHEETS)
    enterprise_sheet, figure_sheet = sheets[ENTERPRISE_SHEET], sheets[FIGURES_SHEET]
    enterprise_rows = enterprise_sheet.rows if enterprise_sheet else []
    figure_rows = figure_sheet.rows if figure_sheet else []
    if not enterprise_rows and not figure_rows:
        raise ImportRefused(
            f"未找到数据：请在“{ENTERPRISE_SHEET}”或“{FIGURES_SHEET}”工作表中填写（使用导入模板）。"
        )

    parsed = ParsedImport()
    allowed = scope_region_ids(user)
    regions = {region.name: region for region in Region.objects.county_level()}
    seen: dict[str, int] = {}
    codes_in_file: set[str] = set()

    # Existing enterprises referred to by the file, in one query.
    file_codes = {
        cell_text(line.values.get("uscc")).upper()
        for line in [*enterprise_rows, *figure_rows]
        if line.values.get("uscc") not in (None, "") and "uscc" not in line.failed
    }
    existing = {e.uscc: e for e in Enterprise.objects.filter(uscc__in=file_codes).select_related("region")}
    # Units of the 单位库 already holding a name of the file (one query): a new enterprise may take a name
    # only from a unit recorded by name alone (it adopts that unit), never from a unit with another code.
    file_names = {
        normalise_organization_name(cell_text(line.values.get("name")))
        for line in enterprise_rows
        if "name" not in line.failed
    }
    name_holders = {
        name: (code, adoptable)
        for name, code, adoptable in Organization.objects.filter(name__in=file_names - {""})
        .annotate(
            adoptable=Q(uscc="", kind=Organization.Kind.ENTERPRISE)
            & ~Exists(Enterprise.objects.filter(organization=OuterRef("pk")))
        )
        .values_list("name", "uscc", "adoptable")
    }
    seen_names: dict[str, int] = {}

    for line in enterprise_rows:
        number, values = line.number, line.values
        row_errors: list[RowError] = list(line.errors)
        failed = set(line.failed)
        row: dict[str, Any] = {}

        def error(key: str, message: str, number=number, row_errors=row_errors, failed=failed) -> None:
            row_errors.append(RowError(ENTERPRISE_SHEET, number, ENTERPRISE_LABELS[key], message))
            failed.add(key)

        for key, _label, required in ENTERPRISE_COLUMNS:
            if required and key not in failed and not cell_text(values.get(key)):
                error(key, "不能为空。")
        row["name"] = normalise_organization_name(cell_text(values.get("name")))
        raw_code = values.get("uscc")
        if raw_code not in (None, "") and "uscc" not in failed:
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
        if row["name"] and "name" not in failed:
            if row["name"] in seen_names:
                error("name", f"与第{seen_names[row['name']]}行企业名称相同。")
            seen_names.setdefault(row["name"], number)
            holder = name_holders.get(row["name"])
            if holder is not None and "uscc" in row and holder[0] != row["uscc"] and not holder[1]:
                error("name", _name_taken(row["name"], holder[0]))
        region_name = cell_text(values.get("region"))
        if region_name and "region" not in failed:
            region = regions.get(region_name)
            if region is None:
                error("region", f"{quote(region_name)}不是本市的县区名称。")
            elif allowed is not None and region.pk not in allowed:
                error("region", "只能导入本县区的企业。")
            row["region"] = region
        if cell_text(values.get("industry_section")) and "industry_section" not in failed:
            try:
                row["industry_section"] = _section(values.get("industry_section"))
            except ValueError as exc:
                error("industry_section", str(exc))
        row["industry_code"] = cell_text(values.get("industry_code"))
        if "established_on" not in failed:
            try:
                row["established_on"] = _date(values.get("established_on"))
            except ValueError as exc:
                error("established_on", str(exc))
        for key in ("address", "contact_person", "contact_phone"):
            row[key] = cell_text(values.get(key))
        row_errors += enterprise_row_errors(row, number=number, exclude=failed)
        failed |= {
            key for key, label in ENTERPRISE_LABELS.items() if any(e.column == label for e in row_errors)
        }
        if not {"industry_section", "industry_code"} & failed and row.get("industry_code"):
            try:
                _industry_clean(row["industry_section"], row["industry_code"])
            except ValidationError as exc:
                error("industry_code", "；".join(exc.messages))
        parsed.errors += row_errors
        if not row_errors:
            parsed.enterprises.append((number, row))
            codes_in_file.add(row["uscc"])
            region = row["region"]
            warning = uscc_area_warning(row["uscc"], region_code=region.code, region_name=region.name)
            if warning:
                parsed.warnings.append(RowError(ENTERPRISE_SHEET, number, ENTERPRISE_LABELS["uscc"], warning))
            if row["existing"] is None:
                parsed.new_count += 1
            else:
                parsed.update_count += 1

    seen_years: dict[tuple[str, int], int] = {}
    for line in figure_rows:
        number, values = line.number, line.values
        row_errors = list(line.errors)
        failed = set(line.failed)
        row = {}

        def ferror(key: str, message: str, number=number, row_errors=row_errors, failed=failed) -> None:
            row_errors.append(RowError(FIGURES_SHEET, number, FIGURE_LABELS[key], message))
            failed.add(key)

        for key, _label, kind in FIGURE_COLUMNS:
            if key in failed:
                continue
            value = values.get(key)
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
        if not row_errors:
            row_errors += figure_row_errors(row, number=number, exclude=failed)
            pair = (row["uscc"], row["year"])
            if pair in seen_years:
                ferror("year", f"与第{seen_years[pair]}行重复（同一企业同一年度）。")
            seen_years[pair] = number
        parsed.errors += row_errors
        if not row_errors:
            parsed.figures.append((number, row))
    return parsed


# ------------------------------------------------------------------------------------------------ commit


def _name_taken(name: str, code: str) -> str:
    held_by = f"统一社会信用代码 {code}" if code else "未登记统一社会信用代码"
    return f"单位库中已有名为{quote(name)}的单位（{held_by}），请核对企业名称或统一社会信用代码。"


def _row_refused(sheet: str, number: int, error: ValidationError | str, labels=None) -> ImportRefused:
    message = error if isinstance(error, str) else spreadsheets.validation_message(error, labels=labels or {})
    return ImportRefused(f"“{sheet}”第{number}行：{message}（未导入任何数据）")


def _refused_by(errors: list[RowError]) -> ImportRefused:
    first = errors[0]
    return ImportRefused(f"{first}（未导入任何数据）")


def _create_enterprises(rows: list[tuple[int, dict[str, Any]]], *, user) -> list[Enterprise]:
    """The new enterprises of the file, written in bulk: the checks of services.enterprise_create done for
    all rows with a few queries, then one INSERT per table (and their audit entries)."""
    if not rows:
        return []
    for region_id in {row["region"].pk for _n, row in rows}:
        _check_region(user, region_id)
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
        # The preview's own checks, again; uniqueness and the region (a known county) were checked above.
        problems = enterprise_row_errors(row, number=number)
        if problems:
            raise _refused_by(problems)
        enterprises.append((enterprise, unit))
    # The 单位库's rule once more, over the whole file (the preview checked it; another user may have
    # recorded a unit since): no name held by a unit other than the one this row writes.
    names = [unit.name for _e, unit in enterprises]
    holders = dict(Organization.objects.filter(name__in=names).values_list("name", "pk"))
    for (number, _row), (_enterprise, unit) in zip(rows, enterprises, strict=True):
        holder = holders.get(unit.name)
        if holder is not None and holder != unit.pk:
            taken = Organization.objects.get(pk=holder)
            raise _row_refused(ENTERPRISE_SHEET, number, _name_taken(unit.name, taken.uscc))
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
        _check_region(user, region_id)
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
        problems = figure_row_errors(row, number=number)  # the preview's own checks, again
        if problems:
            raise _refused_by(problems)
        year = current.get((enterprise.pk, row["year"]))
        if year is None:
            year = EnterpriseYear(enterprise=enterprise, year=row["year"])
        for key, value in values.items():
            setattr(year, key, value)
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
                raise _row_refused(ENTERPRISE_SHEET, number, exc, ENTERPRISE_LABELS) from None
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


# ------------------------------------------------------------------------------------------ registration


def check(*, content: bytes, name: str, user) -> list[RowError]:
    """Read and validate without writing (the preview): the row errors; a refused file raises."""
    return parse(content=content, name=name, user=user).errors


IMPORTER = spreadsheets.Importer(
    name=UPLOAD_DIR,
    label="企业及年度数据",
    sheets=SHEETS,
    check=check,
    url_name="enterprises:enterprise_import",
    permission="enterprises.import_enterprise",
)
