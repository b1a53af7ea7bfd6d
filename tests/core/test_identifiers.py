"""Table-driven tests of kejiju.core.identifiers (pure Python, no database)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from kejiju.core.identifiers import (
    PROVINCES,
    REGISTRATION_DEPARTMENTS,
    USCC_CHARSET,
    USCC_WEIGHTS,
    IdentifierError,
    certificate_year,
    gb2260_prefectures,
    id_number_birth_date,
    id_number_check_char,
    id_number_gender,
    is_valid_id_number,
    is_valid_mobile,
    is_valid_uscc,
    mask_id_number,
    mask_mobile,
    org_code_check_char,
    org_code_check_ok,
    parse_smes_registration_number,
    uscc_area_warning,
    uscc_check_char,
    validate_gaoqi_certificate,
    validate_id_number,
    validate_mobile,
    validate_uscc,
)

TODAY = date(2025, 6, 30)

# ---------------------------------------------------------------------------------------------------------
# 统一社会信用代码
# ---------------------------------------------------------------------------------------------------------

# Codes published in public text (bank EV certificates, company registers); each computes.
REAL_USCC = [
    ("911000001000013428", "中国银行股份有限公司"),
    ("914403001922038216", "华为技术有限公司"),
    ("91440300708461136T", "深圳市腾讯计算机系统有限公司"),
    ("91110108551385082Q", "小米科技有限责任公司"),
    ("91350100M000100Y43", "GB 32100 sample code used by hutool, passes the check"),
    ("9144030010001686XA", "招商银行股份有限公司"),
    ("91341000MA2N0ABGXX", "check character X"),
    ("51100000500019541K", "社会团体 (5-1)"),
    ("112302070019030687", "机关 (1-1)"),
]

# Early Fujian pilot codes: legal, but their check character is wrong (aarioai/id-rule notes).
PILOT_USCC = [
    ("91350100M0001TGQXM", "1"),
    ("91350211M0000XUF46", "R"),
    ("91350203M0001FUE2P", "J"),
]


def test_uscc_weights_are_powers_of_three_mod_31() -> None:
    assert USCC_WEIGHTS == (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


@pytest.mark.parametrize(("code", "holder"), REAL_USCC)
def test_real_uscc_is_valid(code: str, holder: str) -> None:
    assert validate_uscc(code) == code, holder
    assert is_valid_uscc(code)
    assert uscc_check_char(code[:17]) == code[17]


@pytest.mark.parametrize(
    ("raw", "normal"),
    [
        ("  911000001000013428 ", "911000001000013428"),
        ("91440300708461136t", "91440300708461136T"),
        ("91110108551385082q\n", "91110108551385082Q"),
    ],
)
def test_uscc_is_normalised(raw: str, normal: str) -> None:
    assert validate_uscc(raw) == normal


@pytest.mark.parametrize(
    ("code", "message_part"),
    [
        ("911000001000013429", "最后一位应为“8”"),  # last character flipped
        ("914403001922038217", "最后一位应为“6”"),
        ("91440300708461136A", "最后一位应为“T”"),
        ("911000001000013438", "最后一位应为"),  # a body digit flipped
        ("911100001000013934", "最后一位应为“L”"),  # misremembered code in circulation
        ("91110000800088421P", "最后一位应为“W”"),
        ("91100000100003962", "应为18位，实际为17位"),
        ("9110000010000396200", "应为18位，实际为19位"),
        ("91100000100003962I", "第18位“I”不是合法字符"),
        ("9110000010000396O2", "第17位“O”不是合法字符"),
        ("91S000001000013428", "第3位“S”不是合法字符"),
        ("91100000-10000396T", "第9位“-”不是合法字符"),
        ("", "不能为空"),
        ("   ", "不能为空"),
    ],
)
def test_broken_uscc_is_rejected_with_reason(code: str, message_part: str) -> None:
    with pytest.raises(IdentifierError, match=message_part):
        validate_uscc(code)
    assert not is_valid_uscc(code)


@pytest.mark.parametrize(("code", "expected_check"), PILOT_USCC)
def test_pilot_code_fails_check_but_admin_override_accepts_it(code: str, expected_check: str) -> None:
    with pytest.raises(IdentifierError, match=f"最后一位应为“{expected_check}”"):
        validate_uscc(code)
    assert not is_valid_uscc(code)
    assert validate_uscc(code, allow_check_mismatch=True) == code


def test_admin_override_still_checks_length_and_characters() -> None:
    with pytest.raises(IdentifierError, match="应为18位"):
        validate_uscc("91350100M0001TGQX", allow_check_mismatch=True)
    with pytest.raises(IdentifierError, match="不是合法字符"):
        validate_uscc("91350100M0001TGQXZ", allow_check_mismatch=True)


@pytest.mark.parametrize(
    "value", [911000001000013428, 9.11000001000013e17, None, Decimal("911000001000013428")]
)
def test_uscc_number_cell_is_refused(value: object) -> None:
    with pytest.raises(IdentifierError):
        validate_uscc(value)


@pytest.mark.parametrize(
    ("code", "ok"),
    [
        ("911000001000013428", True),
        ("914403001922038216", True),
        ("9144030010001686XA", True),  # organisation-code check character X
        ("91350100M0001TGQXM", True),  # body passes even though the USCC check fails
        # 中国银行 with position 17 changed and position 18 recomputed: USCC valid, body check broken.
        ("91100000100001343B", False),
        ("short", False),
    ],
)
def test_org_code_check_is_informational(code: str, ok: bool) -> None:
    assert org_code_check_ok(code) is ok


def test_broken_organisation_code_is_refused_unless_overridden() -> None:
    """中国银行 with position 17 changed and position 18 recomputed: GB 32100 passes, GB 11714 does not."""
    code = "91100000100001343B"
    assert uscc_check_char(code[:17]) == code[17]
    with pytest.raises(IdentifierError, match="第17位应为“2”，实际为“3”"):
        validate_uscc(code)
    assert not is_valid_uscc(code)
    assert validate_uscc(code, allow_check_mismatch=True) == code  # the 校验码例外 path, with a reason


def _code(prefix: str, area: str = "140902", body: str = "MA0K4LKE") -> str:
    """A code with both check characters right for the given department/category pair and area."""
    first17 = f"{prefix}{area}{body}{org_code_check_char(body)}"
    return first17 + uscc_check_char(first17)


ALL_PAIRS = [a + b for a in USCC_CHARSET for b in USCC_CHARSET]
TABLE_PAIRS = {dept + cat for dept, (_name, cats) in REGISTRATION_DEPARTMENTS.items() for cat in cats}


def test_department_and_category_table_is_gb_32100_table_1() -> None:
    assert {"11", "12", "13", "19", "51", "52", "53", "59", "91", "92", "93", "Y1"} <= TABLE_PAIRS
    assert {
        "31",
        "32",
        "33",
        "34",
        "35",
        "39",
        "71",
        "72",
        "79",
        "81",
        "89",
        "A1",
        "A9",
        "N1",
        "N2",
        "N3",
    } <= (TABLE_PAIRS)
    assert not TABLE_PAIRS & {"00", "10", "90", "94", "99", "Y0", "Y9", "B1"}


def test_every_department_category_pair_is_checked() -> None:
    """A sweep over all 961 two-character prefixes with both check characters recomputed: only the pairs of
    GB 32100 table 1 pass, every other one is refused naming positions 1-2, even with the override."""
    accepted = []
    for pair in ALL_PAIRS:
        code = _code(pair)
        try:
            validate_uscc(code, allow_check_mismatch=True)
        except IdentifierError as error:
            assert "登记管理部门码" in str(error) and pair[0] in str(error), (pair, str(error))
        else:
            accepted.append(pair)
    assert set(accepted) == TABLE_PAIRS


@pytest.mark.parametrize(
    "code",
    [
        "000000000000000000",
        "111111111111111111",
        "999999999999999999",
        "YYYYYYYYYYYYYYYYYY",
        "AAAAAAAAAAAAAAAAAA",
    ],
)
def test_uniform_codes_are_refused(code: str) -> None:
    with pytest.raises(IdentifierError):
        validate_uscc(code, allow_check_mismatch=True)


@pytest.mark.parametrize(
    ("area", "ok"),
    [
        ("140902", True),  # 忻府区
        ("140900", True),  # 忻州市 (registered by the city)
        ("140000", True),  # 山西省
        ("100000", True),  # a national authority (中国银行's code)
        ("142200", True),  # 忻州地区, abolished in 2000: old registrations keep it
        ("110108", True),  # 海淀区
        ("469027", True),  # Hainan's 省直辖县级行政区划
        ("000000", False),
        ("999999", False),
        ("149900", False),  # no such prefecture in Shanxi
        ("140099", False),  # a province code with a county part
        ("710000", False),  # 台湾省 registries issue no mainland codes
        ("810000", False),
        ("A40902", False),  # letters are not a division code
    ],
)
def test_registration_area_must_be_a_gb2260_division(area: str, ok: bool) -> None:
    code = _code("91", area)
    if ok:
        assert validate_uscc(code) == code
    else:
        with pytest.raises(IdentifierError, match="第3–8位"):
            validate_uscc(code, allow_check_mismatch=True)


def test_real_codes_area_prefixes_are_known() -> None:
    for code, holder in REAL_USCC + PILOT_USCC:
        assert gb2260_prefectures().get(code[2:6]) or code[2:8] in {"100000"} or code[4:8] == "0000", holder


@pytest.mark.parametrize(
    ("code", "region_code", "warns"),
    [
        (_code("91", "140902"), "140902", False),
        (_code("91", "140900"), "140902", False),  # the city's registry
        (_code("91", "140000"), "140902", False),
        (_code("91", "100000"), "140902", False),
        (_code("91", "140921"), "140902", True),  # 定襄县's registry for an enterprise now in 忻府区
        (_code("91", "440300"), "140902", True),  # moved from Shenzhen
        (_code("91", "140902"), "140971", False),  # 五台山风景名胜区 is served by the prefecture's registries
        (_code("91", "140922"), "140900-KFQ", False),
        (_code("91", "440300"), "140900-KFQ", True),
    ],
)
def test_area_differing_from_the_county_is_a_warning(code: str, region_code: str, warns: bool) -> None:
    warning = uscc_area_warning(code, region_code=region_code, region_name="本县")
    assert bool(warning) is warns
    if warns:
        assert code[2:8] in warning and "本县" in warning
        assert validate_uscc(code) == code  # a warning, never a refusal


@pytest.mark.parametrize(("body", "check"), [("10000134", "2"), ("19220382", "1"), ("10001686", "X")])
def test_org_code_check_char(body: str, check: str) -> None:
    assert org_code_check_char(body) == check


# ---------------------------------------------------------------------------------------------------------
# 公民身份号码
# ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "normal", "birth", "gender"),
    [
        ("11010519491231002X", "11010519491231002X", date(1949, 12, 31), "女"),  # GB 11643 sample
        ("11010519491231002x", "11010519491231002X", date(1949, 12, 31), "女"),  # lowercase x
        (" 440524188001010014 ", "440524188001010014", date(1880, 1, 1), "男"),  # GB 11643 sample
        ("110101199003071233", "110101199003071233", date(1990, 3, 7), "男"),
    ],
)
def test_valid_id_number(raw: str, normal: str, birth: date, gender: str) -> None:
    assert validate_id_number(raw, today=TODAY) == normal
    assert is_valid_id_number(raw, today=TODAY)
    assert id_number_birth_date(raw) == birth
    assert id_number_gender(raw) == gender


@pytest.mark.parametrize(
    ("value", "message_part"),
    [
        ("110105194912310021", "最后一位应为“X”，实际为“1”"),  # check character changed
        ("11010519491231003X", "最后一位应为"),  # sequence digit changed
        ("11010519491231002", "应为18位，实际为17位"),
        ("11010519491231002XX", "应为18位，实际为19位"),
        ("110105490101002", "应为18位，实际为15位"),  # old 15-digit number
        ("1101051949123100AX", "前17位应为数字"),
        ("11010519491231002Y", "最后一位应为数字或 X"),
        ("110105194902300026", "出生日期“19490230”不是有效日期"),  # 30 February
        ("110105194913010020", "不是有效日期"),  # month 13
        ("110105203001010010", "晚于今天"),  # born in 2030
        ("1.10105194912310E+17", "科学计数法"),  # Excel number pasted as text
        ("", "不能为空"),
    ],
)
def test_broken_id_number_is_rejected_with_reason(value: str, message_part: str) -> None:
    with pytest.raises(IdentifierError, match=message_part):
        validate_id_number(value, today=TODAY)
    assert not is_valid_id_number(value, today=TODAY)


@pytest.mark.parametrize(
    "value",
    [
        1.10105194912310e17,  # what Excel holds for a number cell
        110105194912310029,  # an int has no room for X and may have lost digits
        Decimal("110105194912310029"),
        True,
    ],
)
def test_id_number_as_number_cell_is_refused(value: object) -> None:
    with pytest.raises(IdentifierError, match="文本"):
        validate_id_number(value, today=TODAY)


def test_id_number_born_today_is_accepted() -> None:
    first17 = "11010520250630001"
    number = first17 + id_number_check_char(first17)
    assert validate_id_number(number, today=TODAY) == number
    with pytest.raises(IdentifierError, match="晚于今天"):
        validate_id_number(number, today=date(2025, 6, 29))


@pytest.mark.parametrize(
    ("first17", "check"),
    [("11010519491231002", "X"), ("44052418800101001", "4"), ("11010119900307123", "3")],
)
def test_id_number_check_char(first17: str, check: str) -> None:
    assert id_number_check_char(first17) == check


# ---------------------------------------------------------------------------------------------------------
# Masking and mobile numbers
# ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("110101199003071234", "110101********1234"),
        ("11010519491231002X", "110105********002X"),
        ("110105490101002", "110105*****1002"),
        ("12345", "*****"),
        ("", ""),
        (None, ""),
    ],
)
def test_mask_id_number(value: str | None, masked: str) -> None:
    assert mask_id_number(value) == masked


@pytest.mark.parametrize(
    ("value", "masked"),
    [("13812345678", "138****5678"), ("19900001111", "199****1111"), ("123", "***"), ("", ""), (None, "")],
)
def test_mask_mobile(value: str | None, masked: str) -> None:
    assert mask_mobile(value) == masked


@pytest.mark.parametrize(
    ("raw", "normal"),
    [
        ("13812345678", "13812345678"),
        (" 138 1234 5678 ", "13812345678"),
        ("138-1234-5678", "13812345678"),
        ("+8613812345678", "13812345678"),
        ("8613812345678", "13812345678"),
        ("19912345678", "19912345678"),
        (13812345678, "13812345678"),  # a number cell keeps all 11 digits
    ],
)
def test_valid_mobile(raw: object, normal: str) -> None:
    assert validate_mobile(raw) == normal
    assert is_valid_mobile(raw)


@pytest.mark.parametrize(
    "value",
    ["12812345678", "1381234567", "138123456789", "23812345678", "1381234567a", "", None, 1.3812345678e10],
)
def test_invalid_mobile(value: object) -> None:
    with pytest.raises(IdentifierError):
        validate_mobile(value)
    assert not is_valid_mobile(value)


# ---------------------------------------------------------------------------------------------------------
# 高企证书编号
# ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("number", "year", "province"),
    [
        ("GR202311004043", 2023, "11"),
        ("GR202231005683", 2022, "31"),
        ("GR202145001224", 2021, "45"),
        ("GR201512000273", 2015, "12"),
        ("gr202311004043", 2023, "11"),  # normalised
        (" GR 2023 11 004043 ", 2023, "11"),
        ("GR200814000001", 2008, "14"),  # first year
        ("GR202614000001", 2026, "14"),  # next year relative to TODAY
    ],
)
def test_valid_gaoqi_certificate(number: str, year: int, province: str) -> None:
    normal = validate_gaoqi_certificate(number, today=TODAY)
    assert normal.startswith("GR")
    assert len(normal) == 14
    assert normal[6:8] == province
    assert certificate_year(normal) == year


@pytest.mark.parametrize(
    ("number", "message_part"),
    [
        ("GR20231100404", "格式不正确"),  # 13 characters
        ("GR2023110040433", "格式不正确"),
        ("GF202311004043", "格式不正确"),
        ("202311004043", "格式不正确"),
        ("GR2023110040A3", "格式不正确"),
        ("GR200711004043", "年份 2007 不合理"),
        ("GR202711004043", "年份 2027 不合理"),
        ("GR202399004043", "省份代码“99”"),
        ("GR202371004043", "省份代码“71”"),  # 台湾省 issues no mainland certificate
        ("GR202310004043", "省份代码“10”"),
        ("", "不能为空"),
    ],
)
def test_broken_gaoqi_certificate(number: str, message_part: str) -> None:
    with pytest.raises(IdentifierError, match=message_part):
        validate_gaoqi_certificate(number, today=TODAY)


@pytest.mark.parametrize("local", ["14", "140000", "140900", "140902"])
def test_gaoqi_certificate_local_province(local: str) -> None:
    assert validate_gaoqi_certificate("GR202314001234", province_code=local, today=TODAY)
    with pytest.raises(IdentifierError, match=r"省份代码 11（北京市）与本地省份 14（山西省）不符"):
        validate_gaoqi_certificate("GR202311004043", province_code=local, today=TODAY)


def test_gaoqi_certificate_bad_local_province() -> None:
    with pytest.raises(IdentifierError, match="本地省份代码"):
        validate_gaoqi_certificate("GR202314001234", province_code="99", today=TODAY)


def test_province_table_has_31_mainland_entries() -> None:
    assert len(PROVINCES) == 31
    assert PROVINCES["14"] == "山西省"


# ---------------------------------------------------------------------------------------------------------
# 科技型中小企业入库登记编号 (constructed numbers in the documented layout)
# ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "year", "area", "marker", "serial", "deduction"),
    [
        ("20231409020000123", 2023, "140902", "0", "000123", True),
        ("2023140900A000045", 2023, "140900", "A", "000045", False),
        ("2024140981B00007", 2024, "140981", "B", "00007", False),
        ("20241409020123456789", 2024, "140902", "0", "123456789", True),  # long serial is fine
        (" 2023140900a000045 ", 2023, "140900", "A", "000045", False),  # normalised
        ("202314092101", 2023, "140921", "0", "1", True),  # short serial is fine
    ],
)
def test_parse_smes_registration_number(
    value: str, year: int, area: str, marker: str, serial: str, deduction: bool
) -> None:
    parsed = parse_smes_registration_number(value)
    assert (parsed.year, parsed.area_code, parsed.marker, parsed.serial) == (year, area, marker, serial)
    assert parsed.number == value.strip().upper()
    assert parsed.previous_year_deduction_eligible is deduction
    assert parsed.marker_meaning


@pytest.mark.parametrize(
    "value",
    [
        "2023140902C000123",  # unknown marker
        "2023140902",  # no marker, no serial
        "20231409020",  # marker without serial
        "2023-140902-0-000123",
        "202314090X0000123",
        "",
    ],
)
def test_broken_smes_registration_number(value: str) -> None:
    with pytest.raises(IdentifierError):
        parse_smes_registration_number(value)


def test_smes_registration_number_as_number_cell_is_refused() -> None:
    with pytest.raises(IdentifierError, match="文本"):
        parse_smes_registration_number(20231409020000123)


def test_today_is_the_date_in_china_whatever_the_servers_clock_zone(monkeypatch) -> None:
    """At 01:00 in Beijing (17:00 UTC the day before) someone born that day has a valid 身份号码 and this
    year's 高企 certificate a valid year: "today" is the local date of Django's clock."""
    monkeypatch.setattr(timezone, "now", lambda: datetime(2040, 12, 31, 17, 0, tzinfo=UTC))
    first17 = "14090220410101001"
    number = first17 + id_number_check_char(first17)
    assert validate_id_number(number) == number
    assert validate_gaoqi_certificate("GR204214000001")
