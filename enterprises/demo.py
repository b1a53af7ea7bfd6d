"""Demo data of `manage.py seed_demo`: enterprises of the 14 counties and 2 zones with six years of
figures, 科技型中小企业 evaluations 2021–2026, the 高企 cultivation pool, certificates, doubling-plan
targets and rewards. The 2023 figures are the bureau's review's own: 174 科技型中小企业 入库 and 25 new
培育库 entries. Reproducible (fixed random seed) and idempotent (skipped when already seeded)."""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from kejiju.accounts.models import Region
from kejiju.core import demodata
from kejiju.core.identifiers import USCC_CHARSET, org_code_check_char, uscc_check_char
from kejiju.core.models import Organization, WorkflowEvent
from kejiju.core.workdays import add_working_days

from . import dates, rules, services, workflow
from .industries import is_restricted
from .models import (
    DoublingTarget,
    Enterprise,
    EnterpriseYear,
    GaoqiCertificate,
    PoolEntry,
    Reward,
    RewardTier,
    SmesEvaluation,
)
from .services.evaluation import _area_code

SEED = 20231128
# The demo world's names, counts, weights and texts (data/demo.json). Read when the seeder is imported: only
# `manage.py seed_demo` imports it.
DATA = demodata.read("enterprises")
NAMED = tuple(spec["name"] for spec in DATA["named"])
# 科技型中小企业 入库 per year; 2023 is the review's "已达到174家"; 2026 is the year in progress.
SMES_ADMITTED = {int(year): count for year, count in DATA["smes_admitted"].items()}
# New 培育库 entries per year; 2023 is the review's "新申报入库企业已达到25家".
POOL_NEW = {int(year): count for year, count in DATA["pool_new"].items()}
FIGURE_YEARS = range(DATA["figure_years"]["first"], DATA["figure_years"]["last"] + 1)
# Relative weight of each region's number of enterprises.
WEIGHTS = DATA["region_weights"]
INDUSTRIES = [(row["section"], row["codes"], row["weight"]) for row in DATA["industries"]]
WORDS = DATA["words"]
TRADES = DATA["trades"]
TEXTS = DATA["texts"]
BODY_CHARS = [c for c in USCC_CHARSET if c.isalpha() or c.isdigit()]


# The record's field holding the date of the step that reaches each state (the events' effective dates).
SMES_DATE_FIELDS = {
    "submitted": "submitted_on",
    "reviewed": "reviewed_on",
    "returned": "reviewed_on",
    "publicity": "publicity_start",
    "admitted": "admitted_on",
    "revoked": "revoked_on",
}
POOL_DATE_FIELDS = {
    "recommended": "recommended_on",
    "admitted": "admitted_on",
    "certified": "certified_on",
    "exited": "exited_on",
}


def demo_events(flow, rows, date_fields: dict[str, str]) -> None:
    """core.WorkflowEvent rows for the demo records' histories: rows are (record, [(from, to, comment)])."""
    content_type = ContentType.objects.get_for_model(flow.model_class)
    now = timezone.now()
    events = []
    for record, steps in rows:
        day = timezone.localdate()
        for source, target, comment in steps:
            field = date_fields.get(target)
            day = (getattr(record, field, None) if field else None) or day
            if source:
                transition = flow.transition(action=_action_to(flow, source, target), state=source)
                action, label = (transition.action, transition.label) if transition else (target, target)
            else:
                action, label = flow.created
            events.append(
                WorkflowEvent(
                    content_type=content_type,
                    object_id=record.pk,
                    workflow=flow.key,
                    action=action,
                    label=label,
                    from_state=source,
                    to_state=target,
                    effective_on=day,
                    recorded_at=now,
                    comment=comment,
                )
            )
    WorkflowEvent.objects.bulk_create(events, batch_size=1000)


def _action_to(flow, source: str, target: str) -> str:
    for transition in flow.transitions:
        if source in transition.sources and transition.target == target:
            return transition.action
    return target


def make_uscc(rng: random.Random, area: str, used: set[str]) -> str:
    """A 统一社会信用代码 of a company (91) registered in `area`, with both check characters right."""
    while True:
        body = "MA0" + "".join(rng.choice(BODY_CHARS[:10] + BODY_CHARS[10:]) for _ in range(5))
        first17 = f"91{area}{body}{org_code_check_char(body)}"
        code = first17 + uscc_check_char(first17)
        if code not in used:
            used.add(code)
            return code


def _figures(rng: random.Random, *, tech: bool, size: float, year: int, growth: float) -> dict:
    scale = size * (growth ** (year - 2020))
    employees = max(8, int(rng.gauss(60, 25) * size))
    employees = min(employees, 480)
    share = rng.uniform(0.2, 0.45) if tech else rng.uniform(0.03, 0.14)
    tech_staff = max(1, int(employees * share))
    revenue = Decimal(int(rng.uniform(800, 9000) * 10_000 * scale)).quantize(Decimal("1"))
    revenue = min(revenue, Decimal(190_000_000))
    rd_share = Decimal(str(round(rng.uniform(0.035, 0.09) if tech else rng.uniform(0.0, 0.025), 4)))
    rd = (revenue * rd_share).quantize(Decimal("0.01"))
    cost = (revenue * Decimal(str(round(rng.uniform(0.72, 0.93), 3)))).quantize(Decimal("0.01"))
    assets = min(
        (revenue * Decimal(str(round(rng.uniform(0.6, 1.6), 2)))).quantize(Decimal("0.01")),
        Decimal(195_000_000),
    )
    high_tech = (
        revenue * Decimal(str(round(rng.uniform(0.62, 0.9) if tech else rng.uniform(0.0, 0.4), 2)))
    ).quantize(Decimal("0.01"))
    ip1 = rng.choice([0, 0, 1, 1, 2, 3]) if tech else 0
    ip2 = rng.randint(2, 9) if tech else rng.randint(0, 2)
    return {
        "employees": employees,
        "tech_staff": tech_staff,
        "revenue": revenue,
        "total_income": (revenue * Decimal("1.02")).quantize(Decimal("0.01")),
        "high_tech_revenue": high_tech,
        "total_assets": assets,
        "rd_expense": rd,
        "rd_expense_in_china": rd,
        "total_cost": cost,
        "ip_class1": ip1,
        "ip_class2": ip2,
    }


def _passes(figures: dict, enterprise: Enterprise) -> bool:
    flags = rules.EnterpriseFlags(
        clean_record=True,
        industry_restricted=is_restricted(enterprise.industry_section, enterprise.industry_code),
    )
    return rules.evaluate_smes(rules.YearlyFigures(**{k: figures[k] for k in _RULE_KEYS}), flags).passed


_RULE_KEYS = (
    "employees",
    "tech_staff",
    "revenue",
    "total_assets",
    "rd_expense",
    "total_cost",
    "ip_class1",
    "ip_class2",
    "high_tech_revenue",
    "total_income",
)


def _score(figures: dict, enterprise: Enterprise) -> rules.SmesEvaluation:
    flags = rules.EnterpriseFlags(
        clean_record=True,
        industry_restricted=is_restricted(enterprise.industry_section, enterprise.industry_code),
    )
    return rules.evaluate_smes(rules.YearlyFigures(**{k: figures[k] for k in _RULE_KEYS}), flags)


@transaction.atomic
def seed_demo_enterprises(*, stdout=None) -> None:
    if Enterprise.objects.filter(name=NAMED[0]).exists():
        if stdout is not None:
            stdout.write("企业演示数据已存在，跳过。")
        return
    rng = random.Random(SEED)
    regions = {region.code: region for region in Region.objects.county_level()}
    used_codes = set(Enterprise.objects.values_list("uscc", flat=True)) | set(
        Organization.objects.exclude(uscc="").values_list("uscc", flat=True)
    )

    # ---------------------------------------------------------------------------- enterprises
    specs: list[dict] = [
        {
            "name": spec["name"],
            "region": spec["region"],
            "section": spec["section"],
            "code": spec["code"],
            "tech": spec["tech"],
            "size": float(spec["size"]),
            "est": demodata.date(spec["established_on"]),
        }
        for spec in DATA["named"]
    ]
    names = set(NAMED)
    # Units other apps' seeds created already (an expert's employer, a platform's host) become enterprises
    # of the registry rather than namesakes of them.
    orphans = {
        organization.name: organization
        for organization in Organization.objects.filter(
            kind=Organization.Kind.ENTERPRISE, enterprise__isnull=True
        ).select_related("region")
    }
    for spec in specs:
        spec["org"] = orphans.pop(spec["name"], None)
    adopted = DATA["adopted_unit"]
    for organization in sorted(orphans.values(), key=lambda o: o.pk):
        if (
            organization.region is None
            or not organization.region.is_county_level
            or organization.name in names
        ):
            continue
        names.add(organization.name)
        specs.append(
            {
                "name": organization.name,
                "region": organization.region.code,
                "section": adopted["section"],
                "code": adopted["code"],
                "tech": adopted["tech"],
                "size": float(adopted["size"]),
                "est": demodata.date(adopted["established_on"]),
                "org": organization,
            }
        )
    codes = list(WEIGHTS)
    weights = [WEIGHTS[c] for c in codes]
    sections = [s for s, _codes, _w in INDUSTRIES]
    section_weights = [w for _s, _c, w in INDUSTRIES]
    section_codes = {s: c for s, c, _w in INDUSTRIES}
    while len(specs) < 460 + len([spec for spec in specs if spec.get("org") is not None]):
        region_code = rng.choices(codes, weights)[0]
        section = rng.choices(sections, section_weights)[0]
        place = regions[region_code].name.removesuffix("县").removesuffix("市").removesuffix("区")
        place = DATA["place_names"].get(place, place)
        prefix = rng.choice([*DATA["name_prefixes"], place])
        name = f"{prefix}{rng.choice(WORDS)}{rng.choice(TRADES[section])}有限公司"
        if name in names:
            continue
        names.add(name)
        tech = section not in {"F", "H"} and rng.random() < 0.7
        specs.append(
            {
                "name": name,
                "region": region_code,
                "section": section,
                "code": rng.choice(section_codes[section]),
                "tech": tech,
                "size": rng.uniform(0.5, 1.8),
                "est": date(rng.randint(2002, 2021), rng.randint(1, 12), rng.randint(1, 28)),
            }
        )
    provincial_rd_centres = {spec["name"] for spec in DATA["named"] if spec["provincial_rd_centre"]}
    organizations = []
    enterprises = []
    adopted = []
    for spec in specs:
        region = regions[spec["region"]]
        area = region.gb2260_code or "140900"
        organization = spec.get("org")
        if organization is not None:
            if not organization.uscc:
                organization.uscc = make_uscc(rng, area, used_codes)
            organization.region = region
            adopted.append(organization)
        else:
            organization = Organization(
                name=spec["name"],
                uscc=make_uscc(rng, area, used_codes),
                region=region,
                kind=Organization.Kind.ENTERPRISE,
            )
        organizations.append(organization)
    Organization.objects.bulk_create([o for o in organizations if o.pk is None])
    Organization.objects.bulk_update(adopted, ["uscc", "region"])
    for spec, organization in zip(specs, organizations, strict=True):
        enterprises.append(
            Enterprise(
                organization=organization,
                name=spec["name"],
                uscc=organization.uscc,
                region=organization.region,
                industry_section=spec["section"],
                industry_code=spec["code"],
                established_on=spec["est"],
                address=f"山西省忻州市{organization.region.name}",
                contact_person=rng.choice(DATA["contact"]["surnames"])
                + rng.choice(DATA["contact"]["titles"]),
                contact_phone=f"0350-{rng.randint(2000000, 8999999)}",
                provincial_rd_centre=spec["name"] in provincial_rd_centres,
            )
        )
    Enterprise.objects.bulk_create(enterprises)

    # ---------------------------------------------------------------------------- yearly figures
    figures: dict[tuple[int, int], dict] = {}
    rows = []
    for spec, enterprise in zip(specs, enterprises, strict=True):
        growth = rng.uniform(1.0, 1.15)
        for year in FIGURE_YEARS:
            if spec["est"].year > year:
                continue
            for _attempt in range(20):
                values = _figures(rng, tech=spec["tech"], size=spec["size"], year=year, growth=growth)
                if not spec["tech"] or _passes(values, enterprise):
                    break
            figures[(enterprise.pk, year)] = values
            rows.append(EnterpriseYear(enterprise=enterprise, year=year, **values))
    EnterpriseYear.objects.bulk_create(rows)

    # ---------------------------------------------------------------------------- 科小 evaluations
    serials: dict[tuple[int, str], int] = defaultdict(int)
    evaluations: list[SmesEvaluation] = []
    logs: list[tuple[SmesEvaluation, list[tuple[str, str, str]]]] = []
    today = date(2026, 11, 20)
    for year, admitted_target in SMES_ADMITTED.items():
        eligible = [
            e
            for e in enterprises
            if (e.pk, year - 1) in figures and _score(figures[(e.pk, year - 1)], e).passed
        ]
        eligible.sort(key=lambda e: e.pk)
        named = [e for e in eligible if e.name in NAMED]
        others = [e for e in eligible if e.name not in NAMED]
        chosen = named + rng.sample(others, admitted_target - len(named))
        revoked = rng.sample(others, 0) if year == 2026 else [e for e in others if e not in chosen][:2]
        failing = [
            e
            for e in enterprises
            if (e.pk, year - 1) in figures and not _score(figures[(e.pk, year - 1)], e).passed
        ]
        returned = rng.sample(failing, min(len(failing), rng.randint(6, 12)))
        in_flow = []
        if year == 2026:
            rest = [e for e in others if e not in chosen]
            in_flow = rng.sample(rest, min(len(rest), 24))
        for group, final in (
            (chosen, "admitted"),
            (revoked, "revoked"),
            (returned, "returned"),
            (in_flow, "flow"),
        ):
            for index, enterprise in enumerate(group):
                values = figures[(enterprise.pk, year - 1)]
                result = _score(values, enterprise)
                submitted = date(year, rng.randint(3, 8), rng.randint(1, 28))
                if year == 2026 and final == "flow":
                    submitted = date(2026, rng.randint(9, 11), rng.randint(1, 15))
                evaluation = SmesEvaluation(
                    enterprise=enterprise,
                    year=year,
                    submitted_on=submitted,
                    figures_year=year - 1,
                    tech_staff_points=result.tech_staff.points,
                    rd_points=result.rd.points,
                    rd_option=result.rd_option,
                    ip_points=result.ip.points,
                    total_score=result.total,
                    direct_route=result.direct_route.value if result.direct_route else "",
                    passed=result.passed,
                )
                start = add_working_days(date(submitted.year, submitted.month, 28), 1)
                steps = [("", "submitted", "企业填报")]
                if final == "returned":
                    evaluation.state = "returned"
                    steps.append(("submitted", "returned", TEXTS["smes_return"]))
                elif final == "flow":
                    stage = index % 3
                    evaluation.state = ("submitted", "reviewed", "publicity")[stage]
                    if stage >= 1:
                        evaluation.reviewed_on = min(submitted + timedelta(days=5), date(2026, 11, 16))
                        steps.append(("submitted", "reviewed", "形式审查通过"))
                    if stage == 2:
                        evaluation.publicity_start = date(2026, 11, 16)
                        evaluation.publicity_end = dates.publicity_end(evaluation.publicity_start)
                        steps.append(("reviewed", "publicity", "开始公示"))
                else:
                    evaluation.reviewed_on = min(submitted + timedelta(days=5), start)
                    evaluation.publicity_start = start
                    evaluation.publicity_end = dates.publicity_end(start)
                    evaluation.admitted_on = add_working_days(evaluation.publicity_end, 2)
                    area = _area_code(enterprise.region)
                    serials[(year, area)] += 1
                    marker = dates.smes_marker(
                        year=year, submitted_on=submitted, established_on=enterprise.established_on
                    )
                    evaluation.registration_number = dates.smes_registration_number(
                        year=year, area_code=area, marker=marker, serial=serials[(year, area)]
                    )
                    evaluation.state = "admitted"
                    steps += [
                        ("submitted", "reviewed", "形式审查通过"),
                        ("reviewed", "publicity", "开始公示"),
                        ("publicity", "admitted", "公示无异议，入库"),
                    ]
                    if final == "revoked":
                        evaluation.state = "revoked"
                        # Revoked on a spot check within the month of its 入库: no month's filing nor
                        # the year's figure counts it (a filing states the month as it stood at its end).
                        month_end = (evaluation.admitted_on.replace(day=28) + timedelta(days=4)).replace(
                            day=1
                        )
                        evaluation.revoked_on = min(month_end - timedelta(days=1), today)
                        evaluation.revoke_reason = TEXTS["smes_revoke"]
                        steps.append(("admitted", "revoked", evaluation.revoke_reason))
                evaluations.append(evaluation)
                logs.append((evaluation, steps))
    SmesEvaluation.objects.bulk_create(evaluations)
    demo_events(workflow.SMES_WORKFLOW, logs, SMES_DATE_FIELDS)

    # ---------------------------------------------------------------------------- 高企 pool and certificates
    tech_enterprises = [
        e for e, spec in zip(enterprises, specs, strict=True) if spec["tech"] and e.name not in NAMED
    ]
    rng.shuffle(tech_enterprises)
    pool_rows: list[tuple[PoolEntry, list[tuple[str, str, str]]]] = []
    certificates: list[GaoqiCertificate] = []
    used_numbers: set[str] = set()

    def certificate(enterprise: Enterprise, issued: date) -> None:
        while True:
            number = f"GR{issued.year}14{rng.randint(100, 2999):06d}"
            if number not in used_numbers:
                used_numbers.add(number)
                break
        certificates.append(
            GaoqiCertificate(
                enterprise=enterprise,
                number=number,
                issued_on=issued,
                expires_on=dates.certificate_expiry(issued),
            )
        )

    # The named enterprises' own certificates (众立法兰: a 高企 since 2019, certified again in 2022 and 2025).
    for spec, enterprise in zip(DATA["named"], enterprises, strict=False):
        for issued in spec["certificates"]:
            certificate(enterprise, demodata.date(issued))
    yanmen = enterprises[1]
    cursor = 0
    for year, count in POOL_NEW.items():
        batch = tech_enterprises[cursor : cursor + count]
        cursor += count
        if year == 2023:
            batch = [yanmen, *batch[:-1]]
        for index, enterprise in enumerate(batch):
            recommended = date(year, rng.randint(3, 6), rng.randint(1, 28))
            admitted = recommended + timedelta(days=rng.randint(20, 45))
            entry = PoolEntry(
                enterprise=enterprise,
                recommended_on=recommended,
                recommendation=TEXTS["pool_recommendation"],
                admitted_year=year,
                admitted_on=admitted,
                state="admitted",
            )
            steps = [("", "recommended", "县区推荐"), ("recommended", "admitted", f"{year}年入库")]
            age = 2026 - year
            fate = index % 6
            if enterprise is yanmen:
                fate = 1
            if age >= 1 and fate in (0, 1, 2):
                entry.state, entry.applied_year = "applied", year + 1 if age >= 1 else year
                steps.append(("admitted", "applied", "已向省科技厅提交认定申请"))
                if fate in (0, 1) and age >= 1 and year + 1 <= 2025:
                    issued = date(year + 1, rng.choice([11, 12]), rng.randint(1, 28))
                    entry.state, entry.certified_on = "certified", issued
                    steps.append(("applied", "certified", "取得高新技术企业证书"))
                    certificate(enterprise, issued)
            elif age >= 2 and fate == 5:
                entry.state, entry.exited_on = "exited", admitted + timedelta(days=400)
                entry.exit_reason = TEXTS["pool_exit"]
                steps.append(("admitted", "exited", entry.exit_reason))
            pool_rows.append((entry, steps))
        # a few recommendations the bureau did not admit, and the current year's pending ones
        for enterprise in tech_enterprises[cursor : cursor + 2]:
            entry = PoolEntry(
                enterprise=enterprise,
                recommended_on=date(year, 5, 10),
                state="declined" if year < 2026 else "recommended",
                exit_reason=TEXTS["pool_decline"] if year < 2026 else "",
            )
            steps = [("", "recommended", "县区推荐")]
            if year < 2026:
                steps.append(("recommended", "declined", entry.exit_reason))
            pool_rows.append((entry, steps))
        cursor += 2
    PoolEntry.objects.bulk_create([entry for entry, _steps in pool_rows])
    demo_events(workflow.POOL_WORKFLOW, pool_rows, POOL_DATE_FIELDS)
    # Enterprises certified before the pool existed.
    for enterprise in tech_enterprises[cursor : cursor + 18]:
        certificate(
            enterprise, date(rng.choice([2020, 2021, 2022, 2023]), rng.choice([11, 12]), rng.randint(1, 28))
        )
    GaoqiCertificate.objects.bulk_create(certificates)

    # ---------------------------------------------------------------------------- 倍增计划 targets
    targets = []
    for year in (2024, 2025, 2026):
        for region in regions.values():
            base = services_valid_count(region, date(year - 1, 12, 31))
            targets.append(
                DoublingTarget(
                    region=region, year=year, target=max(1, base * 2 if base < 3 else base + base // 2)
                )
            )
    DoublingTarget.objects.bulk_create(targets)

    # ---------------------------------------------------------------------------- rewards
    bands = [
        (
            Decimal(tier["min_rd"]),
            None if tier["max_rd"] is None else Decimal(tier["max_rd"]),
            Decimal(tier["amount"]),
        )
        for tier in DATA["reward_tiers"]
    ]
    for year in (2023, 2024, 2025):
        RewardTier.objects.bulk_create(
            [RewardTier(year=year, min_rd=a, max_rd=b, amount=c) for a, b, c in bands]
        )
        services.rewards_compute(year=year, actor=None)
    for reward in Reward.objects.filter(year__in=[2023, 2024]):
        reward.state, reward.approved_on = Reward.State.PAID, date(reward.year + 1, 3, 15)
        reward.paid_on = date(reward.year + 1, 4, 20)
        reward.voucher_no = f"忻科发〔{reward.year + 1}〕{reward.year % 100}号"  # the payment's 文号
        reward.save()
    for reward in Reward.objects.filter(year=2025)[:10]:
        reward.state, reward.approved_on = Reward.State.APPROVED, date(2026, 3, 20)
        reward.save()

    if stdout is not None:
        from kejiju.reporting.annual import CITY

        from .selectors import pool_new_entries, smes_admitted_count

        smes, pool = smes_admitted_count(user=CITY, year=2023), pool_new_entries(user=CITY, year=2023)
        stdout.write(
            f"企业 {len(enterprises)} 家；2023年科技型中小企业入库 {smes} 家，"
            f"培育库新入库 {pool} 家；高企证书 {len(certificates)} 张。"
        )


def services_valid_count(region: Region, on: date) -> int:
    from kejiju.reporting.annual import CITY

    from .selectors import gaoqi_valid_count

    return gaoqi_valid_count(user=CITY, on=on, region=region)
