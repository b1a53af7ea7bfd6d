"""GB/T 4754-2017 国民经济行业分类: the 20 门类 (sections), and the industries excluded from the
科技型中小企业 evaluation.

Sources: GB/T 4754-2017 (issued 2017-06-30, in force 2017-10-01), section table; the restricted industries
are the 研发费用加计扣除 negative list (财税〔2015〕119号 第四条) to which the 2022 工作指引
(国科火字〔2022〕67号) refers for condition (三). The negative list is marked [M] in the project's
reference notes: re-check it against the official text before go-live. It is kept here and nowhere else.
"""

from __future__ import annotations

from typing import Final

SECTIONS: Final[tuple[tuple[str, str], ...]] = (
    ("A", "农、林、牧、渔业"),
    ("B", "采矿业"),
    ("C", "制造业"),
    ("D", "电力、热力、燃气及水生产和供应业"),
    ("E", "建筑业"),
    ("F", "批发和零售业"),
    ("G", "交通运输、仓储和邮政业"),
    ("H", "住宿和餐饮业"),
    ("I", "信息传输、软件和信息技术服务业"),
    ("J", "金融业"),
    ("K", "房地产业"),
    ("L", "租赁和商务服务业"),
    ("M", "科学研究和技术服务业"),
    ("N", "水利、环境和公共设施管理业"),
    ("O", "居民服务、修理和其他服务业"),
    ("P", "教育"),
    ("Q", "卫生和社会工作"),
    ("R", "文化、体育和娱乐业"),
    ("S", "公共管理、社会保障和社会组织"),
    ("T", "国际组织"),
)
SECTION_NAMES: Final = dict(SECTIONS)

# 大类 (2-digit) ranges of each 门类, to check that a 4-digit 小类 code belongs to the chosen section.
SECTION_DIVISIONS: Final[dict[str, tuple[int, int]]] = {
    "A": (1, 5),
    "B": (6, 12),
    "C": (13, 43),
    "D": (44, 46),
    "E": (47, 50),
    "F": (51, 52),
    "G": (53, 60),
    "H": (61, 62),
    "I": (63, 65),
    "J": (66, 69),
    "K": (70, 70),
    "L": (71, 72),
    "M": (73, 75),
    "N": (76, 79),
    "O": (80, 82),
    "P": (83, 83),
    "Q": (84, 85),
    "R": (86, 90),
    "S": (91, 96),
    "T": (97, 97),
}

# 负面清单: whole sections, and 大类 codes inside otherwise allowed sections.
RESTRICTED_SECTIONS: Final = frozenset({"F", "H", "K", "L"})  # 批发和零售, 住宿和餐饮, 房地产, 租赁和商务服务
RESTRICTED_DIVISIONS: Final = frozenset({"16", "90"})  # 16 烟草制品业, 90 娱乐业


def section_of_code(code: str) -> str | None:
    """The 门类 letter of a 2- to 4-digit 行业代码, or None if the 大类 is not in the table."""
    if len(code) < 2 or not code[:2].isdigit():
        return None
    division = int(code[:2])
    for section, (low, high) in SECTION_DIVISIONS.items():
        if low <= division <= high:
            return section
    return None


def is_restricted(section: str, code: str = "") -> bool:
    """True when the industry may not be evaluated as a 科技型中小企业."""
    return section in RESTRICTED_SECTIONS or code[:2] in RESTRICTED_DIVISIONS
