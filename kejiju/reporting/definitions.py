"""What each figure of the annual review means, said once, and how the review shows it.

A figure's definition is its query, in the domain app's selectors, with the sentence that says what it
counts next to it (each app's `FIGURE_NOTES`). This module gathers those sentences for the dashboard, the
edition page and the PDF, declares the county table's columns once for all three, and names the version of
the definitions an edition was built with: a stored edition keeps the numbers it was built from, and its page
says which definitions those were."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

# The definitions in force: every figure for year Y as the dated records stood on 31 December Y. An edition
# stores this key; editions built before it existed carry none and are labelled LEGACY.
VERSION = "2026-12-year-end"
LABEL = (
    "年末时点口径：各项数字按当年12月31日已生效的办理记录计算，"
    "其后发生的升级、撤销、出库、拨付和补报不改变当年数字。"
)
LEGACY_LABEL = (
    "旧口径：本版本生成于2026年12月统计口径调整之前，部分数字按生成当时记录的状态计算"
    "（例如其后撤销、升级或补报会改变往年数字），与现行口径可能不同；版本中的数字保持生成时原样。"
)


def edition_definitions(stats: dict[str, Any] | None) -> str:
    """The sentence that says which definitions a stored edition's numbers follow."""
    if not stats:
        return ""
    stored = stats.get("definitions")
    if not stored:
        return LEGACY_LABEL
    return stored.get("label") or LABEL


@dataclass(frozen=True)
class CountyColumn:
    key: str
    label: str
    money: bool = False
    # A column whose county cells do not add up to the city's figure (a team serving two counties counts in
    # each): the table's 合计 row shows the city's figure and the note says why.
    additive: bool = True


# The county table of the dashboard, the edition page and the PDF, in this order.
COUNTY_COLUMNS: tuple[CountyColumn, ...] = (
    CountyColumn("platforms", "新认定平台"),
    CountyColumn("platforms_upgraded", "升级认定平台"),
    CountyColumn("smes", "科技型中小企业"),
    CountyColumn("pool", "培育库新入库"),
    CountyColumn("gaoqi_valid", "有效高企"),
    CountyColumn("commissioner_teams", "科技特派团", additive=False),
    CountyColumn("commissioners", "科技特派员"),
    CountyColumn("vp_candidates", "科技副总"),
    CountyColumn("experts", "新入库专家"),
    CountyColumn("transfer_bases", "成果转化基地"),
    CountyColumn("parks", "产业园"),
    CountyColumn("projects_applied", "申报项目"),
    CountyColumn("projects", "立项项目"),
    CountyColumn("committed", "承诺市级资金（万元）", money=True),
    CountyColumn("paid", "当年拨付（万元）", money=True),
    CountyColumn("paid_cumulative", "累计拨付（万元）", money=True),
)
ADDITIVE_COUNTY_KEYS = tuple(c.key for c in COUNTY_COLUMNS if c.additive)

# The row that collects what has no county (市外 experts, placements not yet 派驻), so that the county rows
# add up to the city's figure.
UNASSIGNED_REGION = "未指定县区（含市外）"


def figure_notes() -> dict[str, str]:
    """Every figure's definition sentence, from the apps that own the queries."""
    from enterprises import selectors as enterprises
    from experts import selectors as experts
    from platforms import selectors as platforms
    from projects import selectors as projects

    from . import selectors as reporting

    notes: dict[str, str] = {}
    for module in (platforms, enterprises, experts, projects, reporting):
        notes.update(module.FIGURE_NOTES)
    return notes


def describe(stats: dict[str, Any]) -> None:
    """Add to freshly computed statistics the definitions they follow: the version, each figure's note, the
    notes under each table and the county table's columns with their 合计 row."""
    notes = figure_notes()
    for figure in stats["figures"]:
        figure["note"] = notes.get(figure["key"], "")
    value = {figure["key"]: figure["value"] for figure in stats["figures"]}
    stats["definitions"] = {"version": VERSION, "label": LABEL}
    stats["notes"] = {
        "platforms_by_type": " ".join(filter(None, (notes.get("platforms"), notes.get("platforms_by_type")))),
        "experts_by_field": " ".join(filter(None, (notes.get("experts"), notes.get("experts_by_field")))),
        "projects_by_state": notes.get("projects_by_state", ""),
        "timeliness": notes.get("timeliness", ""),
        "counties": [notes[c.key] for c in COUNTY_COLUMNS if not c.additive and c.key in notes],
        "outreach": notes.get("outreach", ""),
        "ownership": notes.get("ownership", ""),
        "researchers": notes.get("researchers", ""),
        "appendix_platforms": notes.get("platforms", ""),
        "appendix_smes": notes.get("smes", ""),
    }
    stats["county_columns"] = [
        {"key": c.key, "label": c.label, "money": c.money, "additive": c.additive} for c in COUNTY_COLUMNS
    ]
    stats["county_total"] = {c.key: value.get(c.key) for c in COUNTY_COLUMNS}


# The county table of editions built before the definitions were versioned (their rows have these keys).
LEGACY_COUNTY_COLUMNS: tuple[CountyColumn, ...] = (
    CountyColumn("platforms", "新认定平台"),
    CountyColumn("smes", "科技型中小企业"),
    CountyColumn("pool", "培育库新入库"),
    CountyColumn("commissioners", "科技特派员"),
    CountyColumn("vice_presidents", "科技副总"),
    CountyColumn("experts", "新入库专家"),
    CountyColumn("transfer_bases", "成果转化基地"),
    CountyColumn("parks", "产业园"),
    CountyColumn("projects", "计划项目"),
    CountyColumn("committed", "承诺市级资金（元）", money=True),
)


def county_table(stats: dict[str, Any]) -> dict[str, Any] | None:
    """The county table as the templates draw it: its columns, one list of cells per county (the region id
    for the dashboard's link) and the 合计 row, for current statistics and for stored editions alike."""
    if not stats or not stats.get("counties"):
        return None
    if "county_columns" in stats:
        columns = [CountyColumn(**column) for column in stats["county_columns"]]
        total = stats.get("county_total") or {}
    else:
        columns, total = list(LEGACY_COUNTY_COLUMNS), None
    # Money is stored in 元 and shown in 万元 (the templates' wan_amount), editions stored with the 元
    # label included.
    columns = [replace(c, label=c.label.replace("（元）", "（万元）")) if c.money else c for c in columns]
    return {
        "columns": columns,
        "rows": [
            {
                "region": row["region"],
                "region_id": row.get("region_id"),
                "cells": [{"value": row.get(c.key, 0), "money": c.money} for c in columns],
            }
            for row in stats["counties"]
        ],
        "total": (
            [{"value": total.get(c.key), "money": c.money, "additive": c.additive} for c in columns]
            if total is not None
            else None
        ),
        "notes": stats.get("notes", {}).get("counties", []),
    }


def county_table_parts(table: dict[str, Any] | None, *, columns: int = 8) -> list[dict[str, Any]]:
    """The county table cut into tables of at most `columns` figure columns (the PDF's page width)."""
    if not table:
        return []
    parts = []
    for start in range(0, len(table["columns"]), columns):
        cut = slice(start, start + columns)
        parts.append(
            {
                "columns": table["columns"][cut],
                "rows": [{"region": row["region"], "cells": row["cells"][cut]} for row in table["rows"]],
                "total": table["total"][cut] if table["total"] else None,
            }
        )
    return parts
