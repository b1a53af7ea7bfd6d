"""Review panel pages: start a draw for any reviewed object, confirm, refuse + reserve, score; close and
cancel on the one transition view."""

from __future__ import annotations

import io
from dataclasses import dataclass, field

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.views.generic import FormView, TemplateView, View

from kejiju.core.models import AuditEvent
from kejiju.core.services import audit_event_record
from kejiju.core.views import ActionPermissionMixin, ObjectDetailView, ObjectExportView, ObjectListView
from kejiju.core.views.generic import BreadcrumbMixin, ServiceFormMixin, service_error_text
from kejiju.core.views.imports import ImportConfirmView, ImportUploadView
from kejiju.core.workflow.diagram import flow_states
from kejiju.core.workflow.selectors import available_transitions, events_for
from kejiju.core.workflow.views import TransitionView
from kejiju.core.xlsx import XLSX_CONTENT_TYPE, add_sheet, new_workbook, workbook_bytes

from .. import rules, scoresheet, selectors, services
from ..filters import ReviewPanelFilterSet
from ..forms import RefusalForm, ReviewPanelForm, ScoreForm, ScoreSheetUploadForm, criteria_to_text
from ..models import Expert, ReviewDraw, ReviewMember, ReviewPanel, ReviewSheet, ReviewSubject
from ..progress import panel_progress
from ..subjects import call_optional, subjects_for
from ..tables import ReviewPanelTable
from ..workflow import PANEL_WORKFLOW

# ============================================================================================== panels


class ReviewPanelListView(ObjectListView):
    model = ReviewPanel
    table_class = ReviewPanelTable
    filterset_class = ReviewPanelFilterSet
    actions = ("export",)

    def get_base_queryset(self):
        return selectors.review_panel_list(user=self.request.user)


class ReviewPanelExportView(ReviewPanelListView, ObjectExportView):
    pass


def _subjects_from(request) -> list:
    """The reviewed records named by ``?subject_type=<content type id>&subject_id=<pk>[&subject_id=…]``:
    a registered reviewable type (experts.subjects) and records in the user's scope, else 404."""
    return subjects_for(
        subject_type=request.GET.get("subject_type", ""),
        subject_ids=request.GET.getlist("subject_id"),
        user=request.user,
    )


class PanelAddView(ActionPermissionMixin, ServiceFormMixin, BreadcrumbMixin, FormView):
    """Start a panel for one reviewed record, or one panel for several (a batch or call): staff set
    fields, sizes, conflicts and criteria (pre-filled from the records); the draw runs when the form is
    saved."""

    model = ReviewPanel
    action = "add"
    form_class = ReviewPanelForm
    template_name = "experts/panel_add.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return super().dispatch(request, *args, **kwargs)
        if not self.has_permission():
            return self.handle_no_permission()
        self.subjects = _subjects_from(request)
        if len(self.subjects) == 1:
            existing = selectors.review_subject_for(subject=self.subjects[0])
            if existing is not None and existing.panel.state != ReviewPanel.State.CLOSED:
                messages.info(request, "该评审对象已有进行中的评审组。")
                return redirect(existing.panel)
        return super().dispatch(request, *args, **kwargs)

    @property
    def several(self) -> bool:
        return len(self.subjects) > 1

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["user"] = self.request.user
        kwargs["several"] = self.several
        return kwargs

    def get_initial(self):
        first = self.subjects[0]
        if self.several:
            title = call_optional(first, "review_group_title") or f"{first._meta.verbose_name}评审"
        else:
            title = call_optional(first, "review_title") or str(first)
        initial = {"title": title}
        applicant = call_optional(first, "review_applicant")
        if applicant is not None and not self.several:
            initial["applicant"] = applicant
        criteria = call_optional(first, "review_criteria")
        if criteria:
            initial["criteria_text"] = criteria_to_text(criteria)
        fields = {}
        for record in self.subjects:
            fields.update((field.pk, field) for field in call_optional(record, "review_fields") or ())
        if fields:
            initial["fields"] = list(fields.values())
        return initial

    def get_breadcrumbs(self):
        return [("评审组", reverse("experts:reviewpanel_list")), ("抽取评审专家", None)]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        first = self.subjects[0]
        context["title"] = "抽取评审专家"
        context["subjects"] = [
            (record, getattr(record, "get_absolute_url", lambda: None)()) for record in self.subjects
        ]
        context["subject_label"] = first._meta.verbose_name
        context["composition"] = selectors.composition_for(subject=first)
        back = call_optional(first, "review_group_url") if self.several else None
        context["cancel_url"] = (
            back or context["subjects"][0][1] if not self.several or back else None
        ) or reverse("experts:reviewpanel_list")
        return context

    def perform(self, form):
        data = form.cleaned_data
        one = {"subject": self.subjects[0], "applicant": data["applicant"]}
        panel = services.review_panel_create(
            **({"subjects": self.subjects} if self.several else one),
            title=data["title"],
            fields=data["fields"],
            size=data["size"],
            reserves=data["reserves"],
            criteria=data["criteria_text"],
            drop_extremes=data["drop_extremes"],
            excluded_experts=data["excluded_names"],
            lookback_years=data["lookback_years"],
            online_deadline=data["online_deadline"],
            user=self.request.user,
        )
        messages.success(self.request, "已完成随机抽取，请逐一确认专家是否参加。")
        return redirect(panel)


class ReviewPanelDetailView(ObjectDetailView):
    model = ReviewPanel
    template_name = "experts/reviewpanel_detail.html"

    def get_queryset(self):
        return ReviewPanel.objects.select_related("created_by")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        panel = self.object
        subjects = selectors.panel_subjects(panel)
        rows = selectors.panel_member_rows(panel, subjects)
        results = selectors.subject_results(panel, rows, subjects)
        ranks = selectors.scorer_ranks(results)
        subject_ranks = rules.rank({item.subject.pk: item.result for item in results})
        for row in rows:
            for cell in row.cells:
                cell.rank = ranks.get((row.member.pk, cell.subject.pk))
            row.declared = sum(cell.declared for cell in row.cells)
        for item in results:
            item.rank = subject_ranks[item.subject.pk]
            item.url = (
                getattr(item.subject.subject, "get_absolute_url", lambda: None)()
                if item.subject.subject
                else None
            )
        context.update(
            rows=rows,
            subjects=subjects,
            several=len(subjects) > 1,
            results=results,
            criteria=rules.parse_criteria(panel.criteria),
            draws=panel.draws.select_related("created_by"),
            events=events_for(panel),
            flow_states=flow_states(PANEL_WORKFLOW, current=panel.state),
            transitions=available_transitions(panel, self.request.user),
            fields=panel.fields.all(),
            excluded=panel.excluded_experts.all(),
            # The member-level steps the user may take in the panel's state (experts.rules.STEP_STATES).
            can=dict.fromkeys(rules.STEP_STATES, False)
            | (
                {step: rules.step_allowed(step, panel.state) for step in rules.STEP_STATES}
                if self.request.user.has_perm("experts.change_reviewpanel")
                else {}
            ),
            seated_count=sum(row.member.is_seated for row in rows),
            # 网评: the counts of the seats (from the rows read above) and whether a submission may be
            # reopened now (experts.workflow "reopen_scores", the panel's staff permission).
            progress=panel_progress(panel, rows),
            may_reopen=self.request.user.has_perm("experts.change_reviewpanel")
            and PANEL_WORKFLOW.transition(action="reopen_scores", state=panel.state) is not None,
        )
        return context


class PanelActionMixin(ActionPermissionMixin):
    model = ReviewPanel
    action = "change"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and self.has_permission():
            self.panel = get_object_or_404(ReviewPanel, pk=kwargs["pk"])
            if "member_pk" in kwargs:
                self.member = get_object_or_404(
                    ReviewMember.objects.select_related("expert"), pk=kwargs["member_pk"], panel=self.panel
                )
        return super().dispatch(request, *args, **kwargs)


class MemberConfirmView(PanelActionMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk, member_pk):
        try:
            services.review_member_confirm(member=self.member, user=request.user)
        except ValidationError as error:
            messages.error(request, service_error_text(error))
        else:
            messages.success(request, f"已确认专家“{self.member.expert}”参加评审。")
        return redirect(self.panel)


class MemberLeaderView(PanelActionMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk, member_pk):
        try:
            services.review_member_set_leader(member=self.member, user=request.user)
        except ValidationError as error:
            messages.error(request, service_error_text(error))
        else:
            messages.success(request, f"已指定“{self.member.expert}”为评审组组长。")
        return redirect(self.panel)


class PanelFormView(PanelActionMixin, ServiceFormMixin, BreadcrumbMixin, FormView):
    template_name = "generic/object_form.html"
    page_title = ""

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["user"] = self.request.user
        return kwargs

    def get_breadcrumbs(self):
        return [
            ("评审组", reverse("experts:reviewpanel_list")),
            (str(self.panel), self.panel.get_absolute_url()),
            (self.get_page_title(), None),
        ]

    def get_page_title(self) -> str:
        return self.page_title

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = self.get_page_title()
        context["cancel_url"] = self.panel.get_absolute_url()
        return context

    def perform(self, form):
        messages.success(self.request, self.act(form))
        return HttpResponseRedirect(self.panel.get_absolute_url())

    def act(self, form) -> str:
        """Call the service; return the success message."""
        raise NotImplementedError


class MemberRefuseView(PanelFormView):
    form_class = RefusalForm

    def get_page_title(self):
        return f"登记拒绝：{self.member.expert}"

    def act(self, form):
        reason = form.cleaned_data["reason"]
        replacement = services.review_member_refuse(member=self.member, reason=reason, user=self.request.user)
        if replacement is not None:
            return f"已登记“{self.member.expert}”拒绝参加，备选专家“{replacement.expert}”递补。"
        if self.member.role == ReviewMember.Role.REGULAR:
            return f"已登记“{self.member.expert}”拒绝参加。备选专家已用完，请补充抽取。"
        return f"已登记备选专家“{self.member.expert}”拒绝。"


class MemberScoreView(PanelFormView):
    """One member's scores of one subject (``?subject=<id>``; the panel's first when not given)."""

    form_class = ScoreForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and self.has_permission():
            panel_subjects = ReviewSubject.objects.filter(panel_id=kwargs["pk"]).order_by("position")
            named = request.GET.get("subject", "")
            self.subject = (
                panel_subjects.filter(pk=int(named)).first() if named.isdigit() else panel_subjects.first()
            )
            if self.subject is None:
                raise Http404("评审对象不存在。")
            self.sheet = ReviewSheet.objects.filter(
                member_id=kwargs["member_pk"], subject=self.subject
            ).first()
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        several = self.panel.subjects.count() > 1
        return f"录入评分：{self.member.expert}" + (f" · {self.subject}" if several else "")

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["panel"] = self.panel
        sheet = self.sheet
        kwargs["initial_scores"] = (
            {score.criterion: score.score for score in sheet.scores.all()} if sheet else {}
        )
        kwargs["comment"] = sheet.comment if sheet else ""
        kwargs["performance"] = self.member.performance
        return kwargs

    def act(self, form):
        services.review_scores_enter(
            member=self.member,
            subject=self.subject,
            scores=form.scores(),
            comment=form.cleaned_data.get("comment", ""),
            performance=form.cleaned_data.get("performance", ""),
            user=self.request.user,
        )
        return f"已保存“{self.member.expert}”的评分。"


class PanelSupplementView(PanelActionMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk):
        try:
            draw = services.review_panel_supplement(panel=self.panel, user=request.user)
        except ValidationError as error:
            messages.error(request, service_error_text(error))
        else:
            messages.success(request, f"已补充抽取 {draw.requested} 位专家。")
        return redirect(self.panel)


class PanelTransitionView(TransitionView):
    """完成评审 / 撤销评审组: the one transition view of the panel workflow (the panel's other moves follow
    its members' steps). An expert reaches it only for a panel they sit on (their own edges are taken
    from 我的评审)."""

    model = ReviewPanel

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        if (
            user.is_authenticated
            and not user.has_perm("experts.view_reviewpanel")
            and user.has_perm("experts.review_as_expert")
            and not selectors.my_seats(user=user).filter(panel_id=kwargs["pk"]).exists()
        ):
            raise Http404("评审组不存在。")  # an expert reaches only the panels they sit on
        return super().dispatch(request, *args, **kwargs)


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


# An expert the draw recorded who is no longer in the library (the record keeps only the number).
MISSING_EXPERT = "（已不在专家库）"


class ReviewDrawDetailView(ObjectDetailView):
    """The audit view of one draw: conditions, seed, pool, skipped experts with reasons, and a replay."""

    model = ReviewDraw
    template_name = "experts/reviewdraw_detail.html"

    def get_queryset(self):
        return ReviewDraw.objects.select_related("panel", "created_by")

    def get_breadcrumbs(self):
        panel = self.object.panel
        return [
            ("评审组", reverse("experts:reviewpanel_list")),
            (str(panel), panel.get_absolute_url()),
            (f"{self.object.kind}记录", None),
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        draw = self.object
        parameters = draw.parameters or {}
        replay = services.review_draw_replay(draw)
        listed = {*draw.pool, *draw.drawn, *parameters.get("excluded_experts", [])}
        names = dict(Expert.objects.filter(pk__in=listed).values_list("pk", "name"))

        def name(pk: int) -> str:
            return names.get(pk) or MISSING_EXPERT

        order = {pk: index for index, pk in enumerate(rules.draw_order(draw.pool, draw.seed), start=1)}
        integrity_notes = self._integrity_notes(draw)
        # Under a composition rule: the category each pool expert had on the draw's day (a code: its label).
        categories = parameters.get("categories", {})
        seated = (parameters.get("seats") or {}).get("seated") or {}
        applicants = parameters.get("applicants") or (
            [parameters["applicant"]] if parameters.get("applicant") else []
        )
        context.update(
            replay=replay,
            replay_matches=replay == draw.drawn,
            applicants="、".join(item["name"] for item in applicants),
            excluded="、".join(name(pk) for pk in parameters.get("excluded_experts", [])),
            seated=[
                (rules.CATEGORY_LABELS.get(category, category), count) for category, count in seated.items()
            ],
            drawn_rows=[(index, pk, name(pk)) for index, pk in enumerate(draw.drawn, start=1)],
            pool_rows=[
                (order[pk], pk, name(pk), rules.CATEGORY_LABELS.get(categories.get(str(pk), ""), ""))
                for pk in draw.pool
            ],
            skipped_rows=[
                (
                    entry["expert_id"],
                    entry["name"],
                    "；".join(rules.reason_label(r, entry) for r in entry["reasons"]),
                    integrity_notes.get(entry["expert_id"]),
                )
                for entry in draw.skipped
            ],
        )
        return context

    def _integrity_notes(self, draw: ReviewDraw) -> dict[int, dict]:
        """For each expert skipped under 科研诚信 惩戒: the record as the draw kept it, its link for a user
        who may read 失信 records, and — when the record no longer binds today (修复, 撤销, ended, deleted)
        — a note that the draw and its replay still stand on the day's facts (one query)."""
        from kejiju.integrity.rules import is_active

        kept = {entry["expert_id"]: entry["integrity"] for entry in draw.skipped if entry.get("integrity")}
        if not kept:
            return {}
        may_read = self.request.user.has_perm("integrity.view_integrityrecord")
        records = selectors.integrity_records(ids=[bar["record_id"] for bar in kept.values()])
        today = timezone.localdate()
        notes = {}
        for expert_id, bar in kept.items():
            record = records.get(bar["record_id"])
            if record is None:
                now = "该失信记录现已删除"
            elif not is_active(record, on=today):
                now = "该失信记录今日已不再生效（已届满、信用修复或撤销认定）"
            else:
                now = ""
            notes[expert_id] = {
                **bar,
                "url": record.get_absolute_url() if record is not None and may_read else "",
                "now": now,
            }
        return notes
