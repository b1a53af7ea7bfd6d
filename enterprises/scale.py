"""Scale data of `manage.py seed_scale`: `scale.enterprises` enterprises spread over every county-level
region, `scale.enterprise_years` years of figures each, 科技型中小企业 evaluations (with their logs), 高企
cultivation pool entries and certificates. Written with COPY; deterministic from the rng it is given."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from kejiju.accounts.models import Region
from kejiju.core import demodata
from kejiju.core.identifiers import org_code_check_char, uscc_check_char
from kejiju.core.models import Organization, WorkflowEvent
from kejiju.core.scale import copy_objects, next_id, person_name, unit_name

from .industries import SECTIONS
from .models import Enterprise, EnterpriseYear, GaoqiCertificate, PoolEntry, SmesEvaluation

# Shanxi's prefecture-level registration areas: a code must name a real GB/T 2260 division.
AREAS = tuple(f"14{n:02d}00" for n in range(1, 12))


def _uscc(index: int) -> str:
    body = f"MA{index:06d}"
    first17 = f"91{AREAS[index % len(AREAS)]}{body}{org_code_check_char(body)}"
    return first17 + uscc_check_char(first17)


def seed_scale(*, scale, rng, stdout) -> None:
    data = demodata.read("enterprises", "scale")  # the shares, states and texts (data/scale.json)
    shares = {key: float(value) for key, value in data["shares"].items()}
    regions = list(Region.objects.county_level().values_list("pk", flat=True))
    sections = [code for code, _ in SECTIONS]
    now = timezone.now()
    content_type = ContentType.objects.get_for_model(SmesEvaluation)
    this_year = timezone.localdate().year
    years = list(range(this_year - scale.enterprise_years, this_year))
    org_id, ent_id = next_id(Organization), next_id(Enterprise)
    n = scale.enterprises
    plan = []
    for i in range(n):
        name = unit_name(rng, i)
        plan.append((org_id + i, ent_id + i, name, rng.choice(regions), rng.choice(sections)))
    copy_objects(
        Organization,
        (
            Organization(pk=o, name=name, kind=Organization.Kind.ENTERPRISE, uscc=_uscc(i), region_id=r)
            for i, (o, _e, name, r, _s) in enumerate(plan)
        ),
    )
    copy_objects(
        Enterprise,
        (
            Enterprise(
                pk=e,
                organization_id=o,
                name=name,
                uscc=_uscc(i),
                region_id=r,
                industry_section=s,
                established_on=dt.date(1990 + i % 34, 1 + i % 12, 1 + i % 28),
                address=f"{name[:4]}路{i % 300 + 1}号",
                contact_person=person_name(rng),
                contact_phone=f"13{rng.randrange(10**9):09d}",
                clean_record=rng.random() > shares["unclean_record"],
                created_at=now,
                updated_at=now,
            )
            for i, (o, e, name, r, s) in enumerate(plan)
        ),
    )

    def figures():
        for _o, e, _n, _r, _s in plan:
            size = rng.lognormvariate(16, 1.2)
            staff = rng.randint(8, 600)
            for year in years:
                revenue = Decimal(int(size * (1 + 0.06 * (year - years[0])))).quantize(Decimal("1"))
                rd = (revenue * Decimal(rng.randint(2, 90)) / 1000).quantize(Decimal("1"))
                yield EnterpriseYear(
                    enterprise_id=e,
                    year=year,
                    employees=staff,
                    tech_staff=max(1, staff * rng.randint(5, 40) // 100),
                    revenue=revenue,
                    total_income=revenue,
                    high_tech_revenue=(revenue * Decimal(rng.randint(0, 80)) / 100).quantize(Decimal("1")),
                    total_assets=revenue * 2,
                    rd_expense=rd,
                    rd_expense_in_china=rd,
                    total_cost=(revenue * Decimal("0.85")).quantize(Decimal("1")),
                    ip_class1=rng.randint(0, 3),
                    ip_class2=rng.randint(0, 12),
                    updated_at=now,
                )

    copy_objects(EnterpriseYear, figures())

    # 科技型中小企业: about 40% of enterprises evaluated each year, 85% of those admitted.
    eval_id = next_id(SmesEvaluation)
    evaluations, logs, serial = [], [], 0
    for _o, e, _n, r, _s in plan:
        for year in [*years[-3:], this_year]:
            if rng.random() > shares["evaluated"]:
                continue
            admitted = rng.random() < shares["admitted"]
            serial += 1
            submitted = dt.date(year, rng.randint(3, 8), rng.randint(1, 28))
            evaluations.append(
                SmesEvaluation(
                    pk=eval_id + len(evaluations),
                    enterprise_id=e,
                    year=year,
                    state=SmesEvaluation.State.ADMITTED if admitted else SmesEvaluation.State.REJECTED,
                    submitted_on=submitted,
                    figures_year=year - 1,
                    tech_staff_points=rng.randint(0, 20),
                    rd_points=rng.randint(0, 50),
                    ip_points=rng.randint(0, 30),
                    total_score=rng.randint(40, 100) if admitted else rng.randint(20, 59),
                    passed=admitted,
                    registration_number=f"{year}1409{r % 100:02d}0{serial:07d}" if admitted else "",
                    admitted_on=submitted + dt.timedelta(days=30) if admitted else None,
                )
            )
            logs.append(
                WorkflowEvent(
                    content_type_id=content_type.pk,
                    object_id=evaluations[-1].pk,
                    workflow="enterprises.smesevaluation",
                    action="admit" if admitted else "reject",
                    label="入库" if admitted else "不予入库",
                    from_state="publicity",
                    to_state=evaluations[-1].state,
                    effective_on=evaluations[-1].admitted_on or now.date(),
                    recorded_at=now,
                    comment=data["event_comment"],
                    data={},
                )
            )
    copy_objects(SmesEvaluation, evaluations)
    copy_objects(WorkflowEvent, logs)

    # 高企培育库 entries (10%) with their 入库 step (the figure reads it), and certificates (8%).
    entries, certificates, pool_logs = [], [], []
    pool_type = ContentType.objects.get_for_model(PoolEntry)
    entry_id = next_id(PoolEntry)
    for index, (_o, e, _n, _r, _s) in enumerate(plan):
        if rng.random() < shares["pool"]:
            year = rng.choice(years)
            state = rng.choice(data["pool_states"])
            entries.append(
                PoolEntry(
                    pk=entry_id + len(entries),
                    enterprise_id=e,
                    state=state,
                    recommended_on=dt.date(year, 3, 1),
                    admitted_year=year,
                    admitted_on=dt.date(year, 5, 1),
                )
            )
            pool_logs.append(
                WorkflowEvent(
                    content_type_id=pool_type.pk,
                    object_id=entries[-1].pk,
                    workflow="enterprises.poolentry",
                    action="admit",
                    label="入库",
                    from_state="recommended",
                    to_state="admitted",
                    effective_on=dt.date(year, 5, 1),
                    recorded_at=now,
                    comment=data["event_comment"],
                    data={"year": year},
                )
            )
        if rng.random() < shares["certified"]:
            issued = dt.date(rng.choice(years), 11, rng.randint(1, 28))
            certificates.append(
                GaoqiCertificate(
                    enterprise_id=e,
                    number=f"GR{issued.year}14{index:06d}",
                    issued_on=issued,
                    expires_on=issued.replace(year=issued.year + 3) - dt.timedelta(days=1),
                )
            )
    copy_objects(PoolEntry, entries)
    copy_objects(WorkflowEvent, pool_logs)
    copy_objects(GaoqiCertificate, certificates)
    stdout.write(
        f"  enterprises: {n} with {len(years)} years of figures, {len(evaluations)} evaluations, "
        f"{len(entries)} pool entries, {len(certificates)} certificates"
    )
