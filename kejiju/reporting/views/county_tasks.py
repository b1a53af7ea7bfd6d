"""A county's yearly task list (年度任务清单): list, export, detail, add, edit, delete and confirm."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import redirect
from django.utils import timezone

from kejiju.core.views import (
    ObjectCreateView,
    ObjectDeleteView,
    ObjectDetailView,
    ObjectExportView,
    ObjectListView,
    ObjectUpdateView,
    service_error_text,
)
from kejiju.core.workflow.diagram import flow_states
from kejiju.core.workflow.views import TransitionView

from .. import selectors, services
from ..filters import CountyTaskFilterSet
from ..forms import CountyTaskForm
from ..models import CountyTask
from ..tables import CountyTaskTable
from ..workflow import TASK_WORKFLOW
from .mixins import ActionView


class CountyTaskListView(ObjectListView):
    model = CountyTask
    table_class = CountyTaskTable
    filterset_class = CountyTaskFilterSet
    actions = ("add", "export")

    def get_base_queryset(self):
        return selectors.task_list(user=self.request.user)


class CountyTaskExportView(CountyTaskListView, ObjectExportView):
    export_filename = "年度任务清单"


class CountyTaskDetailView(ObjectDetailView):
    model = CountyTask
    template_name = "reporting/countytask_detail.html"
    detail_fields = (
        "year",
        "region",
        "category",
        "title",
        "partner",
        "target_quantity",
        "unit",
        "deadline",
        "status",
        "approved_by",
        "approved_at",
    )

    def get_base_queryset(self):
        return selectors.task_list(user=self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["can_approve"] = (
            user.has_perm("reporting.approve_countytask") and self.object.status == CountyTask.Status.PROPOSED
        )
        context["progress"] = self.object.progress.select_related("filing").order_by("filing__month")
        editable = (
            user.has_perm("reporting.change_approved_countytask")
            or self.object.status == CountyTask.Status.PROPOSED
        )
        context["can_change"] = context["can_change"] and editable
        context["can_delete"] = context["can_delete"] and editable
        context["flow_states"] = flow_states(TASK_WORKFLOW, self.object.status)
        context["events"] = self.object.events.select_related("actor").order_by("recorded_at", "pk")
        return context


class _TaskSaveMixin:
    fields_to_save = ("region", "year", "category", "title", "partner", "target_quantity", "unit", "deadline")


class CountyTaskCreateView(_TaskSaveMixin, ObjectCreateView):
    model = CountyTask
    form_class = CountyTaskForm
    success_message = "任务已保存。"

    def get_initial(self):
        return {"year": timezone.localdate().year}

    def save_form(self, form):
        data = {name: form.cleaned_data[name] for name in self.fields_to_save}
        return services.task_create(actor=self.request.user, **data)


class CountyTaskUpdateView(_TaskSaveMixin, ObjectUpdateView):
    model = CountyTask
    form_class = CountyTaskForm

    def get_base_queryset(self):
        return selectors.task_list(user=self.request.user)

    def save_form(self, form):
        data = {name: form.cleaned_data[name] for name in self.fields_to_save}
        return services.task_update(
            actor=self.request.user, task=CountyTask.objects.get(pk=self.object.pk), **data
        )


class CountyTaskDeleteView(ObjectDeleteView):
    model = CountyTask

    def get_base_queryset(self):
        return selectors.task_list(user=self.request.user)

    def form_valid(self, form):
        try:
            services.task_delete(actor=self.request.user, task=self.object)
        except ValidationError as error:
            messages.error(self.request, service_error_text(error))
            return redirect(self.object.get_absolute_url())
        messages.success(self.request, f"已删除“{self.object}”。")
        return HttpResponseRedirect(self.get_success_url())


class CountyTaskApproveView(ActionView):
    model = CountyTask
    fixed_action = "approve"


class CountyTaskTransitionView(TransitionView):
    """确认 a county's proposed task."""

    model = CountyTask
