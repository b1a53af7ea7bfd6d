"""One row of the import: its cells read as dates, numbers, money and 门类, and its checks (the same in the
preview and at commit)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError

from kejiju.core import spreadsheets
from kejiju.core.models import Organization
from kejiju.core.spreadsheets import RowError, cell_text, quote

from .. import services
from ..industries import SECTION_NAMES, SECTIONS
from ..models import Enterprise, EnterpriseYear
from .sheets import ENTERPRISE_LABELS, ENTERPRISE_SHEET, FIGURE_LABELS, FIGURES_SHEET

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


def _name_taken(name: str, code: str) -> str:
    held_by = f"统一社会信用代码 {code}" if code else "未登记统一社会信用代码"
    return f"单位库中已有名为{quote(name)}的单位（{held_by}），请核对企业名称或统一社会信用代码。"
