"""Importing experts from a spreadsheet (the bureau's yearly 专家征集 list).

All or nothing: every row is checked first (identifiers, duplicates in the library and in the file,
employer, fields, county, dates); if any row is wrong nothing is saved and each error is reported with its
row and column. Error messages never repeat a 身份证号 or mobile number in clear: they are masked.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from openpyxl import load_workbook

from kejiju.accounts.models import Region
from kejiju.core.identifiers import (
    IdentifierError,
    id_number_gender,
    mask_id_number,
    mask_mobile,
    validate_id_number,
    validate_mobile,
)
from kejiju.core.models import Organization

from .models import Expert, ExpertField
from .pii import digest

COLUMNS: tuple[str, ...] = (
    "姓名",
    "性别",
    "身份证号码",
    "手机号码",
    "职称",
    "职务",
    "工作单位",
    "专业领域",
    "研究方向",
    "所在县区",
    "入库日期",
    "入库依据",
)
REQUIRED = ("姓名", "性别", "身份证号码", "职称", "工作单位", "专业领域", "入库日期")
MAX_ROWS = 2000
MAX_UNCOMPRESSED = 50 * 1024 * 1024  # all parts of the xlsx package, expanded
MAX_RATIO = 200  # expanded / compressed size of one part (a zip bomb is far above)
TITLE_VALUES = {
    **{label: value for value, label in Expert.Title.choices},
    **{v: v for v in Expert.Title.values},
}


@dataclass
class RowError:
    row: int
    column: str
    message: str


@dataclass
class ImportResult:
    created: list[Expert] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


class ImportFileError(Exception):
    """The file cannot be read at all (not an xlsx, wrong headers, too many rows)."""


def read_rows(handle) -> list[tuple[int, dict[str, Any]]]:
    """(row number, {column: value}) for each non-empty data row of the first sheet."""
    _check_package(handle)
    try:
        workbook = load_workbook(handle, read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds of errors for a file that is not xlsx
        raise ImportFileError("无法读取文件：请上传 .xlsx 格式的 Excel 文件。") from None
    sheet = workbook.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header = [str(value).strip() if value is not None else "" for value in next(rows, ())]
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        raise ImportFileError(f"表头缺少列：{'、'.join(missing)}。请使用导入模板。")
    index = {name: header.index(name) for name in COLUMNS if name in header}
    result = []
    for number, values in enumerate(rows, start=2):
        if values is None or all(value in (None, "") for value in values):
            continue
        record = {name: (values[i] if i < len(values) else None) for name, i in index.items()}
        result.append((number, record))
        if len(result) > MAX_ROWS:
            raise ImportFileError(f"一次最多导入 {MAX_ROWS} 行，请拆分文件。")
    workbook.close()
    return result


def _check_package(handle) -> None:
    """Refuse a zip bomb before openpyxl expands it: the sizes the zip directory declares are bounded."""
    try:
        with zipfile.ZipFile(handle) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise ImportFileError("无法读取文件：请上传 .xlsx 格式的 Excel 文件。") from None
    finally:
        handle.seek(0)
    total = 0
    for member in members:
        total += member.file_size
        if member.file_size > 1024 * 1024 and member.file_size > MAX_RATIO * max(member.compress_size, 1):
            raise ImportFileError("文件压缩比异常（疑似压缩炸弹），已拒绝。")
    if total > MAX_UNCOMPRESSED:
        raise ImportFileError(f"文件解压后超过 {MAX_UNCOMPRESSED // 1024 // 1024} MB，已拒绝。")


def _text(value: Any) -> str:
    if value is None:
        return ""
    return str(value).strip()


def _safe(message: str, raw: Any, mask) -> str:
    """Replace a raw number echoed by an identifier message with its masked form."""
    text = _text(raw)
    if text and len(text) >= 6:
        message = message.replace(text, mask(text)).replace(text.upper(), mask(text.upper()))
    return message


def _date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = _text(value)
    match = re.fullmatch(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?", text)
    if not match:
        raise ValueError("入库日期格式不正确，应为 2023-06-01。")
    try:
        return dt.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        raise ValueError(f"入库日期“{text}”不是有效日期。") from None


def validate_rows(rows: Sequence[tuple[int, dict[str, Any]]]) -> tuple[list[dict], list[RowError]]:
    """Check every row; return the cleaned rows and the errors (a clean row list only when no error)."""
    organizations = {org.name: org for org in Organization.objects.filter(is_active=True)}
    fields = {f.name: f for f in ExpertField.objects.filter(is_active=True)}
    counties = {r.name: r for r in Region.objects.county_level()}
    digests_in_file: dict[str, int] = {}
    cleaned: list[dict] = []
    errors: list[RowError] = []

    for number, record in rows:
        row_errors: list[RowError] = []

        def fail(column: str, message: str, number=number, row_errors=row_errors) -> None:
            row_errors.append(RowError(number, column, message))

        for name in REQUIRED:
            if _text(record.get(name)) == "":
                fail(name, f"{name}不能为空。")
        data: dict[str, Any] = {"name": _text(record.get("姓名"))[:50]}
        gender = _text(record.get("性别"))
        if gender and gender not in Expert.Gender.values:
            fail("性别", "性别应为“男”或“女”。")
        data["gender"] = gender
        raw_id = record.get("身份证号码")
        if _text(raw_id):
            try:
                id_number = validate_id_number(raw_id)
            except IdentifierError as error:
                fail("身份证号码", _safe(str(error), raw_id, mask_id_number))
            else:
                key = digest(id_number)
                if key in digests_in_file:
                    fail("身份证号码", f"与第 {digests_in_file[key]} 行重复。")
                elif Expert.objects.filter(id_number_digest=key).exists():
                    fail("身份证号码", "与库内专家重复。")
                else:
                    digests_in_file[key] = number
                if gender in Expert.Gender.values and id_number_gender(id_number) != gender:
                    fail("性别", "性别与身份证号码不符。")
                data["id_number"] = id_number
        raw_mobile = record.get("手机号码")
        data["mobile"] = ""
        if _text(raw_mobile):
            try:
                data["mobile"] = validate_mobile(raw_mobile)
            except IdentifierError as error:
                fail("手机号码", _safe(str(error), raw_mobile, mask_mobile))
        title = _text(record.get("职称"))
        if title and title not in TITLE_VALUES:
            fail("职称", f"职称应为：{'、'.join(Expert.Title.values)}。")
        data["title"] = TITLE_VALUES.get(title, "")
        data["position"] = _text(record.get("职务"))[:50]
        employer = _text(record.get("工作单位"))
        if employer and employer not in organizations:
            fail("工作单位", f"单位“{employer}”不在单位库中，请先登记该单位或核对名称。")
        data["employer"] = organizations.get(employer)
        names = [n for n in re.split(r"[、,，;；\s]+", _text(record.get("专业领域"))) if n]
        unknown = [n for n in names if n not in fields]
        if unknown:
            fail("专业领域", f"专业领域“{'、'.join(unknown)}”不在领域列表中。")
        data["fields"] = [fields[n] for n in names if n in fields]
        data["specialty"] = _text(record.get("研究方向"))[:200]
        county = _text(record.get("所在县区"))
        if county and county not in counties:
            fail("所在县区", f"县区“{county}”不存在。")
        data["county"] = counties.get(county)
        if _text(record.get("入库日期")):
            try:
                data["admitted_on"] = _date(record.get("入库日期"))
            except ValueError as error:
                fail("入库日期", str(error))
        data["admission_reason"] = _text(record.get("入库依据"))[:200]
        if row_errors:
            errors.extend(row_errors)
        else:
            cleaned.append(data)
    return cleaned, errors


def import_experts(*, rows: Iterable[tuple[int, dict[str, Any]]], user) -> ImportResult:
    """Validate all rows, then create every expert in one transaction (or none)."""
    from .services import expert_create

    rows = list(rows)
    cleaned, errors = validate_rows(rows)
    if errors:
        return ImportResult(errors=errors)
    if not cleaned:
        return ImportResult(errors=[RowError(0, "", "文件中没有数据行。")])
    result = ImportResult()
    try:
        with transaction.atomic():
            for data in cleaned:
                result.created.append(expert_create(user=user, **data))
    except ValidationError as error:  # a concurrent insert of the same person
        return ImportResult(errors=[RowError(0, "", "；".join(error.messages))])
    return result
