"""Import of a provincial 失信 list (xlsx) through the one safe reader (kejiju.core.spreadsheets): every
row is checked first — subject type, 统一社会信用代码 or 身份证号, dates, 惩戒范围, duplicates in the file and
in the records — and named by row and column; the preview and the commit run the same check, and the commit
writes every row or none. Messages never repeat a 身份证号 in clear."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError

from kejiju.core import pii, spreadsheets, uploads
from kejiju.core.identifiers import IdentifierError, mask_id_number, validate_id_number, validate_uscc
from kejiju.core.spreadsheets import Column, Row, RowError, SheetSpec, cell_text, quote
from kejiju.core.xlsx import import_template

from .models import SCOPES, IntegrityRecord

MAX_ROWS = 5000
UPLOAD_DIR = "integrity"  # under spreadsheets.IMPORT_UPLOAD_DIR
SHEET = "失信记录"
_record = IntegrityRecord._meta.get_field
SPEC = SheetSpec(
    title=SHEET,
    synonyms=("失信名单", "科研诚信失信名单", "失信行为记录"),
    max_rows=MAX_ROWS,
    required=True,
    columns=(
        Column("主体类型", "主体类型", True, ("失信主体类型", "类型", "主体类别")),
        Column(
            "名称",
            "名称",
            True,
            ("失信主体名称", "单位名称或姓名", "主体名称", "单位名称", "姓名"),
            field=_record("name"),
        ),
        Column("统一社会信用代码", "统一社会信用代码", synonyms=("社会信用代码", "信用代码")),
        Column("身份证号码", "身份证号码", synonyms=("身份证号", "公民身份号码", "证件号码")),
        Column("工作单位", "工作单位", synonyms=("所在单位",), field=_record("employer")),
        Column(
            "文号/来源",
            "文号/来源",
            True,
            ("文号", "来源", "认定文号", "处理文号", "决定文号"),
            field=_record("source"),
        ),
        Column(
            "失信行为",
            "失信行为",
            synonyms=("失信行为简述", "主要失信行为", "违规行为"),
            field=_record("misconduct"),
        ),
        Column("惩戒开始日期", "惩戒开始日期", True, ("开始日期", "惩戒起始日期", "处理日期")),
        Column("惩戒结束日期", "惩戒结束日期", synonyms=("结束日期", "惩戒截止日期")),
        Column("惩戒范围", "惩戒范围", True, ("限制范围", "惩戒措施")),
    ),
)
COLUMNS: tuple[str, ...] = tuple(column.label for column in SPEC.columns)
REQUIRED = tuple(column.label for column in SPEC.required_columns)
FIELD_LABELS = {
    "name": "名称",
    "employer": "工作单位",
    "source": "文号/来源",
    "misconduct": "失信行为",
    "starts_on": "惩戒开始日期",
    "ends_on": "惩戒结束日期",
    "bars_apply": "惩戒范围",
}
KINDS = {
    "单位": IntegrityRecord.Kind.UNIT,
    "法人": IntegrityRecord.Kind.UNIT,
    "个人": IntegrityRecord.Kind.PERSON,
    "自然人": IntegrityRecord.Kind.PERSON,
}
SCOPE_NAMES = {label: field for field, label in SCOPES.values()} | {
    "评审": "bars_expert",
    "专家": "bars_expert",
}
SCOPE_CHOICES = "、".join(label for _field, label in SCOPES.values())
OPEN_ENDED = ("长期", "永久", "无期限")

ImportRefused = spreadsheets.SpreadsheetRefused


@dataclass
class ParsedImport:
    rows: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def _date(value: Any, label: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = cell_text(value)
    match = re.fullmatch(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?", text)
    if not match:
        raise ValueError(f"{label}{quote(text)}格式不正确，应为 2025-06-01。")
    try:
        return dt.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        raise ValueError(f"{label}{quote(text)}不是有效日期。") from None


def _masked(message: str, raw: str) -> str:
    for text in (raw, raw.upper()):
        if len(text) >= 6:
            message = message.replace(text, mask_id_number(text))
    return message


def _row(line: Row, *, fail) -> dict[str, Any]:
    record, failed = line.values, line.failed
    for name in REQUIRED:
        if name not in failed and cell_text(record.get(name)) == "":
            fail(name, f"{name}不能为空。")
    data: dict[str, Any] = {
        "name": cell_text(record.get("名称")),
        "employer": cell_text(record.get("工作单位")),
        "source": cell_text(record.get("文号/来源")),
        "misconduct": cell_text(record.get("失信行为")),
        "uscc": "",
        "id_number": "",
    }
    kind_text = cell_text(record.get("主体类型"))
    kind = KINDS.get(kind_text)
    if kind_text and kind is None:
        fail("主体类型", f"主体类型{quote(kind_text)}无效，应为“单位”或“个人”。")
    data["kind"] = kind
    code, raw_id = cell_text(record.get("统一社会信用代码")), cell_text(record.get("身份证号码"))
    if kind == IntegrityRecord.Kind.UNIT:
        if not code:
            fail("统一社会信用代码", "主体类型为单位时，统一社会信用代码不能为空。")
        else:
            try:
                data["uscc"] = validate_uscc(code)
            except IdentifierError as error:
                fail("统一社会信用代码", str(error))
        if raw_id:
            fail("身份证号码", "主体类型为单位时不填身份证号码。")
    elif kind == IntegrityRecord.Kind.PERSON:
        if not raw_id:
            fail("身份证号码", "主体类型为个人时，身份证号码不能为空。")
        else:
            try:
                data["id_number"] = validate_id_number(raw_id)
            except IdentifierError as error:
                fail("身份证号码", _masked(str(error), raw_id))
        if code:
            fail("统一社会信用代码", "主体类型为个人时不填统一社会信用代码。")
    for key, label in (("starts_on", "惩戒开始日期"), ("ends_on", "惩戒结束日期")):
        value = record.get(label)
        data[key] = None
        if cell_text(value) == "" or (key == "ends_on" and cell_text(value) in OPEN_ENDED):
            continue
        try:
            data[key] = _date(value, label)
        except ValueError as error:
            fail(label, str(error))
    names = [n for n in re.split(r"[、,，;；/\s]+", cell_text(record.get("惩戒范围"))) if n]
    unknown = [n for n in names if n not in SCOPE_NAMES]
    if unknown:
        fail(
            "惩戒范围",
            f"惩戒范围{quote('、'.join(unknown))}无效，可填：{SCOPE_CHOICES}。",
        )
    for scope_field, _label in SCOPES.values():
        data[scope_field] = any(SCOPE_NAMES.get(n) == scope_field for n in names)
    return data


def _model_errors(data: dict[str, Any], *, number: int, failed: set[str]) -> list[RowError]:
    """The model's own checks (lengths, date order, a scope chosen), named by column; record_create's
    full_clean makes the same at commit."""
    record = IntegrityRecord(
        kind=data.get("kind") or IntegrityRecord.Kind.UNIT,
        **{
            key: data.get(key) for key in ("name", "employer", "source", "misconduct", "starts_on", "ends_on")
        },
        **{f: data.get(f, False) for f, _l in SCOPES.values()},
    )
    exclude = {key for key, label in FIELD_LABELS.items() if label in failed}
    errors = spreadsheets.model_errors(record, sheet="", row=number, labels=FIELD_LABELS, exclude=exclude)
    if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
        errors.append(RowError("", number, "惩戒结束日期", "惩戒结束日期不能早于惩戒开始日期。"))
    return [e for e in errors if e.column not in failed]


def _subject_key(data: dict[str, Any]) -> tuple:
    subject = data["uscc"] if data["kind"] == IntegrityRecord.Kind.UNIT else pii.digest(data["id_number"])
    return (data["kind"], subject, data["source"], data["starts_on"])


def validate_rows(rows: Sequence[Row]) -> ParsedImport:
    parsed = ParsedImport()
    seen: dict[tuple, int] = {}
    for line in rows:
        number = line.number
        row_errors: list[RowError] = list(line.errors)
        failed = set(line.failed)

        def fail(column: str, message: str, number=number, row_errors=row_errors, failed=failed) -> None:
            row_errors.append(RowError("", number, column, message))
            failed.add(column)

        data = _row(line, fail=fail)
        row_errors += _model_errors(data, number=number, failed=failed)
        if not row_errors:
            key = _subject_key(data)
            if key in seen:
                fail("文号/来源", f"与第 {seen[key]} 行为同一主体、同一文号和开始日期的重复记录。")
            else:
                seen[key] = number
                lookup = (
                    {"uscc": key[1]}
                    if data["kind"] == IntegrityRecord.Kind.UNIT
                    else {"id_number_digest": key[1]}
                )
                if IntegrityRecord.objects.filter(
                    kind=data["kind"], source=data["source"], starts_on=data["starts_on"], **lookup
                ).exists():
                    fail("文号/来源", "已登记同一主体、同一文号和开始日期的失信记录。")
        if row_errors:
            parsed.errors.extend(row_errors)
        else:
            parsed.rows.append((number, data))
    return parsed


def parse(*, content: bytes, name: str, user=None) -> ParsedImport:
    """Read and check the whole file; a refused file raises ImportRefused."""
    sheet = spreadsheets.read_workbook(name=name, content=content, sheets=(SPEC,))[SHEET]
    if sheet is None or not sheet.rows:
        raise ImportRefused(f"“{sheet.title if sheet else SHEET}”工作表中没有数据行。")
    return validate_rows(sheet.rows)


def commit(*, parsed: ParsedImport, user) -> int:
    """Write every row or none; returns the number written."""
    from .services import record_create

    if not parsed.ok:
        raise ImportRefused("存在错误，未导入任何数据。")
    with uploads.atomic():  # record_create may store files: the one transaction that removes them
        for number, data in parsed.rows:
            try:
                record_create(user=user, **data)
            except ValidationError as error:
                message = spreadsheets.validation_message(
                    error, labels={**FIELD_LABELS, "uscc": "统一社会信用代码", "id_number": "身份证号码"}
                )
                raise ImportRefused(
                    f"第{number}行：{_masked(message, data.get('id_number') or '')}（未导入任何数据）"
                ) from None
    return len(parsed.rows)


def template_workbook() -> bytes:
    """The blank template (kejiju.core.xlsx.import_template): 统一社会信用代码 and 身份证号码 as text."""
    return import_template(
        (SPEC,),
        choices={"主体类型": ("单位", "个人")},
        notes=[
            (line,)
            for line in (
                "1. 第一行为列名，请勿修改；带 * 的列必填。任一行有错误时整个文件不导入。",
                "2. 主体类型填“单位”或“个人”；单位填统一社会信用代码（18位），个人填身份证号码（18位），"
                "这两列已设为“文本”格式。",
                "3. 日期如 2025-06-01；惩戒结束日期留空或填“长期”表示无固定期限。",
                f"4. 惩戒范围可填多个，以顿号分隔：{SCOPE_CHOICES}。",
                f"5. 每个文件最多 {MAX_ROWS} 行，不超过 {spreadsheets.MAX_BYTES // 1024 // 1024} MB；"
                "不要使用公式。",
            )
        ],
    )


def check(*, content: bytes, name: str, user) -> list[RowError]:
    """Read and validate without writing (the preview): the row errors; a refused file raises."""
    return parse(content=content, name=name, user=user).errors


IMPORTER = spreadsheets.Importer(
    name=UPLOAD_DIR,
    label="科研诚信失信记录",
    sheets=(SPEC,),
    check=check,
    url_name="integrity:integrityrecord_import",
    permission="integrity.add_integrityrecord",
)
