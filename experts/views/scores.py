"""Score pages of a review panel: the score sheet (xlsx download), the 会评 grid (every member, subject and
criterion on one page) and the filled score-sheet upload with its preview."""

from __future__ import annotations

import io
from dataclasses import dataclass, field

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.generic import TemplateView

from kejiju.core.models import AuditEvent
from kejiju.core.services import audit_event_record
from kejiju.core.views import ObjectDetailView
from kejiju.core.views.generic import BreadcrumbMixin
from kejiju.core.views.imports import ImportConfirmView, ImportUploadView
from kejiju.core.xlsx import XLSX_CONTENT_TYPE, add_sheet, new_workbook, workbook_bytes

from .. import rules, scoresheet, selectors, services
from ..forms import ScoreSheetUploadForm
from ..models import ReviewMember, ReviewPanel, ReviewSubject
from .panels import PanelActionMixin


class ReviewPanelSheetView(ObjectDetailView):
    """The panel's score sheet as xlsx: every member, the scores per criterion, totals, ranks, result —
    with the panel's and each member's number, so that the filled sheet can be uploaded back
    (experts.scoresheet)."""

    model = ReviewPanel

    def get(self, request, *args, **kwargs):
        panel = self.get_object()
        criteria = rules.parse_criteria(panel.criteria)
        subjects = selectors.panel_subjects(panel)
        rows = selectors.panel_member_rows(panel, subjects)
        results = selectors.subject_results(panel, rows, subjects)
        ranks = selectors.scorer_ranks(results)
        headers = scoresheet.headers(criteria)
        data = scoresheet.sheet_rows(panel, rows, ranks)
        label = "评审得分（已冻结）" if panel.is_closed else "评审得分（暂算）"
        blank = [""] * len(headers)
        lead = len(scoresheet.LEAD)
        for item in results:
            data.append(
                [
                    *blank[:3],
                    label,
                    *blank[4 : lead - 1],
                    item.subject.title,
                    *blank[lead:-4],
                    item.result,
                    "",
                    "",
                    "",
                ]
            )
        first = len(scoresheet.LEAD)
        formats = dict.fromkeys(range(first, first + len(criteria) + 1), "0.00")
        workbook = new_workbook(viewer=request.user)
        add_sheet(workbook, title=scoresheet.SHEET, headers=headers, rows=data, number_formats=formats)
        name = f"评分表-{panel.title}"[:80]
        audit_event_record(event_type=AuditEvent.Type.EXPORT, request=request, object_repr=name)
        return FileResponse(
            io.BytesIO(workbook_bytes(workbook)),
            as_attachment=True,
            filename=f"{name}.xlsx",
            content_type=XLSX_CONTENT_TYPE,
        )


# ================================================================================= 会评: all scores at once


@dataclass
class GridCell:
    name: str
    value: object
    label: str = ""  # the criterion's label (the cell's accessible name)
    error: bool = False


@dataclass
class GridRow:
    """One member × one subject of the 会评 grid; the member's 履职评价 is on their first row."""

    member: ReviewMember
    subject: ReviewSubject
    first: bool  # the member's first row (carries the 履职评价 and the member's cells)
    span: int  # rows of this member (the member's cells span them)
    editable: bool
    recused: bool
    cells: list[GridCell]
    comment: str
    performance: str
    total: object = None
    saved: bool = False  # scores or a comment were saved before
    errors: set = field(default_factory=set)  # "performance" / None (the row) when refused

    @property
    def key(self) -> str:
        return f"{self.member.pk}_{self.subject.pk}"


class PanelScoresView(PanelActionMixin, BreadcrumbMixin, TemplateView):
    """会评: every seated member × every subject × every criterion of the panel on one page, pre-filled
    with the saved scores, saved all or nothing (services.review_scores_enter_all). The same permission
    and panel states as the per-sheet entry; in other states the grid is shown read-only."""

    template_name = "experts/panel_scores.html"

    def get_breadcrumbs(self):
        return [
            ("评审组", reverse("experts:reviewpanel_list")),
            (str(self.panel), self.panel.get_absolute_url()),
            ("会评：录入全部评分", None),
        ]

    def _grid(self, data=None) -> tuple[list[rules.Criterion], list[GridRow]]:
        criteria = rules.parse_criteria(self.panel.criteria)
        subjects = selectors.panel_subjects(self.panel)
        grid = []
        for row in selectors.panel_member_rows(self.panel, subjects):
            member = row.member
            if not member.is_seated:
                continue
            performance = data.get(f"performance{member.pk}", "") if data is not None else member.performance
            for position, cell in enumerate(row.cells):
                key = f"{member.pk}_{cell.subject.pk}"
                saved_comment = cell.sheet.comment if cell.sheet else ""
                grid.append(
                    GridRow(
                        member=member,
                        subject=cell.subject,
                        first=position == 0,
                        span=len(row.cells),
                        editable=member.status == ReviewMember.Status.CONFIRMED and not cell.recused,
                        recused=cell.recused,
                        cells=[
                            GridCell(
                                name=f"s{key}_{index}",
                                value=data.get(f"s{key}_{index}", "")
                                if data is not None
                                else cell.scores.get(c.key, ""),
                                label=c.label,
                            )
                            for index, c in enumerate(criteria)
                        ],
                        comment=data.get(f"comment{key}", "") if data is not None else saved_comment,
                        performance=performance,
                        total=cell.total,
                        saved=bool(cell.scores) or bool(saved_comment),
                    )
                )
        return criteria, grid

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if "grid" not in context:
            context["criteria"], context["grid"] = self._grid()
        context.update(
            title="会评：录入全部评分",
            panel=self.panel,
            several=self.panel.subjects.count() > 1,
            may_score=rules.step_allowed("score", self.panel.state),
            performance_choices=ReviewMember.Performance.choices,
        )
        return context

    def post(self, request, *args, **kwargs):
        criteria, grid = self._grid(request.POST)
        scores, comments, performances = {}, {}, {}
        for row in grid:
            if not row.editable:
                continue
            typed = [str(cell.value).strip() for cell in row.cells]
            if any(typed) or row.comment.strip() or row.saved:
                member_pk, subject_pk = row.member.pk, row.subject.pk
                scores.setdefault(member_pk, {})[subject_pk] = {
                    c.key: text for c, text in zip(criteria, typed, strict=True)
                }
                comments[(member_pk, subject_pk)] = row.comment.strip()
                performances[member_pk] = row.performance
        try:
            saved = services.review_scores_enter_all(
                panel=self.panel,
                scores=scores,
                comments=comments,
                performances=performances,
                user=request.user,
            )
        except ValidationError as error:
            keys = {c.key: index for index, c in enumerate(criteria)}
            by_key = {(row.member.pk, row.subject.pk): row for row in grid}
            firsts = {row.member.pk: row for row in grid if row.first}
            problems = error.error_list if hasattr(error, "error_list") else [error]
            for problem in problems:
                params = getattr(problem, "params", None) or {}
                member_pk, criterion = params.get("member_id"), params.get("criterion")
                row = by_key.get((member_pk, params.get("subject_id"))) or firsts.get(member_pk)
                if row is None:
                    continue
                if criterion in keys:
                    row.cells[keys[criterion]].error = True
                else:
                    row.errors.add(criterion)
            messages_list = [message for problem in problems for message in problem.messages]
            context = self.get_context_data(criteria=criteria, grid=grid, errors=messages_list)
            return self.render_to_response(context)
        messages.success(
            request, f"已保存 {len(saved)} 份评分。" if saved else "评分没有改动，未保存任何内容。"
        )
        return redirect(self.panel)


class ScoreSheetImportMixin(PanelActionMixin):
    """The score-sheet upload of one panel through the shared import views: the importer is bound to the
    panel of the URL, the pending upload is kept per panel."""

    @property
    def importer(self):
        return scoresheet.PanelSheet(panel=self.panel)

    @property
    def session_key(self) -> str:
        return f"experts-scoresheet-{self.panel.pk}"

    @property
    def upload_url_name(self) -> str:  # a path: redirect() takes it as it is
        return reverse("experts:reviewpanel_scores_import", kwargs={"pk": self.panel.pk})

    @property
    def done_url_name(self) -> str:
        return self.panel.get_absolute_url()


class PanelScoreSheetImportView(ScoreSheetImportMixin, BreadcrumbMixin, ImportUploadView):
    """Upload the panel's filled score sheet: every row checked (named by row and column), a preview, and
    nothing written until it is confirmed."""

    template_name = "experts/scoresheet_import.html"
    form_class = ScoreSheetUploadForm

    def get_breadcrumbs(self):
        return [
            ("评审组", reverse("experts:reviewpanel_list")),
            (str(self.panel), self.panel.get_absolute_url()),
            ("上传评分表", None),
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            title="上传评分表",
            panel=self.panel,
            criteria=rules.parse_criteria(self.panel.criteria),
            may_score=rules.step_allowed("score", self.panel.state),
        )
        return context

    def preview(self, parsed):
        return {"preview": parsed.entries}, {}


class PanelScoreSheetConfirmView(ScoreSheetImportMixin, ImportConfirmView):
    def summary(self, written) -> str:
        return f"评审组“{self.panel}”{written} 位专家的评分"

    def post(self, request, *args, **kwargs):
        return super().post(request)
