"""Review panel pages: start a draw for any reviewed object, confirm, refuse + reserve, one member's scores;
close and cancel on the one transition view (the 会评 grid and score sheets: views.scores)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.generic import FormView, View

from kejiju.core.views import ActionPermissionMixin, ObjectDetailView, ObjectExportView, ObjectListView
from kejiju.core.views.generic import BreadcrumbMixin, ServiceFormMixin, service_error_text
from kejiju.core.workflow.diagram import flow_states
from kejiju.core.workflow.selectors import available_transitions, events_for
from kejiju.core.workflow.views import TransitionView

from .. import rules, selectors, services
from ..filters import ReviewPanelFilterSet
from ..forms import RefusalForm, ReviewPanelForm, ScoreForm, criteria_to_text
from ..models import ReviewMember, ReviewPanel, ReviewSheet, ReviewSubject
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
