"""The annual review (年度工作综述): the year's statistics, read from the domain apps' selectors.

`annual_statistics(year=…, region=…)` returns a JSON-ready dict: the report job stores it with the job
(`ReportJob.result`), so that the dashboard's edition page and the PDF state the same numbers. Every figure
is a database aggregation; the number of queries is fixed whatever the row count."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.contrib.humanize.templatetags.humanize import intcomma
from django.utils import timezone

from enterprises import selectors as enterprises
from enterprises.models import SmesEvaluation
from experts import selectors as experts
from kejiju.accounts.models import Region
from kejiju.core import presentation
from platforms import selectors as platforms
from projects import selectors as projects

from . import rules
from . import selectors as reporting
from .definitions import UNASSIGNED_REGION, describe

TREND_YEARS = 5


class CityWideReader:
    """The reader behind the annual review: city-wide, like leadership (the review is the city's, whoever
    asked for it). Only what `visible_to` asks of a user."""

    is_authenticated = True
    region_id = None
    pk = None

    def has_perm(self, perm: str, obj=None) -> bool:
        return perm == "accounts.view_all_regions"


CITY = CityWideReader()


class CountyReader(CityWideReader):
    """The reader behind a county's edition of the review: that county's rows, like its county office."""

    def __init__(self, region: Region) -> None:
        self.region_id = region.pk

    def has_perm(self, perm: str, obj=None) -> bool:
        return False


def reader(region: Region | None) -> CityWideReader:
    """Whose view the review takes: the city's, or one county's (the selectors scope by user)."""
    return CITY if region is None else CountyReader(region)


# Headline figures: key, label, unit. The order is the dashboard's and the PDF's.
HEADLINES: list[tuple[str, str, str]] = [
    ("platforms", "新认定创新平台", "家"),
    ("platforms_upgraded", "升级认定创新平台", "家"),
    ("smes", "科技型中小企业入库", "家"),
    ("pool", "高企培育库新入库", "家"),
    ("gaoqi_valid", "有效高新技术企业", "家"),
    ("commissioner_teams", "科技特派团", "个"),
    ("commissioners", "科技特派员", "人"),
    ("transfer_bases", "高校科技成果转化基地落地", "个"),
    ("parks", "产业园建成", "个"),
    ("vp_candidates", "科技副总人选", "人"),
    ("vp_universities", "科技副总来源高校", "所"),
    ("experts", "新入库专家", "人"),
    ("projects_applied", "申报市级科技计划项目", "项"),
    ("projects", "立项市级科技计划项目", "项"),
    ("committed", "承诺市级资金", "万元"),
    ("paid", "当年拨付市级资金", "万元"),
    ("paid_cumulative", "累计拨付市级资金", "万元"),
]
HEADLINE_LABELS = {key: (label, unit) for key, label, unit in HEADLINES}
# Money is kept in 元 (the data, the stored editions) and shown in 万元, as a bureau's documents write it.
MONEY_KEYS = frozenset(key for key, _label, unit in HEADLINES if unit == "万元")


def shown_figure(key: str, value) -> str:
    """A headline figure as the dashboard and the PDF write it: 437.40 (万元) or 1,234."""
    if value is None:
        return presentation.EMPTY
    if key in MONEY_KEYS:
        return presentation.wan_amount(value)
    return intcomma(value)


def _money(value) -> str:
    return str(Decimal(value or 0).quantize(Decimal("0.01")))


def _rate(value: Fraction | None) -> str | None:
    """An exact ratio as a percentage with one decimal (half up), None when nothing was expected."""
    if value is None:
        return None
    percent = Decimal(value.numerator * 100) / Decimal(value.denominator)
    return str(percent.quantize(Decimal("0.1")))


def valid_on(year: int) -> dt.date:
    """The day the year's valid 高企 are counted on: 31 December, or today during the year."""
    today = timezone.localdate()
    end = dt.date(year, 12, 31)
    return min(today, end)


def _span(year: int) -> dict[str, dt.date]:
    """The year's events: those that took effect from 1 January to 31 December."""
    return {"start": dt.date(year, 1, 1), "end": dt.date(year, 12, 31)}


def headline_figures(*, year: int, region: Region | None = None) -> dict[str, Any]:
    """The year's headline figures (city-wide, or of one county). A fixed number of queries."""
    span = _span(year)
    recognised = platforms.recognised_platforms_by_type(region=region, **span)
    commissioners = experts.commissioner_figures(user=CITY, year=year, region=region)
    vice_presidents = experts.vice_president_figures(user=CITY, year=year, region=region)
    cooperation = projects.cooperation_figures(user=reader(region), year=year)
    project_figures = projects.project_year_figures(user=CITY, year=year, region=region)
    return {
        "platforms": platforms.recognised_platforms_count(region=region, **span),
        "platforms_upgraded": platforms.upgraded_platforms_count(region=region, **span),
        "smes": enterprises.smes_admitted_count(user=CITY, year=year, region=region),
        "pool": enterprises.pool_new_entries(user=CITY, year=year, region=region),
        "gaoqi_valid": enterprises.gaoqi_valid_count(user=CITY, on=valid_on(year), region=region),
        "commissioner_teams": commissioners["teams"],
        "commissioners": commissioners["members"],
        "transfer_bases": cooperation["transfer_bases_landed"],
        "parks": cooperation["industrial_parks_finished"],
        "vp_candidates": vice_presidents["candidates"],
        "vp_universities": vice_presidents["universities"],
        "experts": experts.experts_admitted(user=CITY, year=year, region=region).count(),
        "projects_applied": project_figures["projects_applied"],
        "projects": project_figures["projects"],
        "committed": _money(project_figures["committed"]),
        "paid": _money(project_figures["paid"]),
        "paid_cumulative": _money(project_figures["paid_cumulative"]),
        "_recognised": recognised,
    }


def change(value, previous) -> str | None:
    """The change on the previous year as a signed string with thousands separators (money, given in 元,
    in 万元 with two decimals): "+1,234", "-1.25"."""
    if previous is None:
        return None
    if isinstance(value, str) or isinstance(previous, str):
        diff = (Decimal(value) - Decimal(previous)) / 10000
        return f"{diff.quantize(Decimal('0.01')):+,.2f}"
    return f"{value - previous:+,d}"


def _platform_rows(current: list[dict], previous: list[dict]) -> list[dict]:
    """新认定 by type and level, this year against last: one row per (type, level) of either year, so that
    the counts add up to this year's headline and the 上年 column to last year's."""
    now = {(r["platform_type"], r["level"]): r for r in current}
    before = {(r["platform_type"], r["level"]): r for r in previous}
    keys = sorted(set(now) | set(before), key=platforms.type_level_sort_key())
    rows = []
    for key in keys:
        row = now.get(key) or before[key]
        rows.append(
            {
                "platform_type": row["platform_type"],
                "level_label": row["level_label"],
                "label": f"{row['level_label'].removesuffix('级')}{row['platform_type']}",
                "count": now[key]["count"] if key in now else 0,
                "previous": before[key]["count"] if key in before else 0,
            }
        )
    return rows


def _county_rows(year: int) -> list[dict]:
    """Per county-level unit: the year's figures, from grouped queries (one per source), then one row for
    what no county holds (市外 experts, placements not yet 派驻, records of a unit above the counties), so
    that the county rows add up to the city's figures."""
    regions = list(Region.objects.county_level())
    people = experts.figures_by_county(user=CITY, year=year)
    cooperation = projects.cooperation_figures_by_county(user=CITY, year=year)
    project_figures = projects.project_year_figures_by_region(user=CITY, year=year)
    # key -> {region id or None: value}
    by_region: dict[str, dict] = {
        "platforms": platforms.recognised_platforms_by_region(**_span(year)),
        "platforms_upgraded": platforms.upgraded_platforms_by_region(**_span(year)),
        "smes": enterprises.smes_admitted_by_region(user=CITY, year=year),
        "pool": enterprises.pool_new_entries_by_region(user=CITY, year=year),
        "gaoqi_valid": enterprises.gaoqi_valid_by_region(user=CITY, on=valid_on(year)),
        # 科技特派团 by 服务县区: not additive (a team serving two counties counts in both).
        **{
            key: {region_id: row[key] for region_id, row in people.items()}
            for key in ("commissioner_teams", "commissioners", "vp_candidates", "experts")
        },
        "transfer_bases": {region_id: row["transfer_bases_landed"] for region_id, row in cooperation.items()},
        "parks": {region_id: row["industrial_parks_finished"] for region_id, row in cooperation.items()},
        **{
            key: project_figures[key]
            for key in ("projects_applied", "projects", "committed", "paid", "paid_cumulative")
        },
    }

    def cells(value_of) -> dict:
        return {
            key: _money(value_of(values)) if key in MONEY_KEYS else value_of(values)
            for key, values in by_region.items()
        }

    rows = [
        {
            "region_id": region.pk,
            "region": region.name,
            **cells(lambda values, pk=region.pk: values.get(pk, 0)),
        }
        for region in regions
    ]
    county_ids = {region.pk for region in regions}
    rest = cells(lambda values: sum((v for k, v in values.items() if k not in county_ids), 0))
    if any(Decimal(value) for value in rest.values()):
        rows.append({"region_id": None, "region": UNASSIGNED_REGION, **rest})
    return rows


def _timeliness(year: int, region: Region | None) -> tuple[list[dict], dict]:
    rows = reporting.filing_timeliness(year=year, user=reader(region))
    table = [
        {
            "region_id": row["region"].pk,
            "region": row["region"].name,
            **{k: row[k] for k in ("expected", "filed", "on_time", "late", "missing", "returned")},
            "on_time_rate": _rate(row["on_time_rate"]),
        }
        for row in rows
    ]
    totals = {k: sum(row[k] for row in table) for k in ("expected", "filed", "on_time", "late", "missing")}
    totals["on_time_rate"] = _rate(rules.ratio(totals["on_time"], totals["expected"]))
    return table, totals


# The PDF's appendix lists at most this many rows per list; beyond it (a province's thousands of
# enterprises) the list would be hundreds of pages that WeasyPrint lays out for minutes, and the full
# list is the page's own filtered list with its xlsx export.
APPENDIX_LIMIT = 1000


def _appendix(year: int, region: Region | None) -> dict[str, Any]:
    # Exactly the platforms of the `platforms` figure, dated and levelled by their 认定 event.
    platform_rows = platforms.recognised_platforms(**_span(year)).select_related(
        "platform_type", "host", "region"
    )
    # Exactly the evaluations the figure `smes` counts. Their ids first: with the state-on-the-day filter
    # PostgreSQL expects a few dozen rows and joins the counties by nested loop over tens of thousands.
    smes_ids = list(
        enterprises.smes_admitted(region=region, user=CITY, **_span(year)).values_list("pk", flat=True)
    )
    smes_rows = SmesEvaluation.objects.filter(pk__in=smes_ids).select_related("enterprise__region")
    if region is not None:
        platform_rows = platform_rows.filter(region=region)
    platform_rows = platform_rows.order_by("region__sort_order", "platform_type__sort_order", "name")
    smes_rows = smes_rows.order_by("enterprise__region__sort_order", "registration_number", "pk")
    return {
        "totals": {"platforms": platform_rows.count(), "smes": len(smes_ids)},
        "limit": APPENDIX_LIMIT,
        "platforms": [
            {
                "name": p.name,
                "type": p.platform_type.name,
                "level": platforms.LEVEL_LABELS.get(p.event_level, p.event_level or ""),
                "host": p.host.name if p.host_id else "",
                "region": p.region.name if p.region_id else "",
                "recognised_on": p.event_on.isoformat(),
            }
            for p in platform_rows[:APPENDIX_LIMIT]
        ],
        "smes": [
            {
                "name": e.enterprise.name,
                "region": e.enterprise.region.name if e.enterprise.region_id else "",
                "number": e.registration_number,
            }
            for e in smes_rows[:APPENDIX_LIMIT]
        ],
    }


def annual_statistics(*, year: int, region: Region | None = None, appendix: bool = True) -> dict[str, Any]:
    """Everything the dashboard and the PDF state for `year` (of one county when `region` is given)."""
    current = headline_figures(year=year, region=region)
    previous = headline_figures(year=year - 1, region=region)
    trend_years = list(range(year - TREND_YEARS + 1, year + 1))
    trend = {y: current if y == year else previous if y == year - 1 else None for y in trend_years}
    for y in trend_years:
        if trend[y] is None:
            trend[y] = headline_figures(year=y, region=region)
    figures = [
        {
            "key": key,
            "label": label,
            "unit": unit,
            "value": current[key],
            "previous": previous[key],
            "shown": shown_figure(key, current[key]),
            "previous_shown": shown_figure(key, previous[key]),
            "change": change(current[key], previous[key]),
        }
        for key, label, unit in HEADLINES
    ]
    field_now = experts.experts_admitted_by_field(user=CITY, year=year, region=region)
    field_before = experts.experts_admitted_by_field(user=CITY, year=year - 1, region=region)
    timeliness, timeliness_totals = _timeliness(year, region)
    stats: dict[str, Any] = {
        "year": year,
        "region": {"id": region.pk, "name": region.name} if region else None,
        "computed_at": timezone.localtime().isoformat(timespec="seconds"),
        "figures": figures,
        "platforms_by_type": _platform_rows(current["_recognised"], previous["_recognised"]),
        # Every field with experts in the year or the year before (a field gone this year shows 0).
        "experts_by_field": [
            {"field": name, "count": field_now.get(name, 0), "previous": field_before.get(name, 0)}
            for name in [*field_now, *(name for name in field_before if name not in field_now)]
        ],
        "projects_by_state": [
            {
                "state": row["state"],
                "label": row["label"],
                "count": row["count"],
                "committed": _money(row["committed"]),
                "paid": _money(row["paid"]),
            }
            for row in projects.projects_by_state_on(user=CITY, year=year, region=region)
        ],
        "counties": _county_rows(year) if region is None else [],
        "timeliness": timeliness,
        "timeliness_totals": timeliness_totals,
        "trend": {
            "years": trend_years,
            "series": {key: [trend[y][key] for y in trend_years] for key, _, _ in HEADLINES},
        },
    }
    stats["popularisation"] = popularisation_section(year=year, region=region)
    if appendix:
        stats["appendix"] = _appendix(year, region)
    describe(stats)
    return stats


# ------------------------------------------------ 科学普及, 职务科技成果赋权, 科研人员倍增计划


def popularisation_section(*, year: int, region: Region | None = None) -> dict[str, Any]:
    """The year's science popularisation events, the 赋权 pilot's grants and transfers and the research
    staff against the 倍增 targets, with the sentences the review states (a fixed number of queries)."""
    outreach = platforms.outreach_year_figures(user=CITY, year=year, region=region)
    by_region = platforms.outreach_by_region(user=CITY, year=year) if region is None else {}
    ownership = projects.ownership_figures(user=reader(region), year=year)
    researchers = reporting.researcher_figures_by_county(year=year, user=reader(region))
    section = {
        "outreach": {
            "events": outreach["events"],
            "audience": outreach["audience"],
            "week_events": outreach["week_events"],
            "week_audience": outreach["week_audience"],
            "by_kind": outreach["by_kind"],
            "by_county": [
                {"region": r.name, **by_region.get(r.pk, {"events": 0, "audience": 0, "week_events": 0})}
                for r in (Region.objects.county_level() if region is None else [])
            ],
        },
        "ownership": {
            "achievements": ownership["achievements"],
            "grants": ownership["grants"],
            "transfers": ownership["transfers"],
            "amount": _money(ownership["amount"]),
            "by_unit": [{**row, "amount": _money(row["amount"])} for row in ownership["by_unit"]],
        },
        "researchers": [
            {
                "region": row["region"].name,
                "target": row["target"].target,
                "enterprise_staff": row["enterprise_staff"],
                "platform_staff": row["platform_staff"],
                "actual": row["actual"],
                "base": row["base"],
                "percent": row["percent"],
                "met": row["met"],
            }
            for row in researchers
        ],
    }
    section["sentences"] = popularisation_sentences(section)
    return section


def popularisation_sentences(section: dict[str, Any]) -> list[str]:
    outreach, ownership, researchers = section["outreach"], section["ownership"], section["researchers"]
    sentences = []
    if outreach["week_events"]:
        sentences.append(
            f"科技活动周期间举办活动{outreach['week_events']}场，受众{outreach['week_audience']}人次。"
        )
    kinds = "、".join(f"{row['label']}{row['count']}场" for row in outreach["by_kind"] if row["count"])
    if outreach["events"]:
        sentences.append(
            f"全年举办科普活动{outreach['events']}场（{kinds}），受众{outreach['audience']}人次。"
        )
    else:
        sentences.append("全年未登记科普活动。")
    sentences.append(
        f"职务科技成果赋权改革试点赋权成果{ownership['achievements']}项，"
        f"转化金额{Decimal(ownership['amount']):,.2f}万元。"
    )
    if researchers:
        target = sum(row["target"] for row in researchers)
        actual = sum(row["actual"] for row in researchers)
        met = sum(1 for row in researchers if row["met"])
        sentences.append(
            f"科研人员倍增计划目标{target}人，实有科研人员{actual}人，"
            f"{len(researchers)}个县区中{met}个完成年度目标。"
        )
    return sentences


def figure_value(stats: dict[str, Any], key: str):
    for figure in stats["figures"]:
        if figure["key"] == key:
            return figure["value"]
    raise KeyError(key)


# ------------------------------------------------------------------------------------------- summary


def _platform_phrase(rows: list[dict]) -> str:
    return "、".join(f"{row['label']}{row['count']}家" for row in rows if row["count"])


def summary_sentences(stats: dict[str, Any]) -> list[str]:
    """The review's opening paragraphs, in the seed's register, built from the numbers only."""
    value = {f["key"]: f["value"] for f in stats["figures"]}
    scope = stats["region"]["name"] if stats["region"] else "全市"
    sentences = []
    phrase = _platform_phrase(stats["platforms_by_type"])
    if phrase:
        sentences.append(f"{stats['year']}年，{scope}新认定{phrase}，共计{value['platforms']}家创新平台。")
    else:
        sentences.append(f"{stats['year']}年，{scope}未新认定创新平台。")
    if value.get("platforms_upgraded"):
        sentences[-1] += f"另有{value['platforms_upgraded']}家创新平台升级认定。"
    sentences.append(
        f"{scope}科技型中小企业评价入库{value['smes']}家，高新技术企业培育库新入库{value['pool']}家，"
        f"年末有效高新技术企业{value['gaoqi_valid']}家。"
    )
    sentences.append(
        f"{scope}共选派科技特派团{value['commissioner_teams']}个、科技特派员{value['commissioners']}人。"
    )
    sentences.append(
        f"省校合作落地高校科技成果转化基地项目{value['transfer_bases']}个，建成产业园{value['parks']}个；"
        f"征集科技副总人选{value['vp_candidates']}人，来自{value['vp_universities']}所高校；"
        f"新入库专家{value['experts']}人。"
    )
    sentences.append(
        f"{scope}申报市级科技计划项目{value['projects_applied']}项，立项{value['projects']}项，"
        f"承诺市级资金{presentation.wan(value['committed'])}；当年拨付市级资金{presentation.wan(value['paid'])}，"
        f"当年立项项目累计拨付{presentation.wan(value['paid_cumulative'])}。"
    )
    totals = stats["timeliness_totals"]
    if totals["expected"]:
        sentences.append(
            f"县区月度工作动态应报{totals['expected']}份，按时报送{totals['on_time']}份，"
            f"逾期{totals['late']}份，未报{totals['missing']}份，按时率{totals['on_time_rate']}%。"
        )
    return sentences
