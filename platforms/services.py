"""Every write of the platforms app. Keyword-only, atomic, `full_clean()` first; bad input raises
ValidationError with a Chinese message naming the field."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from kejiju.core import parameters, uploads
from kejiju.core import services as core_services
from kejiju.core.dates import require_date_order
from kejiju.core.models import AuditEvent, Organization
from kejiju.core.scoping import unit_id_of_user, user_may_see_region
from kejiju.core.services import audit_event_record
from kejiju.core.workdays import CalendarNotCoveredError, period_end_date
from kejiju.core.workflow.declarations import TransitionRefused
from kejiju.core.workflow.selectors import events_for
from kejiju.core.workflow.services import apply_transition, record_created, record_step

from . import rules
from .models import (
    EvaluationPolicy,
    OutreachEvent,
    OutreachPhoto,
    Platform,
    PlatformApplication,
    PlatformEvaluation,
    PlatformType,
    RecognitionBatch,
)
from .review import panel_score, panels_by_application
from .rules import ApplicationAction, ApplicationState, BatchState, PlatformAction, PlatformState

PUBLICITY_WORKING_DAYS = 10


def _record(*, user, object_repr: str, detail: str) -> None:
    audit_event_record(
        event_type=AuditEvent.Type.TRANSITION, user=user, object_repr=object_repr, detail=detail
    )


# ---------------------------------------------------------------------------------------------- units


def organization_for_name(*, name: str, kind: str, region=None) -> Organization:
    """The host or applicant unit of that name, created through the 单位库's service when it is new."""
    return core_services.organization_for_name(name=name, kind=kind, region=region, field="host_name")


# ------------------------------------------------------------------------------------------ platform types


@transaction.atomic
def platform_type_save(*, instance: PlatformType) -> PlatformType:
    instance.full_clean()
    instance.save()
    return instance


# ---------------------------------------------------------------------------------------------- platforms


@transaction.atomic
def platform_create(
    *,
    name: str,
    platform_type: PlatformType,
    level: str,
    state: str,
    host: Organization,
    region,
    user,
    field: str = "",
    certificate_no: str = "",
    recognised_on: dt.date | None = None,
    staff_count: int | None = None,
    notes: str = "",
    effective_on: dt.date | None = None,
) -> Platform:
    """Register a platform in the registry (also an existing one recognised before the portal)."""
    if not user_may_see_region(user, region.pk if region else None):
        raise ValidationError({"region": "只能登记本县区的平台。"})
    if state == PlatformState.RECOGNISED and recognised_on is None:
        raise ValidationError({"recognised_on": "已认定的平台须填写认定日期。"})
    require_date_order(rules.PLATFORM_DATES["register_recognised"], date=recognised_on)
    require_date_order(rules.PLATFORM_DATES["register"], date=effective_on)
    platform = Platform(
        name=name.strip(),
        platform_type=platform_type,
        level=level,
        state=state,
        host=host,
        region=region,
        field=field,
        certificate_no=certificate_no.strip(),
        recognised_on=recognised_on,
        staff_count=staff_count,
        notes=notes,
    )
    platform.full_clean()
    platform.save()
    record_created(
        record=platform,
        actor=user,
        effective_on=effective_on or recognised_on or timezone.localdate(),
        comment="登记入库",
        data={"to_level": level},
    )
    return platform


@transaction.atomic
def platform_update(
    *,
    platform: Platform,
    user,
    name: str,
    platform_type: PlatformType,
    host: Organization,
    region,
    field: str = "",
    staff_count: int | None = None,
    notes: str = "",
) -> Platform:
    """Edit the descriptive fields. State, level, certificate number and recognition date change only
    through `platform_transition` (with its checks and its timeline)."""
    if not user_may_see_region(user, region.pk if region else None):
        raise ValidationError({"region": "只能修改本县区的平台。"})
    platform.name = name.strip()
    platform.platform_type = platform_type
    platform.host = host
    platform.region = region
    platform.field = field
    platform.staff_count = staff_count
    platform.notes = notes
    platform.full_clean()
    platform.save()
    return platform


def platform_transition(
    *,
    platform: Platform,
    action: str,
    user,
    effective_on: dt.date,
    comment: str = "",
    level: str | None = None,
    certificate_no: str = "",
    application: PlatformApplication | None = None,
) -> Platform:
    """Apply one action of the platform workflow (platforms.workflow) through the core engine; a refused
    action raises TransitionRefused (a ValidationError) with the reason. 认定 and 升级认定 take the level
    and the certificate number; a recognition from a batch keeps its application on the event."""
    data: dict = {}
    if action in (PlatformAction.RECOGNISE, PlatformAction.UPGRADE):
        data = {"level": level or platform.level, "certificate_no": certificate_no.strip()}
    if application is not None:
        data.update(application=application.pk, batch=application.batch.title)
    apply_transition(
        record=platform, action=action, actor=user, effective_on=effective_on, comment=comment, data=data
    )
    return platform


# ------------------------------------------------------------------------------------------------ batches


@transaction.atomic
def batch_save(
    *,
    instance: RecognitionBatch,
    review_fields: Iterable | None = None,
    user=None,
    effective_on: dt.date | None = None,
) -> RecognitionBatch:
    """Publish a batch (its first event, 发布批次, on `effective_on`, default today) or edit one; its
    progress changes only through its workflow (`batch_advance`). ``review_fields`` (the expert library's
    fields) replace the batch's when given."""
    created = instance.pk is None
    if not created:
        stored = RecognitionBatch.objects.get(pk=instance.pk)
        if stored.state != instance.state:
            raise ValidationError({"state": "批次进度只能通过“推进”操作改变。"})
        if stored.state != BatchState.OPEN and (
            stored.platform_type_id != instance.platform_type_id or stored.level != instance.level
        ):
            raise ValidationError({"platform_type": "批次已开始审查，不能再改平台类型或级别。"})
    instance.full_clean()
    instance.save()
    if review_fields is not None:
        instance.review_fields.set(list(review_fields))
    if created:
        record_created(record=instance, actor=user, effective_on=effective_on)
    return instance


def batch_advance(*, batch: RecognitionBatch, user, on_date: dt.date | None = None) -> RecognitionBatch:
    """Take the batch's next step (platforms.workflow: 截止申报 → 进入专家评审 → 排名并公示 → 认定) on
    `on_date` (default today) through the workflow engine; refused: TransitionRefused with the reason."""
    batch.refresh_from_db(fields=["state"])
    action = rules.BATCH_NEXT_ACTION.get(BatchState(batch.state))
    if action is None:
        raise TransitionRefused("该批次已完成认定，不能再推进。", field="action")
    apply_transition(record=batch, action=action, actor=user, effective_on=on_date or timezone.localdate())
    return batch


def batch_publicise(*, batch: RecognitionBatch, user, on_date: dt.date) -> dict:
    """The effect of 排名并公示: take the panels' results, rank the accepted applications, propose those that
    pass (the others 未入选) and open a 公示 of 10 working days from `on_date`."""
    try:
        batch.publicity_end = period_end_date(on_date, PUBLICITY_WORKING_DAYS)
    except CalendarNotCoveredError as error:
        raise TransitionRefused(str(error), field="effective_on") from error
    batch_take_panel_results(batch=batch, user=user)
    accepted = list(batch.applications.filter(state=ApplicationState.ACCEPTED))
    ranked = rules.rank_applications(
        [(app.pk, app.review_score) for app in accepted], pass_score=batch.pass_score, quota=batch.quota
    )
    by_pk = {app.pk: app for app in accepted}
    for item in ranked:
        action = ApplicationAction.PROPOSE if item.proposed else ApplicationAction.NOT_PROPOSE
        apply_transition(
            record=by_pk[item.key], action=action, actor=user, effective_on=on_date, data={"rank": item.rank}
        )
    # How many were proposed is not kept on the batch's event: the applications' own events say it, each
    # in its county's scope (a county reading the batch's timeline sees no city-wide count).
    return {"publicity_end": batch.publicity_end}


def batch_recognise(*, batch: RecognitionBatch, user, on_date: dt.date) -> dict:
    """The effect of 认定: after the 公示 has ended, recognise every proposed application."""
    if batch.publicity_end and on_date <= batch.publicity_end:
        raise TransitionRefused(
            f"公示期至 {batch.publicity_end:%Y-%m-%d} 结束，公示期满后才能认定。", field="effective_on"
        )
    proposed = (
        batch.applications.filter(state=ApplicationState.PROPOSED)
        .select_related("applicant", "region", "platform")
        .order_by("rank", "pk")
    )
    for app in proposed:
        application_recognise(application=app, user=user, on_date=on_date)
    return {}


def batch_take_panel_results(*, batch: RecognitionBatch, user=None) -> int:
    """Copy each closed review panel's result (on 100 points) into its application's review score, the
    frozen figure that ranks the batch and goes into its result list. Returns how many were taken."""
    accepted = list(batch.applications.filter(state=ApplicationState.ACCEPTED))
    panels = panels_by_application([app.pk for app in accepted])
    taken = 0
    for app in accepted:
        reviewed = panels.get(app.pk)
        score = panel_score(reviewed)
        if score is None:
            continue
        panel = reviewed.panel
        app.review_score = score
        extremes = "，去掉最高分和最低分" if panel.drop_extremes else ""
        app.review_note = f"专家评审组“{panel.title}”结果（{panel.size} 位专家{extremes}）"[:200]
        app.full_clean()
        app.save(update_fields=["review_score", "review_note"])
        record_step(
            record=app, action="panel_result", actor=user, data={"score": score, "note": app.review_note}
        )
        taken += 1
    return taken


def next_certificate_number(*, platform_type: PlatformType, year: int) -> str:
    prefix = f"{platform_type.code}-{year}-"
    used = Platform.objects.filter(certificate_no__startswith=prefix).values_list("certificate_no", flat=True)
    serials = [int(number.rsplit("-", 1)[-1]) for number in used if number.rsplit("-", 1)[-1].isdigit()]
    return rules.certificate_number(prefix=platform_type.code, year=year, serial=max(serials, default=0) + 1)


def recognition_comment(batch_title: str) -> str:
    """The step's comment naming the batch: its title says 认定 already (“2023年度忻州市重点实验室认定”)."""
    return batch_title if batch_title.endswith("认定") else f"{batch_title}认定"


def application_recognise(*, application: PlatformApplication, user, on_date: dt.date) -> Platform:
    """认定 one proposed application (its workflow's `recognise`): creates the platform (or recognises or
    upgrades the registered one) with the next certificate number."""
    apply_transition(
        record=application,
        action=ApplicationAction.RECOGNISE,
        actor=user,
        effective_on=on_date,
        comment=recognition_comment(application.batch.title),
    )
    return application.platform


def platform_for_application(
    *, application: PlatformApplication, user, on_date: dt.date, comment: str = ""
) -> tuple[Platform, str]:
    """The effect of an application's 认定: the platform created, recognised or upgraded at the batch's
    level, and its certificate number. A platform is recognised at most once in a batch."""
    batch = application.batch
    platform = application.platform
    if (
        platform is not None
        and platform.events.filter(
            action__in=[PlatformAction.RECOGNISE, PlatformAction.UPGRADE],
            data__application__in=list(batch.applications.values_list("pk", flat=True)),
        ).exists()
    ):
        raise TransitionRefused("该平台已在本批次中认定，不能重复认定。", field="action")
    if platform is not None and platform.platform_type_id != batch.platform_type_id:
        raise TransitionRefused("平台类型与批次类型不一致。", field="action")
    number = next_certificate_number(platform_type=batch.platform_type, year=batch.year)
    if platform is None:
        platform = platform_create(
            name=application.platform_name,
            platform_type=batch.platform_type,
            level=batch.level,
            state=PlatformState.CULTIVATING,
            host=application.applicant,
            region=application.region,
            field=application.field,
            staff_count=application.staff_count,
            user=user,
            effective_on=on_date,
        )
    action = (
        PlatformAction.UPGRADE if platform.state == PlatformState.RECOGNISED else PlatformAction.RECOGNISE
    )
    platform = platform_transition(
        platform=platform,
        action=action,
        user=user,
        effective_on=on_date,
        comment=comment,
        level=batch.level,
        certificate_no=number,
        application=application,
    )
    return platform, number


# ------------------------------------------------------------------------------------------- applications


def application_change_refusal(*, application: PlatformApplication, user) -> dict[str, str] | None:
    """Why `user` may not edit or withdraw the stored `application` now, as {field: message} (None: it may).
    Every account only while its batch takes applications; a unit account only its own unit's application,
    and only while it awaits 形式审查 (申报 state)."""
    batch = application.batch
    if batch.state != BatchState.OPEN:
        progress = batch.get_state_display()
        return {"batch": f"批次“{batch}”已截止申报（当前进度：{progress}），申报不能再修改。"}
    unit = unit_id_of_user(user)
    if unit is None:
        return None
    if application.applicant_id != unit:
        return {"applicant": "只能修改本单位的申报，不能修改其他单位的申报。"}
    if application.state != ApplicationState.SUBMITTED:
        return {"state": f"申报当前状态为“{application.get_state_display()}”，已进入审查，不能再修改或撤回。"}
    return None


def _require_unit_filer(*, instance: PlatformApplication, user, unit: int) -> None:
    """A unit account files for its own unit only: the applicant is its unit, the region the unit's, a
    registered platform one the unit hosts. The 项目负责人 does not file platform applications."""
    if not user.has_perm("platforms.add_platformapplication"):
        raise PermissionDenied("只有申报单位管理员可以申报平台认定。")
    organization = Organization.objects.get(pk=unit)
    if instance.applicant_id != unit:
        raise ValidationError({"applicant": f"申报单位须为本单位“{organization}”，不能为其他单位申报。"})
    if organization.region_id is None:
        raise ValidationError(
            {"region": f"本单位“{organization}”未登记所在县区，请先联系科技局补充后再申报。"}
        )
    if instance.region_id != organization.region_id:
        raise ValidationError({"region": f"所在县区须为本单位所在的“{organization.region}”。"})
    if instance.platform_id and instance.platform.host_id != unit:
        raise ValidationError({"platform": "只能选择本单位依托的平台；新平台请留空。"})


@transaction.atomic
def application_save(
    *, instance: PlatformApplication, user, submitted_on: dt.date | None = None
) -> PlatformApplication:
    """Enter or edit an application while its batch takes applications. A county enters them for its own
    county only; a unit's administrator files its own unit's (in the unit's region, with a platform the
    unit hosts or a new one) and edits it only while it awaits 形式审查. Its 申报 takes effect `submitted_on`
    (default today: an application entered after the fact keeps the day it was handed in)."""
    batch = RecognitionBatch.objects.get(pk=instance.batch_id)
    if batch.state != BatchState.OPEN:
        raise ValidationError(
            {"batch": f"批次“{batch}”已截止申报（当前进度：{batch.get_state_display()}）。"}
        )
    if instance.pk:
        stored = PlatformApplication.objects.select_for_update().select_related("batch").get(pk=instance.pk)
        refusal = application_change_refusal(application=stored, user=user)
        if refusal:
            raise ValidationError(refusal)
    unit = unit_id_of_user(user)
    if unit is not None:
        _require_unit_filer(instance=instance, user=user, unit=unit)
    elif not user_may_see_region(user, instance.region_id):
        raise ValidationError({"region": "只能为本县区的单位申报。"})
    if instance.platform_id:
        platform = instance.platform
        if platform.platform_type_id != batch.platform_type_id:
            raise ValidationError({"platform": f"所选平台不是“{batch.platform_type}”，与批次类型不一致。"})
        if platform.state == PlatformState.REVOKED:
            raise ValidationError({"platform": "已撤销的平台不能申报认定。"})
        if (
            platform.state == PlatformState.RECOGNISED
            and rules.LEVEL_RANK[rules.Level(batch.level)] <= rules.LEVEL_RANK[rules.Level(platform.level)]
        ):
            raise ValidationError({"platform": "该平台已按此级别或更高级别认定，不能重复认定。"})
    created = not instance.pk
    if created:
        instance.submitted_by = user
        instance.state = ApplicationState.SUBMITTED
    instance.full_clean()
    instance.save()
    if created:
        record_created(record=instance, actor=user, effective_on=submitted_on)
    return instance


@transaction.atomic
def application_delete(*, application: PlatformApplication, user) -> None:
    """Withdraw an application while its batch takes applications (a unit account: its own, awaiting
    形式审查)."""
    stored = PlatformApplication.objects.select_for_update().select_related("batch").get(pk=application.pk)
    if stored.batch.state != BatchState.OPEN:
        raise ValidationError({"batch": "批次已截止申报，申报记录不能删除。"})
    refusal = application_change_refusal(application=stored, user=user)
    if refusal:
        raise ValidationError(refusal)
    _record(user=user, object_repr=str(stored), detail="删除认定申报")
    events_for(stored).delete()
    stored.delete()


def application_formal_review(
    *,
    application: PlatformApplication,
    passed: bool,
    comment: str,
    user,
    reviewed_on: dt.date | None = None,
) -> PlatformApplication:
    """形式审查 (the application workflow's 通过 / 不通过; 不通过 needs the reviewer's comment), effective
    `reviewed_on` (default today)."""
    apply_transition(
        record=application,
        action=ApplicationAction.ACCEPT if passed else ApplicationAction.REJECT,
        actor=user,
        effective_on=reviewed_on,
        comment=comment.strip(),
    )
    return application


@transaction.atomic
def application_record_score(
    *, application: PlatformApplication, score: Decimal, note: str, user, scored_on: dt.date | None = None
) -> PlatformApplication:
    """The score of a review held outside the portal, from its signed score sheet (an application with an
    expert review panel takes the panel's result instead: see `batch_take_panel_results`)."""
    application = (
        PlatformApplication.objects.select_related("batch")
        .select_for_update(of=("self",))
        .get(pk=application.pk)
    )
    if application.batch.state != BatchState.REVIEW:
        raise ValidationError(
            {"batch": f"批次当前进度为“{application.batch.get_state_display()}”，不能进行评审打分。"}
        )
    if application.state != ApplicationState.ACCEPTED:
        raise ValidationError({"review_score": "只有通过形式审查的申报才能评审打分。"})
    if panels_by_application([application.pk]):
        raise ValidationError({"review_score": "该申报已由专家评审组评审，得分以评审组结果为准。"})
    if score is None:
        raise ValidationError({"review_score": "请填写评审得分。"})
    application.review_score = score
    application.review_note = note.strip()
    application.full_clean()
    application.save()
    record_step(
        record=application,
        action="score",
        actor=user,
        effective_on=scored_on,
        data={"score": score, "note": note.strip()},
    )
    return application


def application_record_objection(
    *, application: PlatformApplication, objection: str, user
) -> PlatformApplication:
    """An objection during 公示 that is upheld (the workflow's 公示异议成立): not recognised."""
    apply_transition(
        record=application, action=ApplicationAction.OBJECT, actor=user, comment=objection.strip()
    )
    return application


# -------------------------------------------------------------------------------------------- evaluations


@transaction.atomic
def evaluation_policy_save(*, instance: EvaluationPolicy) -> EvaluationPolicy:
    refusal = instance.thresholds.refusal()
    if refusal:
        raise ValidationError({"good_min": refusal})
    instance.full_clean()
    instance.save()
    # The streak length is part of the rule: every platform's flags follow the policy now in force.
    for platform in Platform.objects.filter(evaluations__isnull=False).distinct().order_by("pk"):
        _revocation_flags_refresh(platform=platform, fail_streak=instance.fail_streak_for_revocation)
    return instance


def _revocation_flags_refresh(*, platform: Platform, fail_streak: int) -> None:
    """Recompute 拟撤销 on every evaluation of `platform` from its whole history of grades."""
    Platform.objects.select_for_update().filter(pk=platform.pk).exists()  # one writer per platform
    rows = list(PlatformEvaluation.objects.select_for_update().filter(platform=platform))
    flags = rules.revocation_flags({row.year: row.grade for row in rows}, fail_streak=fail_streak)
    changed = [row for row in rows if row.revocation_proposed != flags[row.year]]
    for row in changed:
        row.revocation_proposed = flags[row.year]
    PlatformEvaluation.objects.bulk_update(changed, ["revocation_proposed"])


@transaction.atomic
def evaluation_record(
    *,
    platform: Platform,
    year: int,
    score: Decimal,
    comment: str = "",
    user,
    instance: PlatformEvaluation | None = None,
    evaluated_on: dt.date | None = None,
) -> PlatformEvaluation:
    """Record (or correct) a recognised platform's yearly evaluation (a 绩效评价 step on its timeline,
    effective `evaluated_on`, default today; its date rule is rules.EVALUATION_DATES, and a year after the
    current one is refused). The grade follows from the score and the policy's thresholds; a run of
    不合格 as long as the policy says marks the platform for revocation
    (staff then decide with the 撤销 action)."""
    if platform.state != PlatformState.RECOGNISED and instance is None:
        raise ValidationError({"platform": "只有已认定的平台参加绩效评价。"})
    if platform.recognised_on and year < platform.recognised_on.year:
        raise ValidationError({"year": f"评价年度早于平台认定年度（{platform.recognised_on.year}年）。"})
    today = timezone.localdate()
    problem = rules.evaluation_year_problem(year=year, today=today)
    if problem:
        raise ValidationError({"year": problem})
    if score is None:
        raise ValidationError({"score": "请填写得分。"})
    evaluated_on = evaluated_on or today
    require_date_order(
        rules.EVALUATION_DATES["evaluate"],
        date=evaluated_on,
        record=platform,
        extra={"year_start": (f"评价年度（{year}年）的开始", dt.date(year, 1, 1))},
        today=today,
    )
    policy = EvaluationPolicy.current()
    evaluation = instance or PlatformEvaluation(platform=platform, evaluated_by=user)
    evaluation.year = year
    evaluation.score = score
    evaluation.comment = comment
    evaluation.grade = rules.grade_for(score, policy.thresholds)
    evaluation.full_clean()
    evaluation.save()
    _revocation_flags_refresh(platform=platform, fail_streak=policy.fail_streak_for_revocation)
    evaluation.refresh_from_db(fields=["revocation_proposed"])
    record_step(
        record=platform,
        action="evaluate",
        actor=user,
        effective_on=evaluated_on,
        label="修改绩效评价" if instance is not None else None,
        comment=comment,
        data={
            "year": year,
            "score": score,
            "grade": evaluation.grade,
            "revocation_proposed": evaluation.revocation_proposed,
        },
    )
    return evaluation


# --------------------------------------------------------------------------------- science popularisation


def _require_region(user, region_id: int | None, what: str) -> None:
    if not user_may_see_region(user, region_id):
        raise ValidationError({"region": f"只能{what}本县区的科普活动，不能{what}其他县区的活动。"})


@transaction.atomic
def outreach_event_save(*, instance: OutreachEvent, user, today: dt.date | None = None) -> OutreachEvent:
    """Record or edit a popularisation event. A county records (and edits) its own county's events only;
    an event dated after today cannot be marked as held."""
    _require_region(user, instance.region_id, "登记")
    if instance.pk:
        stored = OutreachEvent.objects.get(pk=instance.pk)
        _require_region(user, stored.region_id, "修改")
    if instance.platform_id and instance.platform.region_id != instance.region_id:
        raise ValidationError({"platform": f"举办平台“{instance.platform}”不在所选县区。"})
    problems = rules.outreach_event_problems(
        state=instance.state,
        held_on=instance.held_on,
        today=today or timezone.localdate(),
        audience=instance.audience,
        has_platform=bool(instance.platform_id),
        organiser_name=instance.organiser_name,
    )
    if problems:
        raise ValidationError(problems)
    if instance.platform_id:
        instance.organiser_name = ""
    if not instance.pk:
        instance.recorded_by = user
    instance.full_clean()
    instance.save()
    return instance


@transaction.atomic
def outreach_event_delete(*, event: OutreachEvent, user) -> None:
    _require_region(user, event.region_id, "删除")
    for photo in event.photos.all():
        uploads.delete_on_commit(photo.file)
    _record(user=user, object_repr=str(event), detail="删除科普活动")
    event.delete()


def outreach_photo_max_bytes() -> int:
    return parameters.value("outreach_photo_max_bytes")


@uploads.atomic()
def outreach_photo_add(*, event: OutreachEvent, user, upload, caption: str = "") -> OutreachPhoto:
    """Store a photo (PNG or JPEG, checked by its first bytes and size) under a generated name."""
    _require_region(user, event.region_id, "上传")
    original = uploads.display_name(uploads.upload_original_name(upload))
    problem = uploads.upload_problem(
        filename=original,
        head=uploads.upload_head(upload),
        size=upload.size or 0,
        max_bytes=outreach_photo_max_bytes(),
        allowed=uploads.IMAGE_EXTENSIONS,
        upload=upload,
    )
    if problem:
        raise ValidationError({"file": problem})
    extension = uploads.upload_extension(original)
    photo = OutreachPhoto(
        event=event,
        caption=caption.strip(),
        original_name=original,
        size=upload.size,
        content_type=uploads.CONTENT_TYPES[extension],
        uploaded_by=user,
    )
    uploads.store(photo.file, upload)
    photo.full_clean()
    photo.save()
    return photo


@transaction.atomic
def outreach_photo_delete(*, photo: OutreachPhoto, user) -> None:
    _require_region(user, photo.event.region_id, "删除")
    uploads.delete_on_commit(photo.file)
    photo.delete()
