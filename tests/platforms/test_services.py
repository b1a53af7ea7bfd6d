"""Services: the batch flow end to end, bad input refused with the reason, evaluations."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from kejiju.core.models import AuditEvent
from kejiju.core.workflow.selectors import events_for
from kejiju.reporting.annual import CITY
from platforms import selectors, services
from platforms.models import EvaluationPolicy, Platform, PlatformApplication, RecognitionBatch
from platforms.rules import ApplicationState, BatchState, Grade, Level, PlatformAction, PlatformState

from .factories import ApplicationFactory, BatchFactory, OrganizationFactory, PlatformFactory, platform_type

pytestmark = pytest.mark.django_db


def _apply(batch, user, region, name, **kwargs):
    return services.application_save(
        instance=PlatformApplication(
            batch=batch, platform_name=name, applicant=OrganizationFactory(), region=region, **kwargs
        ),
        user=user,
    )


def test_batch_flow_end_to_end(bureau_user, county_user, county_a, county_b):
    batch = services.batch_save(
        instance=RecognitionBatch(
            title="2023年度忻州市重点实验室认定",
            year=2023,
            platform_type=platform_type(),
            pass_score=Decimal(70),
        ),
        user=bureau_user,
        effective_on=dt.date(2023, 6, 1),
    )
    # Units apply: the bureau for any county, a county for its own.
    a = _apply(batch, bureau_user, county_b, "甲重点实验室")
    b = _apply(batch, county_user, county_a, "乙重点实验室")
    c = _apply(batch, bureau_user, county_a, "丙重点实验室")
    d = _apply(batch, bureau_user, county_b, "丁重点实验室")
    cultivated = PlatformFactory(
        region=county_a, state=PlatformState.CULTIVATING, certificate_no="", recognised_on=None
    )
    e = _apply(batch, bureau_user, county_a, cultivated.name, platform=cultivated)
    assert b.submitted_by == county_user

    services.batch_advance(batch=batch, user=bureau_user, on_date=dt.date(2023, 10, 1))  # -> 形式审查
    batch.refresh_from_db()
    assert batch.state == BatchState.FORMAL
    with pytest.raises(ValidationError, match="已截止申报"):
        _apply(batch, bureau_user, county_a, "迟到的申报")
    with pytest.raises(ValidationError, match="未完成形式审查"):
        services.batch_advance(batch=batch, user=bureau_user, on_date=dt.date(2023, 10, 9))
    with pytest.raises(ValidationError, match="须填写说明"):
        services.application_formal_review(application=d, passed=False, comment=" ", user=bureau_user)
    for app in (a, b, c, e):
        services.application_formal_review(application=app, passed=True, comment="", user=bureau_user)
    services.application_formal_review(application=d, passed=False, comment="材料不全", user=bureau_user)

    services.batch_advance(batch=batch, user=bureau_user, on_date=dt.date(2023, 10, 10))  # -> 专家评审
    for app, score in ((a, "88"), (b, "75.5"), (c, "65")):
        services.application_record_score(application=app, score=Decimal(score), note="", user=bureau_user)
    with pytest.raises(ValidationError, match="没有专家评审结果"):
        services.batch_advance(batch=batch, user=bureau_user, on_date=dt.date(2023, 11, 1))
    with pytest.raises(ValidationError, match="只有通过形式审查"):
        services.application_record_score(application=d, score=Decimal(90), note="", user=bureau_user)
    services.application_record_score(application=e, score=Decimal("91"), note="", user=bureau_user)

    services.batch_advance(batch=batch, user=bureau_user, on_date=dt.date(2023, 11, 6))  # -> 公示
    batch.refresh_from_db()
    assert batch.state == BatchState.PUBLICITY
    assert batch.publicity_end == dt.date(2023, 11, 17)  # 10 working days, 6 Nov included
    states = dict(batch.applications.values_list("platform_name", "state"))
    assert states == {
        "甲重点实验室": ApplicationState.PROPOSED,
        "乙重点实验室": ApplicationState.PROPOSED,
        "丙重点实验室": ApplicationState.NOT_PROPOSED,
        "丁重点实验室": ApplicationState.REJECTED,
        cultivated.name: ApplicationState.PROPOSED,
    }
    assert dict(batch.applications.values_list("platform_name", "rank"))[cultivated.name] == 1
    services.application_record_objection(
        application=b, objection="举报人员数不实，经核查属实", user=bureau_user
    )
    with pytest.raises(ValidationError, match="公示期满后"):
        services.batch_advance(batch=batch, user=bureau_user, on_date=dt.date(2023, 11, 17))

    services.batch_advance(batch=batch, user=bureau_user, on_date=dt.date(2023, 11, 27))  # -> 已认定
    batch.refresh_from_db()
    assert batch.state == BatchState.DONE and batch.recognised_on == dt.date(2023, 11, 27)
    a.refresh_from_db()
    e.refresh_from_db()
    assert a.state == e.state == ApplicationState.RECOGNISED
    # The rank order gives the certificate serials: e (91) first, then a (88).
    assert (e.certificate_no, a.certificate_no) == ("XZKL-2023-001", "XZKL-2023-002")
    new_platform = a.platform
    assert (new_platform.state, new_platform.level, new_platform.recognised_on) == (
        PlatformState.RECOGNISED,
        Level.CITY,
        dt.date(2023, 11, 27),
    )
    assert new_platform.host == a.applicant and new_platform.region == county_b
    cultivated.refresh_from_db()
    assert cultivated.state == PlatformState.RECOGNISED and cultivated.certificate_no == "XZKL-2023-001"
    assert not Platform.objects.filter(name__in=["乙重点实验室", "丙重点实验室", "丁重点实验室"]).exists()
    # Timeline and audit.
    assert list(new_platform.events.values_list("action", flat=True)) == [
        "register",
        PlatformAction.RECOGNISE,
    ]
    assert (
        AuditEvent.objects.filter(event_type=AuditEvent.Type.TRANSITION, object_repr=str(batch)).count() == 4
    )
    # Counts for the annual review: the platforms 认定 in 2023, each once, by type, level and county.
    span = {"start": dt.date(2023, 1, 1), "end": dt.date(2023, 12, 31)}
    assert selectors.recognised_platforms_by_type(**span) == [
        {"platform_type": "重点实验室", "level": "city", "level_label": "市级", "count": 2}
    ]
    assert selectors.recognised_platforms_count(**span) == 2
    assert selectors.recognised_platforms_count(region=county_b, **span) == 1
    assert selectors.recognised_platforms_by_region(**span) == {county_a.pk: 1, county_b.pk: 1}
    assert {(p.name, p.event_on, p.event_level) for p in selectors.recognised_platforms(**span)} == {
        ("甲重点实验室", dt.date(2023, 11, 27), Level.CITY),
        (cultivated.name, dt.date(2023, 11, 27), Level.CITY),
    }
    assert selectors.upgraded_platforms_count(**span) == 0
    with pytest.raises(ValidationError, match="已完成认定"):
        services.batch_advance(batch=batch, user=bureau_user)


def test_a_platform_cannot_be_recognised_twice_in_a_batch(bureau_user, county_a):
    batch = BatchFactory()
    platform = PlatformFactory(
        region=county_a, state=PlatformState.PREPARING, certificate_no="", recognised_on=None
    )
    _apply(batch, bureau_user, county_a, "一号", platform=platform)
    with pytest.raises(ValidationError, match="同一平台不能在同一批次重复认定"):
        _apply(batch, bureau_user, county_a, "二号", platform=platform)
    # The database refuses it too, whatever the path.
    with pytest.raises(IntegrityError), transaction.atomic():
        ApplicationFactory(batch=batch, region=county_a, platform=platform)
    # Recognising the application a second time is refused.
    app = PlatformApplication.objects.get(platform=platform)
    PlatformApplication.objects.filter(pk=app.pk).update(state=ApplicationState.PROPOSED)
    type(batch).objects.filter(pk=batch.pk).update(state=BatchState.PUBLICITY)
    services.application_recognise(application=app, user=bureau_user, on_date=dt.date(2023, 12, 1))
    with pytest.raises(ValidationError, match="不能执行“认定”"):
        services.application_recognise(application=app, user=bureau_user, on_date=dt.date(2023, 12, 1))
    assert platform.events.filter(action=PlatformAction.RECOGNISE).count() == 1


def test_already_recognised_at_that_level_cannot_apply(bureau_user, county_a):
    batch = BatchFactory(level=Level.CITY)
    with pytest.raises(ValidationError, match="已按此级别或更高级别认定"):
        _apply(batch, bureau_user, county_a, "x", platform=PlatformFactory(region=county_a))
    with pytest.raises(ValidationError, match="与批次类型不一致"):
        _apply(
            batch,
            bureau_user,
            county_a,
            "y",
            platform=PlatformFactory(region=county_a, platform_type=platform_type("众创空间")),
        )


def test_county_applies_for_its_own_county_only(county_user, county_b):
    with pytest.raises(ValidationError, match="本县区"):
        _apply(BatchFactory(), county_user, county_b, "别县的平台")


def test_certificate_number_is_unique(bureau_user, county_a):
    PlatformFactory(region=county_a, certificate_no="XZKL-2023-001")
    with pytest.raises(ValidationError, match="证书编号已被其他平台使用"):
        services.platform_create(
            name="重复证书",
            platform_type=platform_type(),
            level=Level.CITY,
            state=PlatformState.RECOGNISED,
            host=OrganizationFactory(),
            region=county_a,
            certificate_no="XZKL-2023-001",
            recognised_on=dt.date(2023, 1, 1),
            user=bureau_user,
        )
    other = PlatformFactory(
        region=county_a, state=PlatformState.PREPARING, certificate_no="", recognised_on=None
    )
    with pytest.raises(ValidationError, match="证书编号已被其他平台使用"):
        services.platform_transition(
            platform=other,
            action=PlatformAction.RECOGNISE,
            user=bureau_user,
            effective_on=dt.date(2023, 5, 1),
            certificate_no="XZKL-2023-001",
        )


def test_refused_transition_gives_the_reason_and_changes_nothing(bureau_user, county_a):
    platform = PlatformFactory(region=county_a, state=PlatformState.REVOKED)
    with pytest.raises(ValidationError) as caught:
        services.platform_transition(
            platform=platform,
            action=PlatformAction.PREPARE,
            user=bureau_user,
            effective_on=dt.date(2024, 1, 1),
        )
    assert "当前状态为“撤销”" in caught.value.message_dict["action"][0]
    platform.refresh_from_db()
    assert platform.state == PlatformState.REVOKED
    assert not platform.events.exists()


def test_revoke_needs_a_reason_and_upgrade_records_the_level(bureau_user, county_a):
    platform = PlatformFactory(region=county_a)
    with pytest.raises(ValidationError, match="须填写说明"):
        services.platform_transition(
            platform=platform,
            action=PlatformAction.REVOKE,
            user=bureau_user,
            effective_on=dt.date(2024, 1, 1),
        )
    services.platform_transition(
        platform=PlatformFactory(region=county_a, certificate_no="XZKL-2020-009"),
        action=PlatformAction.REVOKE,
        user=bureau_user,
        effective_on=dt.date(2024, 1, 1),
        level=Level.NATIONAL,  # ignored: only 认定 and 升级认定 set the level
        comment="连续两年绩效评价不合格",
    )
    assert Platform.objects.get(certificate_no="XZKL-2020-009").level == Level.CITY
    services.platform_transition(
        platform=platform,
        action=PlatformAction.UPGRADE,
        user=bureau_user,
        effective_on=dt.date(2024, 3, 1),
        level=Level.PROVINCE,
        certificate_no="SXKL-2024-003",
    )
    platform.refresh_from_db()
    assert (platform.level, platform.certificate_no) == (Level.PROVINCE, "SXKL-2024-003")
    event = platform.events.get()
    assert (event.data["from_level"], event.data["to_level"], event.action) == (
        Level.CITY,
        Level.PROVINCE,
        PlatformAction.UPGRADE,
    )
    # An upgrade is not a new recognition: it is the figure of its own.
    span = {"start": dt.date(2024, 1, 1), "end": dt.date(2024, 12, 31)}
    assert selectors.recognised_platforms_count(**span) == 0
    assert selectors.upgraded_platforms_by_type(**span) == [
        {"platform_type": "重点实验室", "level": "province", "level_label": "省级", "count": 1}
    ]
    assert selectors.upgraded_platforms_by_region(**span) == {county_a.pk: 1}


def test_update_keeps_state_and_scope(bureau_user, county_user, county_a, county_b):
    platform = PlatformFactory(region=county_a)
    fields = {"name": "新名称", "platform_type": platform.platform_type, "host": platform.host}
    with pytest.raises(TypeError):
        services.platform_update(platform=platform, user=bureau_user, state=PlatformState.REVOKED, **fields)
    with pytest.raises(ValidationError, match="本县区"):
        services.platform_update(platform=platform, user=county_user, region=county_b, **fields)
    services.platform_update(platform=platform, user=bureau_user, region=county_b, staff_count=30, **fields)
    platform.refresh_from_db()
    assert (platform.name, platform.region, platform.state) == ("新名称", county_b, PlatformState.RECOGNISED)


def test_evaluation_grades_and_revocation_rule(bureau_user, county_a):
    platform = PlatformFactory(region=county_a, recognised_on=dt.date(2020, 5, 1))
    first = services.evaluation_record(platform=platform, year=2022, score=Decimal("55"), user=bureau_user)
    assert (first.grade, first.revocation_proposed) == (Grade.FAIL, False)
    second = services.evaluation_record(platform=platform, year=2023, score=Decimal("59.5"), user=bureau_user)
    assert (second.grade, second.revocation_proposed) == (Grade.FAIL, True)
    assert list(selectors.revocation_proposals(user=bureau_user)) == [second]
    # Correcting the score lifts the proposal.
    second = services.evaluation_record(
        platform=platform, year=2023, score=Decimal("61"), user=bureau_user, instance=second
    )
    assert (second.grade, second.revocation_proposed) == (Grade.PASS, False)
    # Each evaluation and correction is a step on the platform's timeline, with what it decided.
    steps = list(platform.events.filter(action="evaluate").order_by("pk"))
    assert [step.label for step in steps] == ["绩效评价", "绩效评价", "修改绩效评价"]
    assert steps[1].data == {"year": 2023, "score": "59.5", "grade": "fail", "revocation_proposed": True}
    assert steps[2].data["grade"] == "pass" and steps[2].data["revocation_proposed"] is False
    assert {step.from_state for step in steps} == {step.to_state for step in steps} == {platform.state}
    with pytest.raises(ValidationError, match="本年度已有绩效评价"):
        services.evaluation_record(platform=platform, year=2023, score=Decimal("70"), user=bureau_user)
    with pytest.raises(ValidationError, match="早于平台认定年度"):
        services.evaluation_record(platform=platform, year=2019, score=Decimal("70"), user=bureau_user)
    # The rule is configurable: a single 不合格 proposes revocation when the policy says 1.
    policy = EvaluationPolicy.current()
    policy.fail_streak_for_revocation = 1
    services.evaluation_policy_save(instance=policy)
    third = services.evaluation_record(
        platform=platform, year=2024, score=Decimal("40"), user=bureau_user, evaluated_on=dt.date(2025, 3, 31)
    )
    assert third.revocation_proposed
    assert platform.events.order_by("-pk").first().effective_on == dt.date(2025, 3, 31)
    assert selectors.evaluation_grade_counts(user=CITY, year=2024) == {
        "优秀": 0,
        "良好": 0,
        "合格": 0,
        "不合格": 1,
    }


def test_an_evaluation_of_a_year_not_yet_begun_is_refused(bureau_user, county_a, client):
    """A 2028 evaluation entered in 2026 (issue 19): refused on 评价年度, naming both years, nothing saved;
    the form shows the refusal on the field."""
    from django.urls import reverse
    from django.utils import timezone

    from platforms.models import PlatformEvaluation

    today = timezone.localdate()
    platform = PlatformFactory(region=county_a, recognised_on=dt.date(2020, 5, 1))
    with pytest.raises(ValidationError) as info:
        services.evaluation_record(
            platform=platform, year=today.year + 2, score=Decimal("80"), user=bureau_user
        )
    assert info.value.message_dict["year"] == [
        f"评价年度（{today.year + 2}年）不能晚于当前年度（{today.year}年）：尚未到来的年度不能录入绩效评价。"
    ]
    # An evaluation dated before the year it evaluates began, or in the future, is refused too.
    with pytest.raises(ValidationError, match=f"不能早于评价年度（{today.year}年）的开始"):
        services.evaluation_record(
            platform=platform,
            year=today.year,
            score=Decimal("80"),
            user=bureau_user,
            evaluated_on=dt.date(today.year - 1, 12, 31),
        )
    with pytest.raises(ValidationError, match="不能晚于今天"):
        services.evaluation_record(
            platform=platform,
            year=today.year,
            score=Decimal("80"),
            user=bureau_user,
            evaluated_on=today + dt.timedelta(days=1),
        )
    assert not PlatformEvaluation.objects.filter(platform=platform).exists()
    assert not platform.events.filter(action="evaluate").exists()
    client.force_login(bureau_user)
    response = client.post(
        reverse("platforms:platformevaluation_add", kwargs={"pk": platform.pk}),
        {"year": today.year + 2, "score": "80", "comment": ""},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["year"][0].startswith(f"评价年度（{today.year + 2}年）不能晚于")
    services.evaluation_record(platform=platform, year=today.year, score=Decimal("80"), user=bureau_user)


def test_only_recognised_platforms_are_evaluated(bureau_user, county_a):
    platform = PlatformFactory(region=county_a, state=PlatformState.PREPARING, certificate_no="")
    with pytest.raises(ValidationError, match="只有已认定的平台"):
        services.evaluation_record(platform=platform, year=2024, score=Decimal("80"), user=bureau_user)


def test_policy_thresholds_must_be_ordered():
    policy = EvaluationPolicy.current()
    policy.good_min = Decimal("95")
    with pytest.raises(ValidationError, match="合格 ≤ 良好 ≤ 优秀"):
        services.evaluation_policy_save(instance=policy)


def test_seed_demo_produces_the_2023_review_figures(db):
    from kejiju.accounts.demo import seed_demo_accounts
    from platforms.demo import seed_demo_platforms

    seed_demo_accounts()
    seed_demo_platforms()
    seed_demo_platforms()  # idempotent
    counts = {
        (r["platform_type"], r["level"]): r["count"]
        for r in selectors.recognised_platforms_by_type(start=dt.date(2023, 1, 1), end=dt.date(2023, 12, 31))
    }
    assert counts == {
        ("重点实验室", "city"): 4,
        ("中试基地", "city"): 1,
        ("技术创新中心", "city"): 8,
        ("众创空间", "city"): 4,
        ("新型研发机构", "city"): 3,
        ("新型研发机构", "province"): 1,
        ("农业科技园区", "province"): 1,
    }
    preparing = {
        (r["platform_type"], r["level"]): r["count"]
        for r in selectors.platforms_preparing_counts(user=CITY, year=2023)
    }
    assert preparing[("技术创新中心", "province")] == 2
    provincial = Platform.objects.filter(
        level=Level.PROVINCE, state=PlatformState.PREPARING, platform_type__name="技术创新中心"
    )
    assert {p.host.name for p in provincial} == {"山西众立法兰有限公司", "山西雁门山酒业有限公司"}
    corn = Platform.objects.get(host__name="山西农业大学玉米研究所")
    assert (corn.level, corn.state, corn.recognised_on.year) == (
        Level.PROVINCE,
        PlatformState.RECOGNISED,
        2023,
    )
    park = Platform.objects.get(platform_type__name="农业科技园区", region__name="神池县")
    assert "绿色食品" in park.name and park.level == Level.PROVINCE
    station = Platform.objects.filter(platform_type__name="科创驿站").order_by("pk").first()
    assert station.name == "山西大学忻州创新生态研究院"
    assert RecognitionBatch.objects.filter(year=2023, state=BatchState.DONE).count() == 5
    assert Platform.objects.filter(certificate_no="").exclude(state=PlatformState.RECOGNISED).exists()


def test_an_application_entered_after_the_fact_keeps_its_dates(bureau_user, county_a):
    """申报, 形式审查 and a score entered later keep the days they happened on the application's timeline."""
    batch = BatchFactory()
    app = services.application_save(
        instance=PlatformApplication(
            batch=batch, platform_name="甲", applicant=OrganizationFactory(), region=county_a
        ),
        user=bureau_user,
        submitted_on=dt.date(2023, 9, 20),
    )
    RecognitionBatch.objects.filter(pk=batch.pk).update(state=BatchState.FORMAL)
    services.application_formal_review(
        application=app, passed=True, comment="", user=bureau_user, reviewed_on=dt.date(2023, 10, 8)
    )
    RecognitionBatch.objects.filter(pk=batch.pk).update(state=BatchState.REVIEW)
    services.application_record_score(
        application=app, score=Decimal("80"), note="", user=bureau_user, scored_on=dt.date(2023, 10, 25)
    )
    assert list(events_for(app).values_list("action", "effective_on")) == [
        ("submit", dt.date(2023, 9, 20)),
        ("accept", dt.date(2023, 10, 8)),
        ("score", dt.date(2023, 10, 25)),
    ]


# ------------------------------------------------------------------ 拟撤销 over the whole history (issue 19)


def _flags(platform):
    return dict(platform.evaluations.order_by("year").values_list("year", "revocation_proposed"))


def test_revocation_is_recomputed_over_the_whole_history(bureau_user, county_a):
    platform = PlatformFactory(region=county_a, recognised_on=dt.date(2020, 5, 1))

    def record(year, score, instance=None):
        return services.evaluation_record(
            platform=platform, year=year, score=Decimal(score), user=bureau_user, instance=instance
        )

    # Entered out of order: 2023 不合格 first, then 2022 不合格 — 2023 closes a streak of two.
    record(2023, "50")
    y2022 = record(2022, "55")
    assert _flags(platform) == {2022: False, 2023: True}
    # Correcting the earlier year breaks the streak: 2023 is unflagged.
    y2022 = record(2022, "75", instance=y2022)
    assert _flags(platform) == {2022: False, 2023: False}
    # Correcting it back flags 2023 again; 2024 不合格 extends the streak.
    record(2022, "40", instance=y2022)
    record(2024, "30")
    assert _flags(platform) == {2022: False, 2023: True, 2024: True}
    # A policy change recomputes every platform's flags.
    policy = EvaluationPolicy.current()
    policy.fail_streak_for_revocation = 3
    services.evaluation_policy_save(instance=policy)
    assert _flags(platform) == {2022: False, 2023: False, 2024: True}


def test_revocation_to_do_counts_platforms_not_evaluations(bureau_user, county_a):
    from platforms.todos import platform_todos

    streak = PlatformFactory(region=county_a, recognised_on=dt.date(2020, 5, 1))
    other = PlatformFactory(region=county_a, recognised_on=dt.date(2020, 5, 1))
    for year in (2022, 2023, 2024):
        services.evaluation_record(platform=streak, year=year, score=Decimal("40"), user=bureau_user)
    for year in (2023, 2024):
        services.evaluation_record(platform=other, year=year, score=Decimal("40"), user=bureau_user)
    assert selectors.revocation_proposals(user=bureau_user).count() == 3  # evaluation rows
    assert selectors.revocation_proposal_count(user=bureau_user) == 2
    (item,) = [i for i in platform_todos(bureau_user) if "拟撤销" in i.title]
    assert item.count == 2


@pytest.mark.parametrize("title", ["2023年度忻州市重点实验室认定", "2023年度第二批"])
def test_the_recognition_names_its_batch_without_saying_recognition_twice(bureau_user, county_a, title):
    batch = BatchFactory(title=title)
    platform = PlatformFactory(
        region=county_a, state=PlatformState.PREPARING, certificate_no="", recognised_on=None
    )
    _apply(batch, bureau_user, county_a, "一号", platform=platform)
    app = PlatformApplication.objects.get(platform=platform)
    PlatformApplication.objects.filter(pk=app.pk).update(state=ApplicationState.PROPOSED)
    type(batch).objects.filter(pk=batch.pk).update(state=BatchState.PUBLICITY)
    services.application_recognise(application=app, user=bureau_user, on_date=dt.date(2023, 12, 1))
    from kejiju.core.workflow.selectors import events_for

    comments = [event.comment for record in (platform, app) for event in events_for(record)]
    assert f"{title.removesuffix('认定')}认定" in comments
    assert not [comment for comment in comments if "认定认定" in comment]
