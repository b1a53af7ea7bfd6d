"""失信 records of a unit and of a person, written through the service."""

from __future__ import annotations

import datetime as dt
import io

from openpyxl import Workbook

from kejiju.integrity import services
from kejiju.integrity.importer import COLUMNS
from kejiju.integrity.models import IntegrityRecord

USCC = "911000001000013428"  # 中国石油化工集团有限公司
OTHER_USCC = "91440300708461136T"  # 华为技术有限公司
ID_NUMBER = "140902198503150019"
OTHER_ID_NUMBER = "140902199007080028"
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def make_unit_record(*, user, uscc: str = USCC, **kwargs) -> IntegrityRecord:
    fields = {
        "name": "矩阵失信单位",
        "source": "晋科监〔2025〕3号",
        "starts_on": dt.date(2025, 1, 1),
        "ends_on": dt.date(2027, 12, 31),
        "bars_apply": True,
        **kwargs,
    }
    return services.record_create(user=user, kind=IntegrityRecord.Kind.UNIT, uscc=uscc, **fields)


def make_person_record(*, user, id_number: str = ID_NUMBER, **kwargs) -> IntegrityRecord:
    fields = {
        "name": "张某",
        "employer": "某研究所",
        "source": "国科发监〔2025〕1号",
        "starts_on": dt.date(2025, 3, 1),
        "ends_on": None,
        "bars_expert": True,
        "bars_apply": True,
        **kwargs,
    }
    return services.record_create(user=user, kind=IntegrityRecord.Kind.PERSON, id_number=id_number, **fields)


def workbook(rows, *, header=COLUMNS) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "失信记录"
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


UNIT_ROW = (
    "单位",
    "某科技有限公司",
    USCC,
    "",
    "",
    "晋科监〔2025〕3号",
    "虚构数据",
    "2025-01-01",
    "2027-12-31",
    "申报、立项",
)
PERSON_ROW = (
    "个人",
    "李某",
    "",
    ID_NUMBER,
    "某大学",
    "国科发监〔2025〕1号",
    "抄袭",
    "2025-03-01",
    "长期",
    "评审专家",
)
