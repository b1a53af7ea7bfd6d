"""Reading a whole import file: every row checked, codes matched against the registry; nothing written."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q

from kejiju.accounts.models import Region
from kejiju.core import spreadsheets
from kejiju.core.identifiers import IdentifierError, uscc_area_warning, validate_uscc
from kejiju.core.models import Organization
from kejiju.core.scoping import scope_region_ids
from kejiju.core.services import normalise_organization_name
from kejiju.core.spreadsheets import RowError, cell_text, quote

from ..models import Enterprise
from ..services.enterprises import _industry_clean
from .rows import _date, _int, _money, _name_taken, _section, enterprise_row_errors, figure_row_errors
from .sheets import (
    ENTERPRISE_COLUMNS,
    ENTERPRISE_LABELS,
    ENTERPRISE_SHEET,
    FIGURE_COLUMNS,
    FIGURE_LABELS,
    FIGURES_SHEET,
    SHEETS,
    ImportRefused,
    ParsedImport,
)


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
