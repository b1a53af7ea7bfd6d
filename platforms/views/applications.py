"""平台申报: the applications within a recognition batch: detail, filing (by staff or the applicant unit),
edit, delete, the review transitions and the score of a review held outside the portal."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.generic import FormView

from kejiju.core.scoping import unit_id_of_user
from kejiju.core.views import (
    ActionPermissionMixin,
    ObjectCreateView,
    ObjectDeleteView,
    ObjectDetailView,
    ObjectUpdateView,
)
from kejiju.core.views.generic import BreadcrumbMixin, ServiceFormMixin
from kejiju.core.workflow.diagram import flow_states
from kejiju.core.workflow.selectors import available_transitions, events_for
from kejiju.core.workflow.views import TransitionView

from .. import selectors, services
from ..forms import ApplicationForm, ScoreForm, UnitApplicationForm
from ..models import PlatformApplication
from ..review import review_context
from ..rules import BatchState
from ..workflow import APPLICATION_WORKFLOW
from .common import applicant_host, permission_first


class ApplicationScopeMixin:
    def get_base_queryset(self):
        return selectors.application_list(user=self.request.user)


class UnitFilingFormMixin:
    """A unit's administrator files for its own unit: its form shows the unit and its region and offers the
    platforms it hosts; staff name the applicant unit and choose the county (ApplicationForm)."""

    def unit(self):
        if unit_id_of_user(self.request.user) is None:
            return None
        return self.request.user.organization

    def get_form_class(self):
        return UnitApplicationForm if self.unit() is not None else ApplicationForm

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        unit = self.unit()
        if unit is not None:
            kwargs["unit"] = unit
        return kwargs

    def fill_applicant(self, form) -> PlatformApplication:
        instance = form.instance
        unit = self.unit()
        if unit is not None:
            instance.applicant = unit
            instance.region_id = unit.region_id
        else:
            instance.applicant = applicant_host(form, form.cleaned_data["region"])
        return instance


class ApplicationDetailView(ApplicationScopeMixin, ObjectDetailView):
    model = PlatformApplication
    template_name = "platforms/application_detail.html"
    detail_fields = (
        "batch",
        "platform_name",
        "applicant",
        "region",
        "field",
        "staff_count",
        "platform",
        "summary",
        "state",
        "formal_comment",
        "review_score",
        "review_note",
        "rank",
        "objection",
        "certificate_no",
        "submitted_by",
    )

    def get_breadcrumbs(self):
        batch = self.object.batch
        return [
            ("认定批次", reverse("platforms:recognitionbatch_list")),
            (str(batch), batch.get_absolute_url()),
            (str(self.object), None),
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        app = self.object
        user = self.request.user
        batch_state = app.batch.state
        refusal = services.application_change_refusal(application=app, user=user)
        context["can_change"] = context["can_change"] and batch_state == BatchState.OPEN and not refusal
        context["can_delete"] = context["can_delete"] and batch_state == BatchState.OPEN and not refusal
        review = review_context([app], batch=app.batch, user=user)[app.pk]
        context["review"] = review
        context["can_score"] = review.may_record
        # The review steps the batch's progress allows now (a rule that refuses hides the button).
        context["actions"] = [
            t for t in available_transitions(app, user) if not t.rule or not t.rule(app, {})
        ]
        context["events"] = events_for(app)
        context["flow_states"] = flow_states(APPLICATION_WORKFLOW, current=app.state)
        return context


class BatchChildMixin:
    def dispatch(self, request, *args, **kwargs):
        permission_first(self)
        self.batch = get_object_or_404(selectors.batches_for(user=request.user), pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)


class ApplicationCreateView(BatchChildMixin, UnitFilingFormMixin, ObjectCreateView):
    model = PlatformApplication

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["batch"] = self.batch
        return kwargs

    def get(self, request, *args, **kwargs):
        if self.batch.state != BatchState.OPEN:
            messages.error(request, f"批次“{self.batch}”已截止申报。")
            return redirect(self.batch)
        return super().get(request, *args, **kwargs)

    def get_breadcrumbs(self):
        return [
            ("认定批次", reverse("platforms:recognitionbatch_list")),
            (str(self.batch), self.batch.get_absolute_url()),
            ("新增申报", None),
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = f"{'申报' if self.unit() is not None else '新增申报'}：{self.batch}"
        context["cancel_url"] = self.batch.get_absolute_url()
        return context

    def save_form(self, form):
        instance = self.fill_applicant(form)
        instance.batch = self.batch
        return services.application_save(instance=instance, user=self.request.user)


class ApplicationUpdateView(ApplicationScopeMixin, UnitFilingFormMixin, ObjectUpdateView):
    model = PlatformApplication

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        refusal = services.application_change_refusal(application=self.object, user=request.user)
        if refusal:
            messages.error(request, "；".join(refusal.values()))
            return redirect(self.object)
        return super().get(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["batch"] = self.object.batch
        return kwargs

    def save_form(self, form):
        instance = self.fill_applicant(form)
        return services.application_save(instance=instance, user=self.request.user)


class ApplicationDeleteView(ApplicationScopeMixin, ObjectDeleteView):
    model = PlatformApplication

    def get_success_url(self):
        return self.object.batch.get_absolute_url()

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except ValidationError as error:
            messages.error(self.request, "；".join(error.messages))
            return redirect(self.object)

    def delete_object(self):
        services.application_delete(application=self.object, user=self.request.user)


class ApplicationTransitionView(TransitionView):
    """形式审查通过 / 不通过 / 公示异议成立: the one transition view of the application workflow (the batch's
    steps take the others)."""

    model = PlatformApplication


class ApplicationScoreView(ServiceFormMixin, ActionPermissionMixin, BreadcrumbMixin, FormView):
    """The score of a review held outside the portal (a step on the application's timeline)."""

    model = PlatformApplication
    permission_required = "platforms.review_platformapplication"
    template_name = "generic/object_form.html"
    form_class = ScoreForm
    step_title = "专家评审得分"

    def dispatch(self, request, *args, **kwargs):
        permission_first(self)
        self.object = get_object_or_404(selectors.application_list(user=request.user), pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs(self):
        batch = self.object.batch
        return [
            ("认定批次", reverse("platforms:recognitionbatch_list")),
            (str(batch), batch.get_absolute_url()),
            (str(self.object), self.object.get_absolute_url()),
            (self.step_title, None),
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = f"{self.step_title}：{self.object}"
        context["cancel_url"] = self.object.get_absolute_url()
        return context

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["user"] = self.request.user
        return kwargs

    def get_initial(self):
        return {"score": self.object.review_score, "note": self.object.review_note}

    def perform(self, form):
        data = form.cleaned_data
        services.application_record_score(
            application=self.object, score=data["score"], note=data["note"], user=self.request.user
        )
        messages.success(self.request, f"{self.step_title}已保存。")
        return redirect(self.object.batch)
