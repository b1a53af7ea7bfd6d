"""Demo data of the experts app (``manage.py seed_demo``): idempotent and reproducible (fixed random seed).

The 2023 figures are the seed document's own: 27 experts admitted in 2023 across 电子信息、新材料、新能源、
节能环保、先进制造与自动化、现代生物医药; 科技副总 candidates from 65 partner universities; 11 科技特派团 with
171 科技特派员. Other years are plausible and varied.
"""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone

from kejiju.accounts.models import Region
from kejiju.core import demodata
from kejiju.core.identifiers import id_number_check_char
from kejiju.core.models import Organization
from kejiju.core.pii import digest
from kejiju.core.services import organization_for_name

from .models import Commissioner, CommissionerTeam, Expert, ExpertField, VicePresidentPlacement
from .services import vice_president_save

_DATA = demodata.read("experts")  # data/demo.json: fields, units, names, teams
FIELDS: list[str] = _DATA["fields"]
SEED_2023_FIELDS = FIELDS[:6]
# 27 experts admitted in 2023, by field (the seed names six fields).
ADMITTED_2023: dict[str, int] = _DATA["admitted_2023"]
ADMITTED_OTHER_YEARS = {int(year): count for year, count in _DATA["admitted_other_years"].items()}
# 65 partner universities of 省校合作 (科技副总 candidates in 2023).
UNIVERSITIES: list[str] = _DATA["universities"]
LOCAL_UNIVERSITIES: dict[str, str] = _DATA["local_universities"]
INSTITUTES = [tuple(row) for row in _DATA["institutes"]]
ENTERPRISES = [tuple(row) for row in _DATA["enterprises"]]
SURNAMES: str = _DATA["surnames"]
GIVEN: str = _DATA["given_names"]
SPECIALTIES: dict[str, list[str]] = _DATA["specialties"]
TEAMS_2023 = [
    (team["name"], team["industries"], team["counties"], team["size"]) for team in _DATA["teams_2023"]
]
TEAM_SIZES_2022: list[int] = _DATA["team_sizes_2022"]
TEAM_EMPLOYERS: list[str] = _DATA["team_employers"]


def _org(name: str, kind: str, region: Region | None) -> Organization:
    return organization_for_name(name=name, kind=kind, region=region)


def _name(rng: random.Random) -> str:
    given = rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.7 else "")
    return rng.choice(SURNAMES) + given


def _id_number(rng: random.Random, gender: str) -> str:
    area = rng.choice(["140902", "140921", "140922", "140923", "140981", "140105", "140106", "140702"])
    birth = dt.date(1962, 1, 1) + dt.timedelta(days=rng.randrange(365 * 26))
    serial = rng.randrange(0, 100) * 10 + (
        rng.choice([1, 3, 5, 7, 9]) if gender == "男" else rng.choice([0, 2, 4, 6, 8])
    )
    first17 = f"{area}{birth:%Y%m%d}{serial:03d}"
    return first17 + id_number_check_char(first17)


def _mobile(rng: random.Random) -> str:
    return rng.choice(["135", "137", "139", "152", "158", "183", "187"]) + f"{rng.randrange(10**8):08d}"


def _expert_events(experts: list[Expert]) -> None:
    """The demo experts' dated history in the flow experts.expert (the figures read these, never
    admitted_on): 入库 on admitted_on, then 暂停 or 出库 on exited_on for those who left."""
    from django.contrib.contenttypes.models import ContentType
    from django.utils import timezone

    from kejiju.core.models import WorkflowEvent

    from .workflow import EXPERT_WORKFLOW

    flow = EXPERT_WORKFLOW
    content_type = ContentType.objects.get_for_model(Expert)
    now = timezone.now()
    events = []
    for expert in experts:
        events.append(
            WorkflowEvent(
                content_type=content_type,
                object_id=expert.pk,
                workflow=flow.key,
                action=flow.created[0],
                label=flow.created[1],
                from_state="",
                to_state=Expert.State.ACTIVE,
                effective_on=expert.admitted_on,
                recorded_at=now,
                comment=expert.admission_reason,
            )
        )
        if expert.state != Expert.State.ACTIVE:
            action = "exit" if expert.state == Expert.State.EXITED else "suspend"
            events.append(
                WorkflowEvent(
                    content_type=content_type,
                    object_id=expert.pk,
                    workflow=flow.key,
                    action=action,
                    label=flow.action_label(action),
                    from_state=Expert.State.ACTIVE,
                    to_state=expert.state,
                    effective_on=expert.exited_on,
                    recorded_at=now,
                    comment=expert.exit_reason,
                )
            )
    WorkflowEvent.objects.bulk_create(events, batch_size=1000)


def seed_demo_composition_rules() -> None:
    """The bureau's own composition rules for platforms and projects (a data file), through the service."""
    from .models import CompositionRule
    from .services import composition_rule_save

    for row in demodata.read("experts", "demo_composition_rules")["rules"]:
        if not CompositionRule.objects.filter(kind=row["kind"]).exists():
            composition_rule_save(rule=CompositionRule(**row))


@transaction.atomic
def seed_demo_experts(*, stdout=None) -> None:
    seed_demo_composition_rules()
    rng = random.Random(20231231)
    regions = {r.code: r for r in Region.objects.all()}
    fields = {}
    for order, name in enumerate(FIELDS, start=1):
        fields[name], _ = ExpertField.objects.get_or_create(name=name, defaults={"sort_order": order * 10})

    universities = {
        name: _org(name, Organization.Kind.UNIVERSITY, regions.get(LOCAL_UNIVERSITIES.get(name, "")))
        for name in UNIVERSITIES
    }
    institutes = {
        name: _org(name, Organization.Kind.INSTITUTE, regions.get(code)) for name, code in INSTITUTES
    }
    enterprises = {
        name: _org(name, Organization.Kind.ENTERPRISE, regions.get(code)) for name, code in ENTERPRISES
    }
    employers = (
        [universities[n] for n in ("忻州师范学院", "山西大学", "太原理工大学", "中北大学", "山西农业大学")]
        + list(institutes.values())
        + list(enterprises.values())
    )
    county_codes = [c for c in regions if c.startswith("1409") and len(c) == 6 and c != "140900"]

    # ----------------------------------------------------------------------------------------- experts
    plan: list[tuple[int, str]] = [(2023, field) for field, n in ADMITTED_2023.items() for _ in range(n)]
    for year, count in ADMITTED_OTHER_YEARS.items():
        plan += [(year, rng.choice(FIELDS)) for _ in range(count)]
    created = 0
    experts: list[Expert] = []
    history: list[Expert] = []  # the experts created now, whose events are written below
    for index, (year, field_name) in enumerate(plan):
        gender = "男" if rng.random() < 0.68 else "女"
        name = _name(rng)
        number = _id_number(rng, gender)
        mobile = _mobile(rng)
        employer = rng.choice(employers)
        title = rng.choices(["正高", "副高", "中级"], weights=[4, 5, 1])[0]
        admitted = dt.date(year, rng.choice([3, 6, 9, 11]), rng.randint(1, 28))
        # 2023 experts keep the one field the seed counts them under.
        second = rng.choice(FIELDS) if rng.random() < 0.3 and year != 2023 else None
        state_roll = rng.random()
        specialty = rng.choice(SPECIALTIES[field_name])
        existing = Expert.objects.filter(id_number_digest=digest(number)).first()
        if existing is not None:
            experts.append(existing)
            continue
        expert = Expert(
            name=name,
            gender=gender,
            employer=employer,
            title=title,
            specialty=specialty,
            # A 财务专家 in every eight, a 管理专家 in every fifteen (not from rng: the rest stays as seeded).
            category=(
                Expert.Category.FINANCIAL
                if index % 8 == 3
                else Expert.Category.MANAGEMENT
                if index % 15 == 7
                else Expert.Category.TECHNICAL
            ),
            county=employer.region,
            admitted_on=admitted,
            admission_reason=f"{year}年度专家征集，单位推荐，经审核入库",
        )
        if year < 2023 and state_roll < 0.06:
            expert.state = Expert.State.EXITED
            expert.exited_on = dt.date(2023, 12, 15)
            expert.exit_reason = "达到退休年龄，本人申请出库"
        elif year < 2024 and state_roll < 0.1:
            expert.state = Expert.State.SUSPENDED
            expert.exited_on = dt.date(2024, 3, 1)
            expert.exit_reason = "连续两次无故不参加评审，暂停一年"
        expert.set_id_number(number)
        expert.set_mobile(mobile)
        expert.save()
        expert.fields.set(
            [fields[field_name]] + ([fields[second]] if second and second != field_name else [])
        )
        history.append(expert)
        experts.append(expert)
        created += 1
    _expert_events(history)

    # ------------------------------------------------------------------------------------------ 科技副总
    placements = 0
    # A term that has ended is 期满 (a placement 在任 past its term is refused by the service it goes
    # through below), so the demo's states depend on the day it is seeded.
    today = timezone.localdate()
    if not VicePresidentPlacement.objects.filter(year=2023).exists():
        enterprise_list = list(enterprises.values())
        rows = []
        for index, university_name in enumerate(UNIVERSITIES):
            university = universities[university_name]
            for _ in range(1 + (index % 3 == 0) + (index % 7 == 0)):
                serving = rng.random() < 0.3
                enterprise = rng.choice(enterprise_list) if serving else None
                rows.append(
                    VicePresidentPlacement(
                        name=_name(rng),
                        gender="男" if rng.random() < 0.7 else "女",
                        title=rng.choices(["正高", "副高"], weights=[1, 2])[0],
                        university=university,
                        specialty=rng.choice(SPECIALTIES[rng.choice(FIELDS)]),
                        year=2023,
                        enterprise=enterprise,
                        county=enterprise.region if enterprise else None,
                        term_start=dt.date(2023, 9, 1) if serving else None,
                        term_end=dt.date(2025, 8, 31) if serving else None,
                        state=(
                            VicePresidentPlacement.State.PROPOSED
                            if not serving
                            else VicePresidentPlacement.State.SERVING
                            if today <= dt.date(2025, 8, 31)
                            else VicePresidentPlacement.State.ENDED
                        ),
                    )
                )
        for _ in range(14):
            enterprise = rng.choice(enterprise_list)
            rows.append(
                VicePresidentPlacement(
                    name=_name(rng),
                    title="正高",
                    university=universities[rng.choice(UNIVERSITIES[:23])],
                    specialty=rng.choice(SPECIALTIES[rng.choice(FIELDS)]),
                    year=2021,
                    enterprise=enterprise,
                    county=enterprise.region,
                    term_start=dt.date(2021, 7, 1),
                    term_end=dt.date(2023, 6, 30),
                    state=VicePresidentPlacement.State.ENDED,
                )
            )
        for row in rows:
            vice_president_save(placement=row)
        placements = len(rows)

    # ---------------------------------------------------------------------------------- 科技特派团 / 员
    team_employers = [universities.get(n) or institutes.get(n) for n in TEAM_EMPLOYERS]
    teams_2022 = [
        (name, industries, codes, size)
        for (name, industries, codes, _), size in zip(TEAMS_2023, TEAM_SIZES_2022, strict=False)
    ]
    members = 0
    for year, teams in ((2022, teams_2022), (2023, TEAMS_2023)):
        for name, industries, codes, size in teams:
            team, was_created = CommissionerTeam.objects.get_or_create(
                year=year,
                name=name,
                defaults={"industries": industries, "lead_unit": team_employers[len(name) % 3]},
            )
            if not was_created:
                continue
            counties = [regions[c] for c in codes if c in regions] or [regions[county_codes[0]]]
            team.counties.set(counties)
            industry_list = industries.split("、")
            Commissioner.objects.bulk_create(
                [
                    Commissioner(
                        team=team,
                        name=_name(rng),
                        employer=rng.choice(team_employers),
                        title=rng.choices(["正高", "副高", "中级"], weights=[2, 4, 3])[0],
                        is_leader=index == 0,
                        county=counties[index % len(counties)],
                        industry=rng.choice(industry_list),
                    )
                    for index in range(size)
                ]
            )
            members += size

    if stdout is not None:
        stdout.write(
            f"专家库：新增专家 {created} 人（2023 年入库 {sum(ADMITTED_2023.values())} 人），"
            f"科技副总 {placements} 人，科技特派员 {members} 人。"
        )


def seed_demo_reviewer(*, stdout=None) -> None:
    """The demo 评审专家 account `expert`: the first drawn expert of a new panel for a project under review,
    with the invitation open (run after the projects' demo, which has projects in 评审). The project gets a
    申报书 with text to read once the expert has accepted and signed the 回避及保密声明."""
    from django.core.exceptions import ValidationError

    from kejiju.accounts.demo import DEMO_PASSWORD
    from kejiju.accounts.models import User
    from projects.models import Project
    from projects.rules import State

    from . import seats, services
    from .models import ReviewMember, ReviewPanel
    from .selectors import review_subject_for

    staff = User.objects.filter(username="bureau").first()
    if staff is None or User.objects.filter(username="expert").exists():
        return
    # One panel for two projects under review (as for a call), so the expert reviews both.
    projects = [
        project
        for project in Project.objects.filter(state=State.REVIEW).order_by("number")
        if review_subject_for(subject=project) is None
    ][:2]
    if not projects:
        return
    project = projects[0]
    try:
        panel = services.review_panel_create(
            subjects=projects,
            title=f"{project.call}项目网评",
            fields=list(ExpertField.objects.filter(name__in=FIELDS)),
            size=5,
            reserves=2,
            criteria=project.review_criteria(),
            drop_extremes=True,
            user=staff,
            seed=f"demo-online-{project.number}",
        )
    except ValidationError:
        return  # a library too small for the panel: no demo reviewer
    member = (
        panel.members.select_related("expert").filter(role=ReviewMember.Role.REGULAR).order_by("position")[0]
    )
    user = seats.expert_account_open(
        actor=staff,
        expert=member.expert,
        username="expert",
        password=DEMO_PASSWORD,
        email="expert@example.cn",
    )
    user.must_change_password = False  # the published demo password, as the other demo accounts'
    user.password_changed_at = timezone.now()
    user.save(update_fields=["must_change_password", "password_changed_at"])
    ReviewMember.objects.filter(panel=panel).update(invited_at=None)
    services.invite_pending(ReviewPanel.objects.get(pk=panel.pk))
    seed_demo_material(project, staff=staff)
    if stdout is not None:
        stdout.write(f"  评审专家账户 expert（{member.expert.name}）：“{panel.title}”的评审邀请待答复")


def seed_demo_material(project, *, staff) -> None:
    """A 申报书 with text (data/demo_material.json, rendered by WeasyPrint) among the project's attachments:
    what the demo expert downloads, every page marked with their name (the demo projects' own 申报书 are a
    blank page)."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.template.loader import render_to_string
    from weasyprint import HTML

    from kejiju.core.fonts import FONT_STACK
    from projects import services as project_services

    spec = demodata.read("experts", "demo_material")
    fill = {"title": project.title, "applicant": project.applicant.name, "number": project.number}
    sections = [
        {"heading": section["heading"], "paragraphs": [text.format(**fill) for text in section["paragraphs"]]}
        for section in spec["sections"]
    ]
    html = render_to_string(
        "experts/demo_material_pdf.html", {"project": project, "sections": sections, "font_stack": FONT_STACK}
    )
    project_services.attachment_create(
        project=project,
        user=staff,
        kind="application",
        upload=SimpleUploadedFile(spec["filename"].format(**fill), HTML(string=html).write_pdf()),
    )
