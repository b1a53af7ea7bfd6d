"""Importing experts from a spreadsheet (the bureau's yearly 专家征集 list).

All or nothing: every row is checked first (identifiers, duplicates in the library and in the file,
employer, fields, county, dates); if any row is wrong nothing is saved and each error is reported with its
row and column. Error messages never repeat a 身份证号 or mobile number in clear: they are masked.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from kejiju.accounts.models import Region
from kejiju.core import spreadsheets
from kejiju.core.identifiers import (
    IdentifierError,
    id_number_gender,
    mask_id_number,
    mask_mobile,
    validate_id_number,
    validate_mobile,
)
from kejiju.core.models import Organization
from kejiju.core.pii import digest
from kejiju.core.spreadsheets import Column, Row, RowError, SheetSpec, quote
from kejiju.core.xlsx import import_template

from .models import Expert, ExpertField

MAX_ROWS = 2000
SHEET = "专家"
_expert = Expert._meta.get_field
_REGION = ("所属区县", "所属县区", "所在区县", "区县", "县区", "县（市、区）", "所属县（市、区）")
SPEC = SheetSpec(
    title=SHEET,
    synonyms=("专家名单", "专家信息", "专家库"),
    max_rows=MAX_ROWS,
    required=True,
    columns=(
        Column("姓名", "姓名", True, ("专家姓名",), field=_expert("name")),
        Column("性别", "性别", True),
        Column("身份证号码", "身份证号码", True, ("身份证号", "公民身份号码", "身份证", "证件号码")),
        Column("手机号码", "手机号码", synonyms=("手机号", "手机", "移动电话")),
        Column("职称", "职称", True, ("专业技术职称", "技术职称", "职称级别")),
        Column("职务", "职务", synonyms=("行政职务", "现任职务"), field=_expert("position")),
        Column(
            "工作单位",
            "工作单位",
            True,
            ("单位名称", "所在单位", "工作单位名称", "单位"),
            field=Organization._meta.get_field("name"),
        ),
        Column("专业领域", "专业领域", True, ("技术领域", "领域", "专业技术领域")),
        Column(
            "研究方向", "研究方向", synonyms=("主要研究方向", "专业方向", "专长"), field=_expert("specialty")
        ),
        Column("专家类别", "专家类别", synonyms=("类别", "专家类型")),
        Column("所在县区", "所在县区", synonyms=_REGION),
        Column("入库日期", "入库日期", True, ("入库时间",)),
        Column("入库依据", "入库依据", synonyms=("入库说明", "依据"), field=_expert("admission_reason")),
    ),
)
COLUMNS: tuple[str, ...] = tuple(column.label for column in SPEC.columns)
REQUIRED = tuple(column.label for column in SPEC.required_columns)
# Model field → column, for the model's own checks of each row.
FIELD_LABELS = {
    "name": "姓名",
    "gender": "性别",
    "title": "职称",
    "position": "职务",
    "specialty": "研究方向",
    "admitted_on": "入库日期",
    "admission_reason": "入库依据",
}
# 技术/财务/管理 or 技术专家/财务专家/管理专家; an empty cell: 技术.
CATEGORY_VALUES = {
    **{label: value for value, label in Expert.Category.choices},
    **{v: v for v in Expert.Category.values},
}
TITLE_VALUES = {
    **{label: value for value, label in Expert.Title.choices},
    **{v: v for v in Expert.Title.values},
}


@dataclass
class ImportResult:
    created: list[Expert] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


ImportFileError = spreadsheets.SpreadsheetRefused


def read_rows(upload) -> list[Row]:
    """The non-empty data rows of the 专家 sheet (or the only sheet), read by the one safe reader."""
    content = spreadsheets.upload_content(upload)
    return read_content(content=content, name=upload.name)


def read_content(*, content: bytes, name: str) -> list[Row]:
    sheet = spreadsheets.read_workbook(name=name, content=content, sheets=(SPEC,))[SHEET]
    if sheet is None or not sheet.rows:
        raise spreadsheets.SpreadsheetRefused(f"“{sheet.title if sheet else SHEET}”工作表中没有数据行。")
    return sheet.rows


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


def expert_row_errors(data: dict[str, Any], *, number: int, failed: set[str] = frozenset()) -> list[RowError]:
    """The model's own checks of one row (lengths, choices, dates), each named by its column; the same
    checks expert_create's full_clean makes at commit, without its database round trips."""
    expert = Expert(
        **{key: data.get(key) or "" for key in ("name", "gender", "title", "position", "specialty")},
        admitted_on=data.get("admitted_on"),
        admission_reason=data.get("admission_reason") or "",
    )
    exclude = {key for key, label in FIELD_LABELS.items() if label in failed}
    return spreadsheets.model_errors(expert, sheet="", row=number, labels=FIELD_LABELS, exclude=exclude)


def validate_rows(rows: Sequence[Row]) -> tuple[list[dict], list[RowError]]:
    """Check every row; return the cleaned rows and the errors (a clean row list only when no error)."""
    organizations = {org.name: org for org in Organization.objects.filter(is_active=True)}
    fields = {f.name: f for f in ExpertField.objects.filter(is_active=True)}
    counties = {r.name: r for r in Region.objects.county_level()}
    digests_in_file: dict[str, int] = {}
    cleaned: list[dict] = []
    errors: list[RowError] = []

    for line in rows:
        number, record = line.number, line.values
        row_errors: list[RowError] = list(line.errors)
        failed = set(line.failed)

        def fail(column: str, message: str, number=number, row_errors=row_errors, failed=failed) -> None:
            row_errors.append(RowError("", number, column, message))
            failed.add(column)

        for name in REQUIRED:
            if name not in failed and _text(record.get(name)) == "":
                fail(name, f"{name}不能为空。")
        data: dict[str, Any] = {"name": _text(record.get("姓名"))}
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
        data["position"] = _text(record.get("职务"))
        employer = _text(record.get("工作单位"))
        if employer and "工作单位" not in failed and employer not in organizations:
            fail("工作单位", f"单位{quote(employer)}不在单位库中，请先登记该单位或核对名称。")
        data["employer"] = organizations.get(employer)
        names = [n for n in re.split(r"[、,，;；\s]+", _text(record.get("专业领域"))) if n]
        unknown = [n for n in names if n not in fields]
        if unknown:
            fail("专业领域", f"专业领域{quote('、'.join(unknown))}不在领域列表中。")
        data["fields"] = [fields[n] for n in names if n in fields]
        data["specialty"] = _text(record.get("研究方向"))
        category = _text(record.get("专家类别"))
        if category and category not in CATEGORY_VALUES:
            fail("专家类别", f"专家类别应为：{'、'.join(label for _, label in Expert.Category.choices)}。")
        data["category"] = CATEGORY_VALUES.get(category, Expert.Category.TECHNICAL)
        county = _text(record.get("所在县区"))
        if county and county not in counties:
            fail("所在县区", f"县区{quote(county)}不存在。")
        data["county"] = counties.get(county)
        if _text(record.get("入库日期")):
            try:
                data["admitted_on"] = _date(record.get("入库日期"))
            except ValueError as error:
                fail("入库日期", str(error))
        data["admission_reason"] = _text(record.get("入库依据"))
        row_errors += expert_row_errors(data, number=number, failed=failed)
        if row_errors:
            errors.extend(row_errors)
        else:
            cleaned.append(data)
    return cleaned, errors


def import_experts(*, rows: Iterable[Row], user) -> ImportResult:
    """Validate all rows, then create every expert in one transaction (or none)."""
    from .services import expert_create

    rows = list(rows)
    cleaned, errors = validate_rows(rows)
    if errors:
        return ImportResult(errors=errors)
    if not cleaned:
        return ImportResult(errors=[RowError("", 0, "", "文件中没有数据行。")])
    result = ImportResult()
    try:
        with transaction.atomic():
            for data in cleaned:
                result.created.append(expert_create(user=user, **data))
    except ValidationError as error:  # a concurrent insert of the same person
        return ImportResult(errors=[RowError("", 0, "", "；".join(error.messages))])
    return result


def check(*, content: bytes, name: str, user) -> list[RowError]:
    """Read and validate without writing: the row errors; a refused file raises."""
    rows = read_content(content=content, name=name)
    _cleaned, errors = validate_rows(rows)
    return errors


def template_workbook() -> bytes:
    """The blank template (kejiju.core.xlsx.import_template): 身份证号码 and 手机号码 as text; 性别, 职称,
    专家类别 and 所在县区 as drop-down lists; the 填写说明 sheet explains each column."""
    return import_template(
        (SPEC,),
        notes_headers=("列", "说明"),
        notes_widths=(14, 100),
        notes=[
            ("身份证号码", "18位，该列已设为“文本”格式，防止末位丢失"),
            ("性别", "男 或 女，须与身份证号码一致"),
            ("职称", "、".join(Expert.Title.values)),
            ("工作单位", "须与单位库中的名称完全一致"),
            (
                "专业领域",
                "可填多个，以顿号分隔：" + "、".join(ExpertField.objects.values_list("name", flat=True)),
            ),
            ("专家类别", "技术专家、财务专家或管理专家；留空为技术专家（评审组组成规则按类别计人数）"),
            ("所在县区", "县区名称，如 忻府区；市外专家留空"),
            ("入库日期", "如 2023-06-01"),
        ],
        choices={
            "性别": ("男", "女"),
            "职称": Expert.Title.values,
            "专家类别": ("技术专家", "财务专家", "管理专家"),
            "所在县区": [region.name for region in Region.objects.county_level()],
        },
    )


IMPORTER = spreadsheets.Importer(
    name="experts",
    label="专家",
    sheets=(SPEC,),
    check=check,
    url_name="experts:expert_import",
    permission="experts.add_expert",
)
