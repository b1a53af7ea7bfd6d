"""认定批次: recognition batches: list, export, detail with the review panel, the results workbook, create,
edit and the batch workflow's steps."""

from __future__ import annotations

from django.urls import reverse
from django.views.generic import DetailView

from kejiju.core.models import AuditEvent
from kejiju.core.scoping import unit_id_of_user
from kejiju.core.services import audit_event_record
from kejiju.core.views import (
    ActionPermissionMixin,
    ObjectCreateView,
    ObjectDetailView,
    ObjectExportView,
    ObjectListView,
    ObjectUpdateView,
    ScopedQuerysetMixin,
)
from kejiju.core.workflow.diagram import flow_states
from kejiju.core.workflow.selectors import events_for
from kejiju.core.workflow.views import TransitionView
from kejiju.core.xlsx import table_export_rows, xlsx_response

from .. import selectors, services
from ..filters import BatchFilterSet
from ..forms import BatchForm
from ..models import RecognitionBatch
from ..review import batch_panel_url, review_context
from ..rules import BATCH_NEXT_ACTION, BatchState, batch_advance_refusal, batch_next_state
from ..tables import ApplicationTable, BatchTable
from ..workflow import BATCH_WORKFLOW


class BatchListView(ObjectListView):
    model = RecognitionBatch
    table_class = BatchTable
    filterset_class = BatchFilterSet
    actions = ("add", "export")

    def get_base_queryset(self):
        return selectors.batch_list(user=self.request.user)

    def get_table_kwargs(self):
        # The 申报 button of a batch taking applications, for those who enter or file them.
        if self.request.user.has_perm("platforms.add_platformapplication"):
            return {}
        return {"exclude": ("actions",)}


class BatchDetailView(ObjectDetailView):
    model = RecognitionBatch
    template_name = "platforms/batch_detail.html"
    detail_fields = (
        "title",
        "year",
        "platform_type",
        "level",
        "state",
        "deadline",
        "pass_score",
        "quota",
        "review_fields",
        "panel_size",
        "publicity_start",
        "publicity_end",
        "recognised_on",
        "notes",
    )

    def get_base_queryset(self):
        return selectors.batches_for(user=self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        batch = self.object
        applications = list(selectors.application_list(user=user, batch=batch).order_by("rank", "pk"))
        context["applications"] = applications
        context["steps"] = [(value, label) for value, label in BatchState.choices]
        context["step_index"] = [value for value, _ in BatchState.choices].index(batch.state)
        context["can_add_application"] = batch.state == BatchState.OPEN and user.has_perm(
            "platforms.add_platformapplication"
        )
        context["unit_filing"] = unit_id_of_user(user) is not None
        context["can_review"] = user.has_perm("platforms.review_platformapplication")
        next_action = BATCH_NEXT_ACTION.get(BatchState(batch.state))
        can_advance = user.has_perm("platforms.advance_recognitionbatch") and next_action is not None
        context["can_advance"] = can_advance
        if can_advance:
            context["advance_refusal"] = batch_advance_refusal(
                state=batch.state, applications=selectors.batch_snapshots(batch=batch)
            )
            context["next_state_label"] = BatchState(batch_next_state(batch.state)).label
            context["next_action"] = next_action
        context["events"] = events_for(batch)
        context["flow_states"] = flow_states(BATCH_WORKFLOW, current=batch.state)
        context["export_url"] = reverse("platforms:recognitionbatch_results", kwargs={"pk": batch.pk})
        reviews = review_context(applications, batch=batch, user=user)
        context["rows"] = [(app, reviews[app.pk]) for app in applications]
        context["batch_panel_url"] = batch_panel_url(applications, reviews)
        return context


class BatchExportView(BatchListView, ObjectExportView):
    pass


class BatchResultsExportView(ActionPermissionMixin, ScopedQuerysetMixin, DetailView):
    """One batch's applications (those the user may see) with their review result, rank and certificate
    number, as xlsx: the batch's result list."""

    model = RecognitionBatch

    def get_base_queryset(self):
        return selectors.batches_for(user=self.request.user)

    def get(self, request, *args, **kwargs):
        batch = self.get_object()
        table = ApplicationTable(
            selectors.application_list(user=request.user, batch=batch).order_by("rank", "pk")
        )
        headers, rows = table_export_rows(table)
        audit_event_record(event_type=AuditEvent.Type.EXPORT, request=request, object_repr=str(batch))
        return xlsx_response(
            filename=f"{batch.title}.xlsx",
            title="申报与认定结果",
            headers=headers,
            rows=rows,
            viewer=request.user,
        )


class BatchCreateView(ObjectCreateView):
    model = RecognitionBatch
    form_class = BatchForm

    def save_form(self, form):
        return services.batch_save(
            instance=form.instance, review_fields=form.cleaned_data["review_fields"], user=self.request.user
        )


class BatchUpdateView(ObjectUpdateView):
    model = RecognitionBatch
    form_class = BatchForm

    def save_form(self, form):
        return services.batch_save(
            instance=form.instance, review_fields=form.cleaned_data["review_fields"], user=self.request.user
        )


class BatchTransitionView(TransitionView):
    """截止申报 / 进入专家评审 / 排名并公示 / 认定: the one transition view of the batch workflow."""

    model = RecognitionBatch
