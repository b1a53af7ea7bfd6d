"""How a value is shown: one place for pages (tables, detail pages), xlsx exports and the annual PDF.

- times in local time (settings.TIME_ZONE, Asia/Shanghai): dates "2026-12-05", times "2026-12-05 04:21";
- booleans 是/否; codes as their choice labels (done where the field is known: `field_text`);
- money in 元 with thousands separators and two decimals ("300,000.00 元"), in 万元 with two decimals in
  leadership views and the annual PDF ("437.40万元");
- an empty value "—".

For an xlsx cell the same layer gives the native value (`cell`): a local date/datetime, a number, 是/否,
a label; `Money` marks an amount so that its cell gets the money number format.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import models
from django.utils import formats, timezone
from django.utils.encoding import force_str

EMPTY = "—"
YES, NO = "是", "否"
DATE_FORMAT = "Y-m-d"
DATETIME_FORMAT = "Y-m-d H:i"
# xlsx number formats of the cells `cell` gives
XLSX_DATE = "yyyy-mm-dd"
XLSX_DATETIME = "yyyy-mm-dd hh:mm"
XLSX_MONEY = "#,##0.00"

_WAN = Decimal(10000)
_CENT = Decimal("0.01")


class Money(Decimal):
    """An amount in 元: a Decimal that says it is money (its text "1,234.50 元", its xlsx cell a number
    with the "#,##0.00" format)."""

    __slots__ = ()


def is_empty(value: Any) -> bool:
    return value is None or value == ""


def local(value: dt.datetime) -> dt.datetime:
    """An aware datetime in local time (naive datetimes are taken as local already)."""
    return timezone.localtime(value) if timezone.is_aware(value) else value


def yes_no(value: Any) -> str:
    return YES if value else NO


def date_text(value: dt.date | dt.datetime | None, fmt: str | None = None) -> str:
    if value is None:
        return EMPTY
    if isinstance(value, dt.datetime):
        return formats.date_format(local(value), fmt or DATETIME_FORMAT)
    return formats.date_format(value, fmt or DATE_FORMAT)


def amount(value: Any) -> str:
    """The number of an amount: "300,000.00" (a table column whose header says （元）)."""
    if is_empty(value):
        return EMPTY
    return f"{Decimal(value).quantize(_CENT):,.2f}"


def money(value: Any) -> str:
    """An amount in 元: "300,000.00 元"."""
    if is_empty(value):
        return EMPTY
    return f"{amount(value)} 元"


def wan_amount(value: Any) -> str:
    """元 as the number of 万元 with two decimals: 4374000 → "437.40"."""
    if is_empty(value):
        return EMPTY
    return f"{(Decimal(value) / _WAN).quantize(_CENT):,.2f}"


def wan(value: Any) -> str:
    """元 as 万元, the unit of leadership views and the annual PDF: 4374000 → "437.40万元"."""
    if is_empty(value):
        return EMPTY
    return f"{wan_amount(value)}万元"


def text(value: Any) -> str:
    """What a page shows for a value whose field is not known (a detail row, a template variable)."""
    if is_empty(value):
        return EMPTY
    if isinstance(value, bool):
        return yes_no(value)
    if isinstance(value, Money):
        return money(value)
    if isinstance(value, dt.date):  # datetimes included
        return date_text(value)
    if isinstance(value, int | float | Decimal):
        return formats.number_format(value)
    if isinstance(
        value, models.Manager
    ):  # a many-to-many or reverse relation: the names, not "app.Model.None"
        return "、".join(force_str(item) for item in value.all()) or EMPTY
    return force_str(value)


def is_money_field(field: models.Field | None) -> bool:
    """An amount in 元: a decimal field whose label names 元 (not 万元)."""
    if not isinstance(field, models.DecimalField):
        return False
    label = str(field.verbose_name)
    return "元" in label and "万元" not in label


def field_value(obj: models.Model, field: models.Field) -> Any:
    """The value of `field` of `obj` as the presentation layer takes it: the choice label of a code,
    Money for an amount, the related object for a relation."""
    if field.choices and hasattr(obj, f"get_{field.name}_display"):
        raw = getattr(obj, field.attname)
        return None if is_empty(raw) else getattr(obj, f"get_{field.name}_display")()
    value = getattr(obj, field.name)
    if value is not None and is_money_field(field):
        return Money(value)
    return value


def cell(value: Any) -> Any:
    """The native xlsx value of what a page shows as `text(value)`: a local naive datetime, a date, a
    number, 是/否, text. None stays None (an empty cell)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return yes_no(value)
    if isinstance(value, dt.datetime):
        return local(value).replace(tzinfo=None)
    if isinstance(value, dt.date | int | float | Decimal):
        return value
    return force_str(value)


def xlsx_format(value: Any) -> str | None:
    """The number format of a cell holding `cell(value)`."""
    if isinstance(value, Money):
        return XLSX_MONEY
    if isinstance(value, dt.datetime):
        return XLSX_DATETIME
    if isinstance(value, dt.date):
        return XLSX_DATE
    return None
