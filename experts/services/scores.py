"""Scores of a review panel: one sheet (an expert's scores of one subject, 评审意见, 履职评价) or the
whole 会评 grid at once, checked against the panel's criteria before anything is written."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from kejiju.core.workflow.services import apply_transition, record_step

from .. import rules
from ..models import (
    ReviewMember,
    ReviewPanel,
    ReviewScore,
    ReviewSheet,
    ReviewSubject,
)
from .panels import edge_for, locked_panel, require_step


def _scorer_problem(member: ReviewMember) -> str | None:
    """Only a confirmed regular member (a scorer) has scores entered."""
    if not member.is_seated or member.status != ReviewMember.Status.CONFIRMED:
        return f"专家“{member.expert}”不是已确认的正式评审专家，不能录入评分。"
    return None


def _read_scores(
    criteria: list[rules.Criterion], scores: Mapping[str, object]
) -> tuple[dict[str, Decimal], list[tuple[str | None, str]]]:
    """One member's typed cells: (the values by criterion key, the problems as (criterion key or None for
    the row, message)). Nothing is written."""
    problems: list[tuple[str | None, str]] = []
    unknown = sorted(set(scores) - {c.key for c in criteria})
    if unknown:
        problems.append((None, f"评分指标“{'、'.join(unknown)}”不属于本评审组。"))
    values: dict[str, Decimal] = {}
    for criterion in criteria:
        try:
            values[criterion.key] = rules.score_value(criterion, scores.get(criterion.key))
        except ValueError as error:
            problems.append((criterion.key, str(error)))
    return values, problems


def _performance_problem(performance: str) -> str | None:
    if performance and performance not in ReviewMember.Performance.values:
        return "履职评价：请选择优秀、良好、一般或差。"
    return None


def _subject_of(panel: ReviewPanel, subject: ReviewSubject | None) -> ReviewSubject:
    """``subject`` checked to be the panel's, or the panel's only subject when none is named."""
    if subject is None:
        subjects = list(panel.subjects.all()[:2])
        if len(subjects) != 1:
            raise ValidationError("评审对象：请选择要评分的评审对象。")
        return subjects[0]
    if subject.panel_id != panel.pk:
        raise ValidationError("评审对象不属于本评审组。")
    return subject


def _sheet_for(member: ReviewMember, subject: ReviewSubject) -> ReviewSheet:
    sheet, _ = ReviewSheet.objects.get_or_create(member=member, subject=subject)
    return sheet


def _save_sheet(
    *,
    panel: ReviewPanel,
    sheet: ReviewSheet,
    criteria: list[rules.Criterion],
    values: Mapping[str, Decimal],
    comment: str,
    user,
    several: bool,
) -> list[ReviewScore]:
    """Write one member's checked scores of one subject and record the step: the first entry of a
    confirmed panel takes the "score" transition (评分中), any later one is a step on the timeline
    (naming the subject when the panel has `several`)."""
    saved = []
    for criterion in criteria:
        score, _ = ReviewScore.objects.update_or_create(
            sheet=sheet, criterion=criterion.key, defaults={"score": values[criterion.key]}
        )
        score.full_clean()
        saved.append(score)
    sheet.comment = comment
    sheet.save(update_fields=["comment", "updated_at"])
    total = rules.member_total(criteria, {s.criterion: s.score for s in saved})
    note = f"{sheet.member.expert}{f' · {sheet.subject}' if several else ''}：合计 {total}"
    if panel.state == ReviewPanel.State.CONFIRMED:  # the first score entry opens the scoring
        apply_transition(record=panel, action=edge_for("score", user), actor=user, comment=note)
    else:
        record_step(record=panel, action="score", actor=user, comment=note)
    return saved


def _set_performance(member: ReviewMember, performance: str) -> None:
    if performance != member.performance:
        member.performance = performance
        member.save(update_fields=["performance", "updated_at"])


@transaction.atomic
def review_scores_enter(
    *,
    member: ReviewMember,
    scores: Mapping[str, Decimal | str | int | float],
    subject: ReviewSubject | None = None,
    comment: str = "",
    performance: str = "",
    user,
) -> list[ReviewScore]:
    """Enter (or correct) one expert's scores on every criterion of the panel for one ``subject`` (the
    panel's only one when not named); ``performance`` is the member's 履职评价 on the panel."""
    panel = locked_panel(member.panel)
    require_step("score", panel)
    member = ReviewMember.objects.select_related("expert").get(pk=member.pk)
    subject = _subject_of(panel, subject)
    problem = _scorer_problem(member)
    if problem:
        raise ValidationError(problem)
    sheet = _sheet_for(member, subject)
    if sheet.recused:
        raise ValidationError(f"专家“{member.expert}”已对“{subject}”申明回避，不能评分。")
    criteria = rules.parse_criteria(panel.criteria)
    values, problems = _read_scores(criteria, scores)
    if problems:
        raise ValidationError(problems[0][1])
    problem = _performance_problem(performance)
    if problem:
        raise ValidationError(problem)
    _set_performance(member, performance)
    several = panel.subjects.count() > 1
    return _save_sheet(
        panel=panel,
        sheet=sheet,
        criteria=criteria,
        values=values,
        comment=comment,
        user=user,
        several=several,
    )


Cells = Mapping[str, Decimal | str | int | float | None]


@transaction.atomic
def review_scores_enter_all(
    *,
    panel: ReviewPanel,
    scores: Mapping[int, Mapping[int, Cells]],
    user,
    comments: Mapping[tuple[int, int], str] | None = None,
    performances: Mapping[int, str] | None = None,
) -> dict[tuple[int, int], list[ReviewScore]]:
    """会评: enter the scores of several members for several subjects of the panel at once (the grid
    page, the score-sheet upload), by member id → subject id → criterion key → score; sheets left out keep
    what they have. Every cell is read by the per-sheet rules first and every problem is reported, each
    named by its expert, subject (when the panel has several) and criterion (``专家张三 · “技术创新性”的得分
    应在 0–30 之间…``, with ``params`` member_id / subject_id / criterion for the page to mark the cell);
    only when all are right is anything written, in this one transaction, in seat and subject order, with
    the step the per-sheet entry records (the first one opening the scoring); a sheet whose scores and
    评审意见 are unchanged is not written again. ``comments`` (by (member id, subject id)) replace a sheet's
    评审意见 and ``performances`` (by member id) a member's 履职评价 when given; both are kept otherwise."""
    panel = locked_panel(panel)
    require_step("score", panel)
    criteria = rules.parse_criteria(panel.criteria)
    seats = panel.members.select_related("expert").order_by("position")
    members = {member.pk: member for member in seats}
    subjects = {subject.pk: subject for subject in panel.subjects.all()}
    several = len(subjects) > 1
    sheets = {
        (sheet.member_id, sheet.subject_id): sheet
        for sheet in ReviewSheet.objects.filter(member__panel=panel).prefetch_related("scores")
    }
    comments = comments or {}
    performances = performances or {}
    errors: list[ValidationError] = []
    checked: dict[tuple[int, int], dict[str, Decimal]] = {}

    def fail(message: str, member_id, criterion: str | None = None, subject_id=None) -> None:
        errors.append(
            ValidationError(
                message,
                code="score",
                params={"member_id": member_id, "subject_id": subject_id, "criterion": criterion},
            )
        )

    for member_id, by_subject in scores.items():
        member = members.get(member_id)
        if member is None:
            fail(f"成员编号 {member_id} 不是本评审组的评审专家。", member_id)
            continue
        problem = _scorer_problem(member)
        if problem:
            fail(problem, member_id)
            continue
        problem = _performance_problem(performances.get(member_id, member.performance))
        if problem:
            fail(f"专家{member.expert} · {problem}", member_id, "performance")
        for subject_id, cells in by_subject.items():
            subject = subjects.get(subject_id)
            if subject is None:
                fail(f"评审对象编号 {subject_id} 不属于本评审组。", member_id, subject_id=subject_id)
                continue
            named = f"专家{member.expert}" + (f" · {subject}" if several else "")
            sheet = sheets.get((member_id, subject_id))
            if sheet is not None and sheet.recused:
                fail(f"{named}：已申明回避，不能评分。", member_id, subject_id=subject_id)
                continue
            values, problems = _read_scores(criteria, cells)
            for key, message in problems:
                fail(f"{named} · {message}", member_id, key, subject_id)
            if not problems:
                checked[(member_id, subject_id)] = values
    if not scores:
        fail("没有填写任何专家的评分。", None)
    if errors:
        raise ValidationError(errors)
    for member_id, performance in performances.items():
        if member_id in members and member_id in scores:
            _set_performance(members[member_id], performance)
    saved = {}
    for key in sorted(checked, key=lambda k: (members[k[0]].position, subjects[k[1]].position)):
        member_id, subject_id = key
        sheet = sheets.get(key)
        before = {score.criterion: score.score for score in sheet.scores.all()} if sheet else {}
        comment = comments.get(key, sheet.comment if sheet else "")
        if sheet is not None and (before, comment) == (checked[key], sheet.comment):
            continue  # unchanged: nothing written, no step on the timeline
        if sheet is None:
            sheet = ReviewSheet.objects.create(member=members[member_id], subject=subjects[subject_id])
        sheet.member = members[member_id]
        sheet.subject = subjects[subject_id]
        saved[key] = _save_sheet(
            panel=panel,
            sheet=sheet,
            criteria=criteria,
            values=checked[key],
            comment=comment,
            user=user,
            several=several,
        )
    return saved
