"""Demo data of `manage.py seed_demo` for the platforms app (idempotent; fixed random seed).

The 2023 outcome is the bureau's own (seed/xinzhou-2023-review.txt): the 2023 city batches recognise
4 市重点实验室, 1 市中试基地, 8 市技术创新中心, 4 市众创空间 and 3 市新型研发机构; 山西众立法兰有限公司
and 山西雁门山酒业有限公司 enter the provincial 技术创新中心 筹建 list; 山西农业大学玉米研究所 is
recognised as a 省级新型研发机构; 神池县 creates the 绿色食品 省级农业科技园区; 山西大学忻州创新生态研究院
is the 科创驿站 park's first platform. Units are matched by name (Organization get_or_create), so
the enterprises seed converges on the same rows. Other years are plausible and varied.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal

from experts.models import ExpertField
from kejiju.accounts.models import Region, User
from kejiju.core.models import Organization
from kejiju.core.services import organization_for_name

from . import services
from .models import OutreachEvent, Platform, PlatformEvaluation, PlatformType, RecognitionBatch
from .rules import BatchState, Level, OutreachKind, OutreachState, PlatformAction, PlatformState

SEED = 20231128
E, U, INST, G = (
    Organization.Kind.ENTERPRISE,
    Organization.Kind.UNIVERSITY,
    Organization.Kind.INSTITUTE,
    Organization.Kind.GOVERNMENT,
)


@dataclass(frozen=True)
class Entry:
    platform_name: str
    unit: str
    kind: str
    region: str  # region code
    field: str
    score: Decimal | None  # None: fails the 形式审查


def _d(value: str) -> Decimal:
    return Decimal(value)


# ------------------------------------------------------------------------------------------ 2023 batches

BATCHES_2023: list[tuple[str, str, list[Entry], int | None]] = [
    (
        "重点实验室",
        "2023年度忻州市重点实验室认定",
        [
            Entry("忻州市法兰锻件材料重点实验室", "山西天宝集团有限公司", E, "140921", "新材料", _d("88.40")),
            Entry("忻州市杂粮功能食品重点实验室", "忻州师范学院", U, "140902", "现代农业", _d("86.20")),
            Entry(
                "忻州市煤系固废资源化重点实验室",
                "山西鲁能河曲电煤开发有限责任公司",
                E,
                "140930",
                "节能环保",
                _d("82.75"),
            ),
            Entry(
                "忻州市中药材品质评价重点实验室",
                "山西振东五和医养堂股份有限公司",
                E,
                "140981",
                "现代生物医药",
                _d("79.60"),
            ),
            Entry(
                "忻州市风电装备可靠性重点实验室",
                "忻州市晋北风电装备有限公司",
                E,
                "140902",
                "新能源",
                _d("66.30"),
            ),
            Entry("忻州市石墨烯应用重点实验室", "忻州市烯材科技有限公司", E, "140900-KFQ", "新材料", None),
        ],
        None,
    ),
    (
        "中试基地",
        "2023年度忻州市中试基地认定",
        [
            Entry(
                "忻州市高端法兰锻造中试基地",
                "山西金瑞高压环件有限公司",
                E,
                "140921",
                "先进制造与自动化",
                _d("84.50"),
            ),
            Entry(
                "忻州市杂粮深加工中试基地",
                "忻州市五台山杂粮食品有限公司",
                E,
                "140922",
                "现代农业",
                _d("68.00"),
            ),
        ],
        None,
    ),
    (
        "技术创新中心",
        "2023年度忻州市技术创新中心认定",
        [
            Entry(
                "忻州市高压法兰技术创新中心",
                "山西众立法兰有限公司",
                E,
                "140921",
                "先进制造与自动化",
                _d("91.20"),
            ),
            Entry(
                "忻州市清香型白酒技术创新中心",
                "山西雁门山酒业有限公司",
                E,
                "140923",
                "食品与酿造",
                _d("89.80"),
            ),
            Entry(
                "忻州市铁基合金材料技术创新中心",
                "山西繁峙县金源铁合金有限公司",
                E,
                "140924",
                "新材料",
                _d("87.10"),
            ),
            Entry(
                "忻州市小杂粮育种技术创新中心",
                "山西省农业科学院五寨试验站",
                INST,
                "140928",
                "现代农业",
                _d("85.40"),
            ),
            Entry(
                "忻州市沙棘精深加工技术创新中心",
                "山西岢岚县沙棘生物科技有限公司",
                E,
                "140929",
                "现代农业",
                _d("83.00"),
            ),
            Entry(
                "忻州市煤矸石综合利用技术创新中心",
                "山西保德县恒达新型建材有限公司",
                E,
                "140931",
                "节能环保",
                _d("80.60"),
            ),
            Entry(
                "忻州市光伏运维技术创新中心",
                "忻州市阳光新能源科技有限公司",
                E,
                "140900-KFQ",
                "新能源",
                _d("78.90"),
            ),
            Entry(
                "忻州市辣椒食品技术创新中心",
                "山西静乐县红辣椒食品有限公司",
                E,
                "140926",
                "食品与酿造",
                _d("75.50"),
            ),
            Entry(
                "忻州市智能仓储装备技术创新中心",
                "忻州市智联物流装备有限公司",
                E,
                "140902",
                "先进制造与自动化",
                _d("64.80"),
            ),
            Entry(
                "忻州市文旅数字化技术创新中心", "五台山文化旅游集团有限公司", E, "140971", "电子信息", None
            ),
        ],
        None,
    ),
    (
        "众创空间",
        "2023年度忻州市众创空间认定",
        [
            Entry("忻州云中众创空间", "忻州市云中创业服务有限公司", E, "140902", "综合", _d("86.00")),
            Entry("原平市青创众创空间", "原平市青年创业服务中心", G, "140981", "综合", _d("82.40")),
            Entry(
                "定襄县法兰产业众创空间",
                "定襄县法兰产业园区服务中心",
                G,
                "140921",
                "先进制造与自动化",
                _d("78.20"),
            ),
            Entry(
                "河曲县黄河众创空间", "河曲县黄河文创科技有限公司", E, "140930", "文化旅游与科普", _d("74.60")
            ),
            Entry("偏关县边塞众创空间", "偏关县边塞创业孵化有限公司", E, "140932", "综合", _d("62.10")),
        ],
        None,
    ),
    (
        "新型研发机构",
        "2023年度忻州市新型研发机构认定",
        [
            Entry(
                "忻州市智能铸锻研究院",
                "山西华翔智能铸锻研究院有限公司",
                E,
                "140921",
                "先进制造与自动化",
                _d("85.60"),
            ),
            Entry(
                "忻州市功能农业研究院",
                "忻州市功能农业研究院有限公司",
                INST,
                "140928",
                "现代农业",
                _d("81.30"),
            ),
            Entry(
                "忻州市新能源材料研究院",
                "忻州市新能源材料研究院有限公司",
                INST,
                "140900-KFQ",
                "新能源",
                _d("77.40"),
            ),
            Entry(
                "宁武县生态修复研究中心", "宁武县绿源生态科技有限公司", E, "140925", "节能环保", _d("58.20")
            ),
        ],
        None,
    ),
]

# Recognised before the portal (registered as legacy entries): (type, level, name, unit, kind, region,
# field, year).
LEGACY: list[tuple[str, str, str, str, str, str, str, str, int]] = [
    (
        "重点实验室",
        Level.CITY,
        "忻州市特色农产品检测重点实验室",
        "忻州市农产品质量安全检验监测中心",
        G,
        "140902",
        "现代农业",
        2019,
    ),
    (
        "重点实验室",
        Level.CITY,
        "忻州市磁性材料重点实验室",
        "山西原平市中科磁材有限公司",
        E,
        "140981",
        "新材料",
        2020,
    ),
    (
        "重点实验室",
        Level.CITY,
        "忻州市黄芪种植与加工重点实验室",
        "山西浑源黄芪忻州分公司",
        E,
        "140924",
        "现代生物医药",
        2021,
    ),
    (
        "技术创新中心",
        Level.CITY,
        "忻州市风机塔筒技术创新中心",
        "山西忻州神达能源装备有限公司",
        E,
        "140902",
        "新能源",
        2020,
    ),
    (
        "技术创新中心",
        Level.CITY,
        "忻州市陶瓷新材料技术创新中心",
        "山西河曲陶瓷新材料有限公司",
        E,
        "140930",
        "新材料",
        2021,
    ),
    (
        "技术创新中心",
        Level.CITY,
        "忻州市精密环锻技术创新中心",
        "山西天宝集团有限公司",
        E,
        "140921",
        "先进制造与自动化",
        2022,
    ),
    (
        "技术创新中心",
        Level.PROVINCE,
        "山西省法兰锻造工程技术研究中心",
        "山西天宝集团有限公司",
        E,
        "140921",
        "先进制造与自动化",
        2019,
    ),
    (
        "众创空间",
        Level.CITY,
        "忻州经开区创客空间",
        "忻州经济开发区创业服务中心",
        G,
        "140900-KFQ",
        "综合",
        2021,
    ),
    ("众创空间", Level.PROVINCE, "五台县五台山众创空间", "五台县双创服务中心", G, "140922", "综合", 2022),
    (
        "科技企业孵化器",
        Level.CITY,
        "忻州市科技企业孵化器",
        "忻州市科技创业服务中心",
        G,
        "140902",
        "综合",
        2020,
    ),
    (
        "科普基地",
        Level.CITY,
        "忻州市青少年科技馆科普基地",
        "忻州市科学技术馆",
        G,
        "140902",
        "文化旅游与科普",
        2019,
    ),
    (
        "科普基地",
        Level.CITY,
        "五台山地质科普基地",
        "五台山风景名胜区管理委员会",
        G,
        "140971",
        "文化旅游与科普",
        2021,
    ),
    (
        "新型研发机构",
        Level.CITY,
        "忻州市高端装备再制造研究院",
        "忻州市再制造技术研究院有限公司",
        INST,
        "140981",
        "先进制造与自动化",
        2022,
    ),
    (
        "农业科技园区",
        Level.PROVINCE,
        "忻州市定襄省级农业科技园区",
        "定襄县人民政府",
        G,
        "140921",
        "现代农业",
        2020,
    ),
    (
        "高校科研平台延伸基地",
        Level.CITY,
        "太原理工大学忻州新材料延伸基地",
        "太原理工大学",
        U,
        "140900-KFQ",
        "新材料",
        2022,
    ),
]


def seed_demo_platforms(*, stdout=None) -> None:
    user = User.objects.filter(username="bureau").first()
    if user is None:
        raise RuntimeError("seed_demo: the accounts seed must run first (no 'bureau' user)")
    regions = {region.code: region for region in Region.objects.all()}
    types = {t.name: t for t in PlatformType.objects.all()}
    rng = random.Random(SEED)

    def unit(name: str, kind: str, code: str) -> Organization:
        return organization_for_name(name=name, kind=kind, region=regions.get(code))

    # Legacy registry entries.
    for type_name, level, name, unit_name, kind, code, field, year in LEGACY:
        if Platform.objects.filter(name=name).exists():
            continue
        on = dt.date(year, rng.randint(4, 11), rng.randint(1, 28))
        prefix = types[type_name].code if level == Level.CITY else f"SX{types[type_name].code[2:]}"
        services.platform_create(
            name=name,
            platform_type=types[type_name],
            level=level,
            state=PlatformState.RECOGNISED,
            host=unit(unit_name, kind, code),
            region=regions[code],
            field=field,
            certificate_no=f"{prefix}-{year}-{rng.randint(1, 60):03d}" if level != Level.CITY else "",
            recognised_on=on,
            staff_count=rng.randint(8, 60),
            user=user,
        )
    _fill_legacy_certificates(types)

    # The 2023 city batches, run through the whole flow.
    for type_name, title, entries, quota in BATCHES_2023:
        _run_batch(
            user=user,
            unit=unit,
            regions=regions,
            platform_type=types[type_name],
            year=2023,
            title=title,
            entries=entries,
            quota=quota,
            publicity_on=dt.date(2023, 11, 6),
            recognise_on=dt.date(2023, 11, 27),
        )

    # Provincial outcomes of 2023 and the 科创驿站 park.
    _provincial_2023(user=user, unit=unit, regions=regions, types=types)

    # 2025: a batch in expert review and one taking applications.
    _run_batch(
        user=user,
        unit=unit,
        regions=regions,
        platform_type=types["重点实验室"],
        year=2025,
        title="2025年度忻州市重点实验室认定",
        entries=[
            Entry(
                "忻州市氢能装备重点实验室",
                "忻州市氢源装备科技有限公司",
                E,
                "140900-KFQ",
                "新能源",
                None,
            ),
            Entry(
                "忻州市红芸豆育种重点实验室", "山西省农业科学院五寨试验站", INST, "140928", "现代农业", None
            ),
            Entry("忻州市智能矿山重点实验室", "宁武县智矿科技有限公司", E, "140925", "电子信息", None),
            Entry("忻州市道地药材重点实验室", "忻州师范学院", U, "140902", "现代生物医药", None),
        ],
        quota=3,
        stop_at=BatchState.REVIEW,
        accept_all=True,
    )
    _run_batch(
        user=user,
        unit=unit,
        regions=regions,
        platform_type=types["技术创新中心"],
        year=2025,
        title="2025年度忻州市技术创新中心认定",
        entries=[
            Entry(
                "忻州市铸造砂再生技术创新中心", "山西繁峙县金源铁合金有限公司", E, "140924", "节能环保", None
            ),
            Entry("忻州市杂粮酒技术创新中心", "山西雁门山酒业有限公司", E, "140923", "食品与酿造", None),
        ],
        quota=None,
        stop_at=BatchState.OPEN,
    )

    _evaluations(user=user, rng=rng)
    seed_demo_outreach(user=user, stdout=stdout)
    if stdout is not None:
        stdout.write(
            f"创新平台：{Platform.objects.count()} 个平台，{RecognitionBatch.objects.count()} 个认定批次，"
            f"{PlatformEvaluation.objects.count()} 条绩效评价。"
        )


def _fill_legacy_certificates(types) -> None:
    """City-level legacy platforms get certificate numbers in the city's own format, in order."""
    for platform in Platform.objects.filter(
        level=Level.CITY, certificate_no="", state=PlatformState.RECOGNISED
    ).order_by("recognised_on", "pk"):
        number = services.next_certificate_number(
            platform_type=platform.platform_type, year=platform.recognised_on.year
        )
        Platform.objects.filter(pk=platform.pk).update(certificate_no=number)


def _run_batch(
    *,
    user,
    unit,
    regions,
    platform_type,
    year: int,
    title: str,
    entries: list[Entry],
    quota: int | None,
    publicity_on: dt.date | None = None,
    recognise_on: dt.date | None = None,
    stop_at: str = BatchState.DONE,
    accept_all: bool = False,
) -> RecognitionBatch:
    batch = RecognitionBatch.objects.filter(title=title, year=year, platform_type=platform_type).first()
    if batch is not None:
        return batch
    batch = services.batch_save(
        instance=RecognitionBatch(
            title=title,
            year=year,
            platform_type=platform_type,
            level=Level.CITY,
            deadline=dt.date(year, 9, 30),
            pass_score=Decimal("70"),
            quota=quota,
            panel_size=5,
        ),
        review_fields=[
            ExpertField.objects.get_or_create(name=name, defaults={"sort_order": 100})[0]
            for name in sorted({e.field for e in entries})
        ],
        user=user,
        effective_on=dt.date(year, 6, 1),
    )
    from .models import PlatformApplication

    apps = []
    for entry in entries:
        apps.append(
            services.application_save(
                instance=PlatformApplication(
                    batch=batch,
                    platform_name=entry.platform_name,
                    applicant=unit(entry.unit, entry.kind, entry.region),
                    region=regions[entry.region],
                    field=entry.field,
                    staff_count=12 + len(entry.platform_name) % 20,
                    summary=f"{entry.unit}申报{entry.platform_name}。",
                ),
                user=user,
                submitted_on=dt.date(year, 9, 20),
            )
        )
    if stop_at == BatchState.OPEN:
        return batch
    services.batch_advance(batch=batch, user=user, on_date=dt.date(year, 10, 1))
    for app, entry in zip(apps, entries, strict=True):
        passed = accept_all or entry.score is not None
        services.application_formal_review(
            application=app,
            passed=passed,
            comment="材料齐全，符合申报条件。" if passed else "依托单位近两年研发投入不满足申报条件。",
            user=user,
            reviewed_on=dt.date(year, 10, 8),
        )
    services.batch_advance(batch=batch, user=user, on_date=dt.date(year, 10, 10))
    for app, entry in zip(apps, entries, strict=True):
        if entry.score is not None:
            app.refresh_from_db()
            services.application_record_score(
                application=app,
                score=entry.score,
                note=f"{year}年专家组评审会评分（线下评审）",
                user=user,
                scored_on=dt.date(year, 10, 25),
            )
    if stop_at == BatchState.REVIEW:
        # The in-progress batch reviews through one panel of the expert library (when it holds experts).
        _demo_panel(apps[:2], user=user)
        return batch
    services.batch_advance(batch=batch, user=user, on_date=publicity_on)
    services.batch_advance(batch=batch, user=user, on_date=recognise_on)
    return batch


def _demo_panel(apps, *, user) -> None:
    """Start one review panel for the applications (as staff do for a batch) and have all but one expert
    score them, so that the demo shows a panel in progress. Skipped when the library has too few experts
    of the batch's fields."""
    from django.core.exceptions import ValidationError

    from experts import services as expert_services
    from experts.models import ReviewMember

    from .review import RECOGNITION_CRITERIA

    fields = list(apps[0].review_fields())
    if not fields:
        return
    try:
        panel = expert_services.review_panel_create(
            subjects=apps,
            title=apps[0].review_group_title(),
            fields=fields,
            size=5,
            reserves=2,
            criteria=RECOGNITION_CRITERIA,
            drop_extremes=True,
            user=user,
            seed=f"platforms-demo-{apps[0].pk}",
        )
    except ValidationError:
        return  # too few experts in those fields in this demo library
    rng = random.Random(apps[0].pk)
    members = list(panel.members.filter(role=ReviewMember.Role.REGULAR).order_by("position"))
    for member in members:
        expert_services.review_member_confirm(member=member, user=user)
    for member in members[:-1]:
        member.refresh_from_db()
        for subject in panel.subjects.all():
            scores = {
                c["key"]: rng.randint(int(c["max_score"] * 0.6), c["max_score"]) for c in RECOGNITION_CRITERIA
            }
            expert_services.review_scores_enter(member=member, subject=subject, scores=scores, user=user)


def _provincial_2023(*, user, unit, regions, types) -> None:
    def ensure(name, type_name, level, unit_name, kind, code, field, registered_on) -> Platform:
        platform = Platform.objects.filter(name=name).first()
        if platform is None:
            platform = services.platform_create(
                name=name,
                platform_type=types[type_name],
                level=level,
                state=PlatformState.CULTIVATING,
                host=unit(unit_name, kind, code),
                region=regions[code],
                field=field,
                user=user,
                effective_on=registered_on,
            )
        return platform

    for name, unit_name, code in [
        ("山西省高压法兰技术创新中心", "山西众立法兰有限公司", "140921"),
        ("山西省清香型白酒技术创新中心", "山西雁门山酒业有限公司", "140923"),
    ]:
        platform = ensure(
            name, "技术创新中心", Level.PROVINCE, unit_name, E, code, "先进制造与自动化", dt.date(2023, 3, 1)
        )
        if platform.state == PlatformState.CULTIVATING:
            services.platform_transition(
                platform=platform,
                action=PlatformAction.PREPARE,
                user=user,
                effective_on=dt.date(2023, 8, 15),
                comment="纳入山西省技术创新中心筹建名单",
            )
    recognitions = [
        (
            "山西农业大学玉米研究所新型研发机构",
            "新型研发机构",
            "山西农业大学玉米研究所",
            INST,
            "140902",
            "现代农业",
            "SXYF-2023-012",
            dt.date(2023, 10, 20),
        ),
        (
            "神池县绿色食品省级农业科技园区",
            "农业科技园区",
            "神池县人民政府",
            G,
            "140927",
            "现代农业",
            "SXNY-2023-005",
            dt.date(2023, 9, 12),
        ),
    ]
    for name, type_name, unit_name, kind, code, field, number, on in recognitions:
        platform = ensure(name, type_name, Level.PROVINCE, unit_name, kind, code, field, dt.date(2022, 6, 1))
        if platform.state == PlatformState.CULTIVATING:
            services.platform_transition(
                platform=platform,
                action=PlatformAction.RECOGNISE,
                user=user,
                effective_on=on,
                certificate_no=number,
                comment="经省科技厅认定",
            )
    park = ensure(
        "山西大学忻州创新生态研究院",
        "科创驿站",
        Level.CITY,
        "山西大学",
        U,
        "140900-KFQ",
        "综合",
        dt.date(2023, 2, 20),
    )
    if park.state == PlatformState.CULTIVATING:
        services.platform_transition(
            platform=park,
            action=PlatformAction.PREPARE,
            user=user,
            effective_on=dt.date(2023, 4, 10),
            comment="“科创驿站”科技园首个平台，先行示范区重点推进",
        )
    for name, unit_name, kind in [
        ("山工科技忻州创新研究院", "太原科技大学", U),
        ("中国农业大学忻州设施农业工程技术创新中心", "中国农业大学", U),
    ]:
        ensure(name, "科创驿站", Level.CITY, unit_name, kind, "140900-KFQ", "综合", dt.date(2023, 10, 9))


def _evaluations(*, user, rng: random.Random) -> None:
    """Yearly evaluations of the platforms recognised by the year before; one platform fails twice in a
    row, so the rule proposes its revocation."""
    weak = "忻州市黄芪种植与加工重点实验室"
    for year in (2022, 2023, 2024):
        for platform in Platform.objects.filter(
            state=PlatformState.RECOGNISED, recognised_on__year__lt=year
        ).order_by("pk"):
            if PlatformEvaluation.objects.filter(platform=platform, year=year).exists():
                continue
            if platform.name == weak and year >= 2023:
                score = Decimal(rng.randint(480, 580)) / 10
            else:
                score = Decimal(rng.randint(620, 980)) / 10
            services.evaluation_record(
                platform=platform,
                year=year,
                score=score,
                comment="依据年度运行报告和现场核查评定。",
                user=user,
                evaluated_on=dt.date(year + 1, 3, 31),
            )


# ------------------------------------------------------------------------------- 2023 科技活动周

SCIENCE_WEEK_2023 = (dt.date(2023, 5, 20), dt.date(2023, 5, 27))
SCIENCE_WEEK_THEME = "热爱科学 崇尚科学"
# Open days of the labs and 科普基地 (platform name, day, audience).
OPEN_DAYS_2023 = [
    ("忻州市青少年科技馆科普基地", dt.date(2023, 5, 21), 1860),
    ("五台山地质科普基地", dt.date(2023, 5, 23), 940),
    ("忻州市杂粮功能食品重点实验室", dt.date(2023, 5, 24), 210),
]


def seed_demo_outreach(*, user, stdout=None) -> None:
    """The 2023 科技活动周 (“热爱科学 崇尚科学”): a 科技大讲堂 in the city, 科普宣传进基层 in every county and
    open days of labs and 科普基地; a few events outside the week. Idempotent (events matched by name)."""
    rng = random.Random(SEED + 10)
    start, end = SCIENCE_WEEK_2023

    def event(**fields) -> None:
        if OutreachEvent.objects.filter(name=fields["name"], held_on=fields["held_on"]).exists():
            return
        services.outreach_event_save(instance=OutreachEvent(state=OutreachState.HELD, **fields), user=user)

    city_hall = Region.objects.get(code="140902")
    event(
        name=f"2023年科技活动周启动仪式暨科技大讲堂（{SCIENCE_WEEK_THEME}）",
        held_on=start,
        kind=OutreachKind.LECTURE,
        science_week=True,
        organiser_name="忻州市科学技术局",
        region=city_hall,
        venue="忻州市文化中心报告厅",
        audience=620,
        description="弘扬科学家精神，邀请省内高校专家作科普报告。",
    )
    for index, region in enumerate(Region.objects.county_level().order_by("sort_order", "code")):
        event(
            name=f"{region.name}2023年科技活动周科普宣传进基层",
            held_on=start + dt.timedelta(days=1 + index % 6),
            kind=OutreachKind.GRASSROOTS,
            science_week=True,
            organiser_name=f"{region.name}科技主管部门",
            region=region,
            venue=f"{region.name}城区广场及乡镇集市",
            audience=rng.randint(30, 120) * 10,
            description="发放科普资料，开展科技咨询和科普展示。",
        )
    for name, day, audience in OPEN_DAYS_2023:
        platform = Platform.objects.filter(name=name).first()
        if platform is None:
            continue
        event(
            name=f"{name}科技活动周开放日",
            held_on=day,
            kind=OutreachKind.OPEN_DAY,
            science_week=True,
            platform=platform,
            region=platform.region,
            venue=name,
            audience=audience,
            description="向社会公众免费开放。",
        )
    event(
        name="忻州市第二十届青少年科技创新大赛",
        held_on=dt.date(2023, 9, 16),
        kind=OutreachKind.CONTEST,
        science_week=False,
        organiser_name="忻州市科学技术协会",
        region=city_hall,
        venue="忻州市青少年科技馆",
        audience=1300,
    )
    if stdout is not None:
        held = OutreachEvent.objects.filter(held_on__range=(start, end), science_week=True).count()
        stdout.write(f"科普活动：2023年科技活动周 {held} 场。")
