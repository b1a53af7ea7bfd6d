"""The panel's score sheet (评分表): the xlsx the portal generates for a panel, and its upload back.

The generated sheet carries what a round trip needs: one row per member and subject (a panel of a batch
reviews several), with the panel's number (评审组编号), the member's (成员编号) beside the expert's name and
the subject's (评审对象编号) beside its title, and one column per criterion headed with its label,
maximum and weight (``创新性（满分40×1）``). The upload reads it through the one safe reader
(kejiju.core.spreadsheets: file checks, formulas refused with their cell), first by the fixed columns to
find the panel, then by that panel's own columns, so that a changed or missing criterion header is refused
by name. Every row is checked by the per-member rules (experts.rules.score_value) and named by its row and
column (第 N 行【创新性（满分40×1）】); a sheet of another panel, an unknown member, a name that does not
match its member, a subject not of the panel, a subject the expert declared a conflict for, a score for
someone who does not score → refused. Nothing is written until
services.review_scores_enter_all takes the whole sheet in one transaction, so a round trip (download →
fill → upload) gives exactly the numbers typed, to two places.

A row without a member number and without scores (the 评审得分 line at the bottom) is skipped, and so is a
member row whose scores are all blank (not entered yet: what was saved stays).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError

from kejiju.core import spreadsheets
from kejiju.core.spreadsheets import Column, Row, RowError, SheetSpec, cell_text, quote

from . import rules
from .models import ReviewMember, ReviewPanel, ReviewSheet

UPLOAD_DIR = "experts_scores"  # under spreadsheets.IMPORT_UPLOAD_DIR
SHEET = "评分表"
PANEL, MEMBER, NAME = "评审组编号", "成员编号", "专家"
SUBJECT, SUBJECT_TITLE = "评审对象编号", "评审对象"
PERFORMANCE, COMMENT = "履职评价", "评审意见"
# The columns of the generated sheet before the criteria and after them (合计 and 名次 are computed: an
# upload ignores them).
LEAD = (PANEL, MEMBER, "顺位", NAME, "工作单位", "职称", "身份", "状态", "组长", SUBJECT, SUBJECT_TITLE)
TAIL = ("合计", "名次", PERFORMANCE, COMMENT)
MAX_ROWS = 500

ImportRefused = spreadsheets.SpreadsheetRefused

# The fixed columns, by which any score sheet is found and its panel read (the registered importer's sheet).
SPEC = SheetSpec(
    title=SHEET,
    max_rows=MAX_ROWS,
    required=True,
    columns=(
        Column(PANEL, PANEL, True),
        Column(MEMBER, MEMBER, True),
        Column(NAME, NAME, True),
        Column(SUBJECT, SUBJECT, True),
    ),
)


def criterion_header(criterion: rules.Criterion) -> str:
    return f"{criterion.label}（满分{criterion.max_score.normalize():f}×{criterion.weight.normalize():f}）"


def headers(criteria: Sequence[rules.Criterion]) -> list[str]:
    return [*LEAD, *(criterion_header(c) for c in criteria), *TAIL]


def panel_spec(criteria: Sequence[rules.Criterion]) -> SheetSpec:
    """The sheet of one panel: the fixed columns, every criterion's exact header (required), and the
    member's 履职评价 and 评审意见 (read when present)."""
    return SheetSpec(
        title=SHEET,
        max_rows=MAX_ROWS,
        required=True,
        columns=(
            *SPEC.columns,
            *(Column(c.key, criterion_header(c), True) for c in criteria),
            Column(PERFORMANCE, PERFORMANCE),
            Column(COMMENT, COMMENT, field=ReviewSheet._meta.get_field("comment")),
        ),
    )


def sheet_rows(panel: ReviewPanel, rows, ranks) -> list[list[Any]]:
    """The generated sheet's data rows, one per member and subject (selectors.panel_member_rows; ranks by
    (member id, subject id), rules.rank among each subject's scorers)."""
    criteria = rules.parse_criteria(panel.criteria)
    return [
        [
            panel.pk,
            row.member.pk,
            row.member.position,
            row.member.expert.name,
            row.member.expert.employer.name,
            row.member.expert.get_title_display(),
            row.member.role,
            row.member.status if not cell.recused else f"申明回避：{cell.sheet.conflict_reason}",
            "是" if row.member.is_leader else "",
            cell.subject.pk,
            cell.subject.title,
            *[cell.scores.get(c.key) for c in criteria],
            cell.total,
            ranks.get((row.member.pk, cell.subject.pk)),
            row.member.performance,
            cell.sheet.comment if cell.sheet else "",
        ]
        for row in rows
        for cell in row.cells
    ]


# ------------------------------------------------------------------------------------------- reading


@dataclass
class Entry:
    """One member × subject row of an upload that enters scores."""

    number: int
    member: ReviewMember
    subject_id: int
    scores: dict[str, Decimal]
    comment: str | None
    performance: str | None


@dataclass
class ParsedSheet:
    panel: ReviewPanel | None = None
    entries: list[Entry] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    skipped: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors


def _number(value: Any) -> int | None:
    text = cell_text(value)
    return int(text) if text.isdigit() else None


def _panel_of(rows: Sequence[Row], panel: ReviewPanel | None) -> ReviewPanel:
    """The one panel the sheet's rows name; when uploaded on a panel's page, it must be that panel."""
    named = {}
    for row in rows:
        text = cell_text(row.values.get(PANEL))
        if text:
            named.setdefault(text, row.number)
    if not named:
        raise ImportRefused("评分表中没有评审组编号，请使用本评审组页面下载的评分表填写后上传。")
    if len(named) > 1:
        first, second = list(named.items())[:2]
        raise ImportRefused(
            f"评分表中有多个评审组编号（第{first[1]}行为{quote(first[0])}，第{second[1]}行为"
            f"{quote(second[0])}），一次只能导入一个评审组的评分。"
        )
    text, number = next(iter(named.items()))
    pk = _number(text)
    if panel is not None:
        if pk != panel.pk:
            raise ImportRefused(
                f"该评分表属于另一评审组（第{number}行评审组编号为{quote(text)}，"
                f"本评审组编号为 {panel.pk}），未导入任何数据。请下载本评审组的评分表填写后上传。"
            )
        return panel
    found = ReviewPanel.objects.filter(pk=pk).first() if pk is not None else None
    if found is None:
        raise ImportRefused(f"第{number}行的评审组编号{quote(text)}不存在，未导入任何数据。")
    return found


def parse(*, content: bytes, name: str, user=None, panel: ReviewPanel | None = None) -> ParsedSheet:
    """Read and check a whole score sheet without writing; a refused file raises ImportRefused."""
    sheet = spreadsheets.read_workbook(name=name, content=content, sheets=(SPEC,))[SHEET]
    if sheet is None or not sheet.rows:
        raise ImportRefused(f"“{sheet.title if sheet else SHEET}”工作表中没有数据行。")
    panel = _panel_of(sheet.rows, panel)
    if not rules.step_allowed("score", panel.state):
        raise ImportRefused(f"评审组当前状态为“{panel.get_state_display()}”，不能录入评分，未导入任何数据。")
    criteria = rules.parse_criteria(panel.criteria)
    spec = panel_spec(criteria)
    sheet = spreadsheets.read_workbook(name=name, content=content, sheets=(spec,))[SHEET]
    members = {m.pk: m for m in panel.members.select_related("expert")}
    subjects = {s.pk: s for s in panel.subjects.all()}
    sheets = {(s.member_id, s.subject_id): s for s in ReviewSheet.objects.filter(member__panel=panel)}
    return _check_rows(
        sheet.rows,
        panel=panel,
        criteria=criteria,
        spec=spec,
        members=members,
        subjects=subjects,
        sheets=sheets,
    )


def _check_rows(rows, *, panel, criteria, spec: SheetSpec, members, subjects, sheets) -> ParsedSheet:
    parsed = ParsedSheet(panel=panel)
    labels = {column.key: column.label for column in spec.columns}
    seen: dict[tuple[int, int], int] = {}
    performances: dict[int, tuple[str, int]] = {}
    for row in rows:
        errors = list(row.errors)

        def fail(key: str, message: str, row=row, errors=errors) -> None:
            errors.append(RowError("", row.number, labels.get(key, ""), message))

        values = row.values
        cells = {c.key: values.get(c.key) for c in criteria}
        has_scores = any(cell_text(value) for value in cells.values())
        member_text = cell_text(values.get(MEMBER))
        if not member_text:
            if has_scores:
                fail(MEMBER, "成员编号不能为空：请使用下载的评分表，勿增删行或改动编号。")
            else:
                parsed.skipped += 1
            parsed.errors += errors
            continue
        if not cell_text(values.get(PANEL)):
            fail(PANEL, "评审组编号不能为空：请勿改动下载的评分表中的编号。")
        member = members.get(_number(member_text))
        if member is None:
            fail(MEMBER, f"成员编号{quote(member_text)}不是本评审组的评审专家。")
            parsed.errors += errors
            continue
        subject_text = cell_text(values.get(SUBJECT))
        subject = subjects.get(_number(subject_text))
        if subject is None:
            fail(SUBJECT, f"评审对象编号{quote(subject_text)}不是本评审组的评审对象。")
            parsed.errors += errors
            continue
        key = (member.pk, subject.pk)
        if key in seen:
            fail(MEMBER, f"成员编号 {member.pk}、评审对象编号 {subject.pk} 与第{seen[key]}行重复。")
        seen.setdefault(key, row.number)
        typed_name = cell_text(values.get(NAME))
        if typed_name != member.expert.name:
            fail(NAME, f"专家{quote(typed_name)}与成员编号 {member.pk} 的专家“{member.expert.name}”不符。")
        performance = cell_text(values.get(PERFORMANCE)) if PERFORMANCE in values else None
        comment = cell_text(values.get(COMMENT)) if COMMENT in values else None
        sheet = sheets.get(key)
        if performance:
            earlier = performances.setdefault(member.pk, (performance, row.number))
            if earlier[0] != performance:
                fail(PERFORMANCE, f"同一专家的履职评价应一致（第{earlier[1]}行为{quote(earlier[0])}）。")
        if not has_scores:
            if (comment is not None and comment != (sheet.comment if sheet else "")) or (
                performance is not None and performance != member.performance
            ):
                fail(NAME, "填写了评审意见或履职评价，但没有填写得分。")
            if errors:
                parsed.errors += errors
            else:
                parsed.skipped += 1
            continue
        if member.role != ReviewMember.Role.REGULAR or member.status != ReviewMember.Status.CONFIRMED:
            fail(
                NAME,
                f"专家“{member.expert}”不是已确认的正式评审专家（{member.role}/{member.status}），不能录入评分。",
            )
            parsed.errors += errors
            continue
        if sheet is not None and sheet.recused:
            fail(SUBJECT, f"专家“{member.expert}”已对“{subject}”申明回避，不能评分。")
            parsed.errors += errors
            continue
        scores: dict[str, Decimal] = {}
        for criterion in criteria:
            try:
                scores[criterion.key] = rules.score_value(criterion, cells[criterion.key])
            except ValueError as error:
                fail(criterion.key, str(error))
        if performance and performance not in ReviewMember.Performance.values:
            fail(PERFORMANCE, f"履职评价{quote(performance)}无效，应为优秀、良好、一般或差，或留空。")
        if errors:
            parsed.errors += errors
            continue
        parsed.entries.append(
            Entry(
                number=row.number,
                member=member,
                subject_id=subject.pk,
                scores=scores,
                comment=comment,
                performance=performance,
            )
        )
    if parsed.ok and not parsed.entries:
        raise ImportRefused("评分表中没有填写任何专家的评分，未导入任何数据。")
    return parsed


def commit(*, parsed: ParsedSheet, user) -> int:
    """Every entry or none (services.review_scores_enter_all); returns the number of rows entered."""
    from .services import review_scores_enter_all

    if not parsed.ok:
        raise ImportRefused("存在错误，未导入任何数据。")
    rows = {(e.member.pk, e.subject_id): e.number for e in parsed.entries}
    scores: dict[int, dict[int, dict[str, Decimal]]] = {}
    for entry in parsed.entries:
        scores.setdefault(entry.member.pk, {})[entry.subject_id] = entry.scores
    try:
        review_scores_enter_all(
            panel=parsed.panel,
            scores=scores,
            comments={
                (e.member.pk, e.subject_id): e.comment for e in parsed.entries if e.comment is not None
            },
            performances={e.member.pk: e.performance for e in parsed.entries if e.performance},
            user=user,
        )
    except ValidationError as error:  # the panel moved on since the preview, a member refused …
        first = error.error_list[0] if hasattr(error, "error_list") else error
        params = getattr(first, "params", None) or {}
        number = rows.get((params.get("member_id"), params.get("subject_id"))) or next(
            (n for (m, _), n in rows.items() if m == params.get("member_id")), None
        )
        where = f"第{number}行：" if number else ""
        raise ImportRefused(f"{where}{'；'.join(first.messages)}（未导入任何数据）") from None
    return len(parsed.entries)


def check(*, content: bytes, name: str, user) -> list[RowError]:
    """Read and validate without writing (the preview): the row errors; a refused file raises."""
    return parse(content=content, name=name, user=user).errors


@dataclass(frozen=True)
class PanelSheet:
    """The importer as the shared upload views use it (kejiju.core.views.imports), bound to the panel
    whose page the sheet is uploaded on: a sheet of another panel is refused."""

    panel: ReviewPanel
    UPLOAD_DIR: str = UPLOAD_DIR
    ImportRefused: type[Exception] = ImportRefused

    def parse(self, *, content: bytes, name: str, user=None) -> ParsedSheet:
        return parse(content=content, name=name, user=user, panel=self.panel)

    def commit(self, *, parsed: ParsedSheet, user) -> int:
        return commit(parsed=parsed, user=user)


IMPORTER = spreadsheets.Importer(
    name=UPLOAD_DIR,
    label="评审组评分表",
    sheets=(SPEC,),
    check=check,
    url_name="experts:reviewpanel_scores_import",
    permission="experts.change_reviewpanel",
)
