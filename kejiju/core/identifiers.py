"""Validation of the identifiers the portal stores, as pure functions.

Each ``validate_*`` function normalises its input and returns the normal form, or raises
:class:`IdentifierError` (a ``ValueError``) whose message, in Simplified Chinese, tells the user what is
wrong. Forms and importers call these functions and show the message as it is.

Standards and sources (see ``shared/reference/domain-rules.md`` sections 1-3):

* 统一社会信用代码: GB 32100-2015 《法人和其他组织统一社会信用代码编码规则》; the 主体标识码 at
  positions 9-17 is a GB 11714 组织机构代码 with its own check character.
* 公民身份号码: GB 11643-1999 《公民身份号码》, check character by ISO 7064 MOD 11-2.
* 高新技术企业证书编号: ``GR`` + year + GB/T 2260 province code + serial, as printed on certificates
  issued under 《高新技术企业认定管理办法》(国科发火〔2016〕32号).
* 科技型中小企业入库登记编号: the 11th character is the marker defined in 国科发火〔2018〕11号.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Final

from django.utils import timezone

__all__ = [
    "GAOQI_FIRST_YEAR",
    "ID_NUMBER_WEIGHTS",
    "NATIONAL_REGISTRATION_AREA",
    "ORG_CODE_WEIGHTS",
    "PROVINCES",
    "REGISTRATION_DEPARTMENTS",
    "SMES_MARKERS",
    "USCC_CHARSET",
    "USCC_WEIGHTS",
    "IdentifierError",
    "SmesRegistrationNumber",
    "certificate_year",
    "division_name",
    "gb2260_prefectures",
    "id_number_birth_date",
    "id_number_check_char",
    "id_number_gender",
    "is_valid_id_number",
    "is_valid_mobile",
    "is_valid_uscc",
    "mask_id_number",
    "mask_mobile",
    "org_code_check_char",
    "org_code_check_ok",
    "parse_smes_registration_number",
    "uscc_area_warning",
    "uscc_check_char",
    "validate_gaoqi_certificate",
    "validate_id_number",
    "validate_mobile",
    "validate_uscc",
]


class IdentifierError(ValueError):
    """An identifier is malformed. ``str(error)`` is a message for the user, in Chinese."""


def _as_text(value: object, label: str) -> str:
    """Return ``value`` stripped, refusing anything that is not a string.

    Spreadsheets store long digit strings as numbers and lose digits doing so (an 18-digit number does not
    fit in a float), so a number is never accepted where an identifier is expected.
    """
    if value is None:
        raise IdentifierError(f"{label}不能为空。")
    if isinstance(value, bool | int | float | Decimal):
        raise IdentifierError(
            f"{label}被识别为数字（{value!r}），长数字会丢失末位；请将该单元格设置为“文本”格式后重新填写。"
        )
    if not isinstance(value, str):
        raise IdentifierError(f"{label}必须是文本。")
    text = value.strip()
    if not text:
        raise IdentifierError(f"{label}不能为空。")
    return text


# --------------------------------------------------------------------------------------------------------
# GB/T 2260 province-level codes (first two digits of an administrative division code).
# 71 台湾省, 81 香港, 82 澳门 are listed in GB/T 2260 but issue no mainland 高企 certificates; they are kept
# out of this table on purpose.
# --------------------------------------------------------------------------------------------------------
PROVINCES: Final[dict[str, str]] = {
    "11": "北京市",
    "12": "天津市",
    "13": "河北省",
    "14": "山西省",
    "15": "内蒙古自治区",
    "21": "辽宁省",
    "22": "吉林省",
    "23": "黑龙江省",
    "31": "上海市",
    "32": "江苏省",
    "33": "浙江省",
    "34": "安徽省",
    "35": "福建省",
    "36": "江西省",
    "37": "山东省",
    "41": "河南省",
    "42": "湖北省",
    "43": "湖南省",
    "44": "广东省",
    "45": "广西壮族自治区",
    "46": "海南省",
    "50": "重庆市",
    "51": "四川省",
    "52": "贵州省",
    "53": "云南省",
    "54": "西藏自治区",
    "61": "陕西省",
    "62": "甘肃省",
    "63": "青海省",
    "64": "宁夏回族自治区",
    "65": "新疆维吾尔自治区",
}


# --------------------------------------------------------------------------------------------------------
# 统一社会信用代码 (GB 32100-2015)
# --------------------------------------------------------------------------------------------------------
USCC_CHARSET: Final = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # 31 characters: no I, O, S, V, Z
# Wi = 3^(i-1) mod 31: 1 3 9 27 19 26 16 17 20 29 25 13 8 24 10 30 28
USCC_WEIGHTS: Final = tuple(pow(3, i, 31) for i in range(17))
_USCC_VALUES: Final = {ch: i for i, ch in enumerate(USCC_CHARSET)}

# GB 11714 组织机构代码: 8 body characters (0-9, A-Z valued 0-35) and a check character.
ORG_CODE_WEIGHTS: Final = (3, 7, 9, 10, 5, 8, 4, 2)


def uscc_check_char(first17: str) -> str:
    """The GB 32100 check character (position 18) for the first 17 characters of a code."""
    first17 = first17.strip().upper()
    if len(first17) != 17:
        raise IdentifierError(f"计算校验码需要前17位，实际为{len(first17)}位。")
    total = 0
    for position, (char, weight) in enumerate(zip(first17, USCC_WEIGHTS, strict=True), start=1):
        value = _USCC_VALUES.get(char)
        if value is None:
            raise IdentifierError(f"统一社会信用代码第{position}位“{char}”不是合法字符。")
        total += value * weight
    return USCC_CHARSET[(31 - total % 31) % 31]


def org_code_check_char(body8: str) -> str:
    """The GB 11714 check character for the 8-character body of an organisation code."""
    body8 = body8.strip().upper()
    if len(body8) != 8 or not body8.isascii() or not body8.isalnum():
        raise IdentifierError("组织机构代码本体应为8位数字或大写字母。")
    total = sum(int(char, 36) * weight for char, weight in zip(body8, ORG_CODE_WEIGHTS, strict=True))
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def org_code_check_ok(code: str) -> bool:
    """Whether positions 9-17 of a USCC pass the GB 11714 organisation-code check.

    Informational only: codes issued to bodies without an old organisation code (individual businesses,
    some pilot regions) need not pass it, so no validator rejects on it.
    """
    code = code.strip().upper()
    if len(code) != 18:
        return False
    try:
        return org_code_check_char(code[8:16]) == code[16]
    except IdentifierError:
        return False


# GB 32100-2015 table 1 (and the codes added to it since): 登记管理部门码 → its 机构类别码.
REGISTRATION_DEPARTMENTS: Final[dict[str, tuple[str, dict[str, str]]]] = {
    "1": ("机构编制", {"1": "机关", "2": "事业单位", "3": "中央编办直接管理机构编制的群众团体", "9": "其他"}),
    "2": ("外交", {"1": "外国常驻新闻机构", "9": "其他"}),
    "3": (
        "司法行政",
        {
            "1": "律师执业机构",
            "2": "公证处",
            "3": "基层法律服务所",
            "4": "司法鉴定机构",
            "5": "仲裁委员会",
            "9": "其他",
        },
    ),
    "4": ("文化", {"1": "外国在华文化中心", "9": "其他"}),
    "5": ("民政", {"1": "社会团体", "2": "民办非企业单位", "3": "基金会", "9": "其他"}),
    "6": (
        "旅游",
        {"1": "外国旅游部门常驻代表机构", "2": "港澳台地区旅游部门常驻内地（大陆）代表机构", "9": "其他"},
    ),
    "7": ("宗教", {"1": "宗教活动场所", "2": "宗教院校", "9": "其他"}),
    "8": ("工会", {"1": "基层工会", "9": "其他"}),
    "9": ("工商", {"1": "企业", "2": "个体工商户", "3": "农民专业合作社"}),
    "A": ("中央军委改革和编制办公室", {"1": "军队事业单位", "9": "其他"}),
    "N": ("农业", {"1": "组级集体经济组织", "2": "村级集体经济组织", "3": "乡镇级集体经济组织", "9": "其他"}),
    "Y": ("其他", {"1": "其他"}),
}
NATIONAL_REGISTRATION_AREA: Final = (
    "100000"  # registered by a national authority (国家市场监督管理总局, 民政部 …)
)
_PREFECTURES_FILE: Final = Path(__file__).with_name("data") / "gb2260_prefectures.tsv"


@cache
def gb2260_prefectures() -> dict[str, str]:
    """Prefecture-level prefixes (4 digits) of GB/T 2260 that have existed since 1980 → their latest name."""
    rows = _PREFECTURES_FILE.read_text(encoding="utf-8").splitlines()
    return dict(line.split("\t", 1) for line in rows if line and not line.startswith("#"))


def division_name(code: str) -> str:
    """The name of a registration area (positions 3-8 of a USCC) as far as the tables know it."""
    if code == NATIONAL_REGISTRATION_AREA:
        return "国家级登记管理机关"
    if code[2:] == "0000":
        return PROVINCES.get(code[:2], "")
    return gb2260_prefectures().get(code[:4], "")


def _is_registration_area(code: str) -> bool:
    if not (code.isascii() and code.isdigit()):
        return False
    if code == NATIONAL_REGISTRATION_AREA:
        return True
    if code[:2] not in PROVINCES:
        return False
    return code[2:] == "0000" or (code[2:4] != "00" and code[:4] in gb2260_prefectures())


def validate_uscc(code: object, *, allow_check_mismatch: bool = False) -> str:
    """Normalise and validate a 统一社会信用代码; return it in upper case.

    Checks the characters, the 登记管理部门码 + 机构类别码 pair (GB 32100 table 1), that positions 3-8 are a
    real GB/T 2260 division (at least its prefecture), the GB 32100 check character (position 18) and the
    GB 11714 check character of the 主体标识码 (position 17).

    ``allow_check_mismatch=True`` is the administrator override for legal codes whose check characters are
    wrong (early pilot codes, Fujian ``…M000…``); everything else is still checked.
    """
    text = _as_text(code, "统一社会信用代码").upper()
    if len(text) != 18:
        raise IdentifierError(f"统一社会信用代码应为18位，实际为{len(text)}位。")
    for position, char in enumerate(text, start=1):
        if char not in _USCC_VALUES:
            raise IdentifierError(
                f"统一社会信用代码第{position}位“{char}”不是合法字符"
                "（只允许数字和除 I、O、S、V、Z 以外的大写字母）。"
            )
    department = REGISTRATION_DEPARTMENTS.get(text[0])
    if department is None:
        raise IdentifierError(
            f"统一社会信用代码第1位“{text[0]}”不是 GB 32100 规定的登记管理部门码"
            "（如 9 工商、1 机构编制、5 民政）。"
        )
    if text[1] not in department[1]:
        categories = "、".join(f"{text[0]}{key} {name}" for key, name in department[1].items())
        raise IdentifierError(
            f"统一社会信用代码前两位“{text[:2]}”不是有效的登记管理部门码和机构类别码组合"
            f"（{department[0]}部门只有：{categories}）。"
        )
    if not _is_registration_area(text[2:8]):
        raise IdentifierError(
            f"统一社会信用代码第3–8位“{text[2:8]}”不是 GB/T 2260 中的行政区划代码（登记管理机关所在地）。"
        )
    expected = uscc_check_char(text[:17])
    if expected != text[17] and not allow_check_mismatch:
        raise IdentifierError(f"统一社会信用代码校验码错误：最后一位应为“{expected}”，实际为“{text[17]}”。")
    body_check = org_code_check_char(text[8:16])
    if body_check != text[16] and not allow_check_mismatch:
        raise IdentifierError(
            f"统一社会信用代码第9–17位（主体标识码，GB 11714 组织机构代码）校验错误："
            f"第17位应为“{body_check}”，实际为“{text[16]}”。"
        )
    return text


def uscc_area_warning(code: str, *, region_code: str, region_name: str) -> str | None:
    """A warning when the registration area of a valid code (positions 3-8) does not fit the record's region.

    Enterprises move, so this is never a refusal. A code registered by the county itself, by its prefecture,
    by its province or by a national authority fits. A region without a county code of its own (a city; a
    zone with a statistical code such as 140971 or a bureau-defined one such as 140900-KFQ) is served by every
    registry of its prefecture."""
    region = region_code[:6]
    if len(region) != 6 or not region.isdigit():
        return None
    area = code[2:8]
    if area in {region[:4] + "00", region[:2] + "0000", NATIONAL_REGISTRATION_AREA}:
        return None
    county_level = region_code.isdigit() and region[4:] != "00" and region[4] != "7"
    if area == region or (not county_level and area[:4] == region[:4]):
        return None
    name = division_name(area)
    label = f"{area}（{'' if area[4:] == '00' else '属'}{name}）" if name else area
    return f"统一社会信用代码的登记机关区划 {label} 与所在县区“{region_name}”不一致，请核实企业是否已迁移。"


def is_valid_uscc(code: object) -> bool:
    """Whether ``code`` is a well-formed 统一社会信用代码 with a correct check character."""
    try:
        validate_uscc(code)
    except IdentifierError:
        return False
    return True


# --------------------------------------------------------------------------------------------------------
# 公民身份号码 (GB 11643-1999)
# --------------------------------------------------------------------------------------------------------
ID_NUMBER_WEIGHTS: Final = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_NUMBER_CHECK_MAP: Final = "10X98765432"  # ISO 7064 MOD 11-2: index = weighted sum mod 11
_ID_NUMBER_RE: Final = re.compile(r"\d{17}[\dX]")
_SCIENTIFIC_RE: Final = re.compile(r"\d(?:\.\d+)?E\+?\d+")


def id_number_check_char(first17: str) -> str:
    """The GB 11643 check character for the first 17 digits of an ID number."""
    if len(first17) != 17 or not first17.isdigit() or not first17.isascii():
        raise IdentifierError("计算校验码需要前17位数字。")
    total = sum(int(digit) * weight for digit, weight in zip(first17, ID_NUMBER_WEIGHTS, strict=True))
    return _ID_NUMBER_CHECK_MAP[total % 11]


def validate_id_number(value: object, *, today: date | None = None) -> str:
    """Normalise and validate an 18-character 公民身份号码; return it with an upper-case ``X``.

    Checks the length and characters, the birth date (a real date, not after ``today``) and the check
    character. The address code is not checked against GB/T 2260: codes of abolished divisions stay valid
    on existing cards.
    """
    label = "身份证号码"
    text = _as_text(value, label).upper()
    if _SCIENTIFIC_RE.fullmatch(text):
        raise IdentifierError(
            f"{label}“{text}”是科学计数法形式，末位已丢失；请将该单元格设置为“文本”格式后重新填写完整号码。"
        )
    if len(text) != 18:
        raise IdentifierError(f"{label}应为18位，实际为{len(text)}位。")
    if not _ID_NUMBER_RE.fullmatch(text):
        raise IdentifierError(f"{label}前17位应为数字，最后一位应为数字或 X。")
    birth = _birth_date(text)
    if birth is None:
        raise IdentifierError(f"{label}中的出生日期“{text[6:14]}”不是有效日期。")
    if birth > (today or timezone.localdate()):
        raise IdentifierError(f"{label}中的出生日期“{birth.isoformat()}”晚于今天。")
    expected = id_number_check_char(text[:17])
    if expected != text[17]:
        raise IdentifierError(f"{label}校验码错误：最后一位应为“{expected}”，实际为“{text[17]}”。")
    return text


def is_valid_id_number(value: object, *, today: date | None = None) -> bool:
    """Whether ``value`` is a valid 18-character 公民身份号码."""
    try:
        validate_id_number(value, today=today)
    except IdentifierError:
        return False
    return True


def _birth_date(number: str) -> date | None:
    try:
        return date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return None


def id_number_birth_date(value: object) -> date:
    """The birth date encoded in a valid ID number."""
    number = validate_id_number(value)
    birth = _birth_date(number)
    assert birth is not None  # validate_id_number has checked it
    return birth


def id_number_gender(value: object) -> str:
    """``"男"`` or ``"女"`` from the 顺序码 of a valid ID number (odd = male, even = female)."""
    number = validate_id_number(value)
    return "男" if int(number[16]) % 2 == 1 else "女"


def mask_id_number(value: str | None) -> str:
    """Mask an ID number for display: keep the first 6 and the last 4 characters.

    ``"110101199003071234"`` → ``"110101********1234"``. Values of 10 characters or fewer are masked whole.
    """
    if not value:
        return ""
    text = value.strip()
    if len(text) <= 10:
        return "*" * len(text)
    return text[:6] + "*" * (len(text) - 10) + text[-4:]


# --------------------------------------------------------------------------------------------------------
# 手机号码 (mainland mobile numbers)
# --------------------------------------------------------------------------------------------------------
_MOBILE_RE: Final = re.compile(r"1[3-9]\d{9}")
_MOBILE_SEPARATORS_RE: Final = re.compile(r"[\s-]")


def validate_mobile(value: object) -> str:
    """Normalise and validate a mainland mobile number: 11 digits starting with 13-19.

    Spaces, hyphens and a leading ``+86``/``86`` are removed. A whole number (as a spreadsheet stores it) is
    accepted, since 11 digits survive the conversion.
    """
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    text = _MOBILE_SEPARATORS_RE.sub("", _as_text(value, "手机号码"))
    if text.startswith("+86"):
        text = text[3:]
    elif text.startswith("86") and len(text) == 13:
        text = text[2:]
    if not _MOBILE_RE.fullmatch(text):
        raise IdentifierError(f"手机号码“{text}”格式不正确：应为以 13–19 开头的11位数字。")
    return text


def is_valid_mobile(value: object) -> bool:
    """Whether ``value`` is a valid mainland mobile number."""
    try:
        validate_mobile(value)
    except IdentifierError:
        return False
    return True


def mask_mobile(value: str | None) -> str:
    """Mask a mobile number for display: ``"13812345678"`` → ``"138****5678"``."""
    if not value:
        return ""
    text = value.strip()
    if len(text) < 8:
        return "*" * len(text)
    return text[:3] + "*" * (len(text) - 7) + text[-4:]


# --------------------------------------------------------------------------------------------------------
# 高新技术企业证书编号
# --------------------------------------------------------------------------------------------------------
GAOQI_FIRST_YEAR: Final = 2008  # first certificates under the 2008 认定管理办法
_GAOQI_RE: Final = re.compile(r"GR(\d{4})(\d{2})(\d{6})")


def validate_gaoqi_certificate(
    number: object, *, province_code: str | None = None, today: date | None = None
) -> str:
    """Normalise and validate a 高新技术企业证书编号 such as ``GR202311004043``.

    Format: ``GR`` + 4-digit year + 2-digit GB/T 2260 province code + 6-digit serial. The year must lie in
    2008 .. next year. With ``province_code`` (``"14"``, ``"140000"`` or any code in the province, e.g.
    ``"140900"``), the certificate must have been issued by that province.
    """
    label = "高新技术企业证书编号"
    text = _as_text(number, label).upper().replace(" ", "")
    match = _GAOQI_RE.fullmatch(text)
    if match is None:
        raise IdentifierError(
            f"{label}格式不正确：应为“GR”加12位数字（年份4位、省份代码2位、序号6位），共14位。"
        )
    year, province, _serial = int(match[1]), match[2], match[3]
    last_year = (today or timezone.localdate()).year + 1
    if not GAOQI_FIRST_YEAR <= year <= last_year:
        raise IdentifierError(f"{label}中的年份 {year} 不合理：应在 {GAOQI_FIRST_YEAR}–{last_year} 之间。")
    if province not in PROVINCES:
        raise IdentifierError(f"{label}中的省份代码“{province}”不是有效的省级行政区划代码。")
    if province_code is not None:
        expected = province_code.strip()[:2]
        if expected not in PROVINCES:
            raise IdentifierError(f"本地省份代码“{province_code}”无效。")
        if province != expected:
            raise IdentifierError(
                f"{label}中的省份代码 {province}（{PROVINCES[province]}）"
                f"与本地省份 {expected}（{PROVINCES[expected]}）不符。"
            )
    return text


def certificate_year(number: object) -> int:
    """The year encoded in a valid 高企 certificate number."""
    return int(validate_gaoqi_certificate(number)[2:6])


# --------------------------------------------------------------------------------------------------------
# 科技型中小企业入库登记编号
# --------------------------------------------------------------------------------------------------------
# The 11th character (国科发火〔2018〕11号). The rest of the layout (4-digit year, 6-digit area code, serial)
# is inferred from published numbers and not confirmed; the serial length varies, so no length is enforced.
SMES_MARKERS: Final[dict[str, str]] = {
    "0": "入库年度以前成立，5月31日前提交评价信息",
    "A": "入库年度以前成立，6月1日及以后提交评价信息",
    "B": "入库年度当年成立",
}
_SMES_RE: Final = re.compile(r"(\d{4})(\d{6})([0AB])(\d+)")


@dataclass(frozen=True, slots=True)
class SmesRegistrationNumber:
    """A parsed 入库登记编号."""

    number: str
    year: int
    area_code: str
    marker: str
    serial: str

    @property
    def marker_meaning(self) -> str:
        return SMES_MARKERS[self.marker]

    @property
    def previous_year_deduction_eligible(self) -> bool:
        """Only marker ``0`` allows the higher 研发费用加计扣除 in the previous year's 汇算清缴."""
        return self.marker == "0"


def parse_smes_registration_number(value: object) -> SmesRegistrationNumber:
    """Parse a 科技型中小企业入库登记编号 (``^\\d{4}\\d{6}[0AB]\\d+$``); the length is not checked."""
    label = "入库登记编号"
    text = _as_text(value, label).upper().replace(" ", "")
    match = _SMES_RE.fullmatch(text)
    if match is None:
        raise IdentifierError(
            f"{label}格式不正确：应为4位年份、6位行政区划代码、1位标识（0、A 或 B）再加序号，均为数字。"
        )
    return SmesRegistrationNumber(
        number=text, year=int(match[1]), area_code=match[2], marker=match[3], serial=match[4]
    )
