"""Pages of the reference records: plan categories (计划类别), calls (申报批次) and 包干制 pilot units."""

from __future__ import annotations

from django.db.models import Count
from django.urls import reverse

from kejiju.core.views import ObjectCreateView, ObjectDetailView, ObjectListView, ObjectUpdateView

from .. import rules, selectors, services
from ..filters import CallFilterSet, LumpSumPilotFilterSet, ProgrammeFilterSet
from ..forms import CallForm, LumpSumPilotForm, ProgrammeForm
from ..models import Call, LumpSumPilot, Programme, Project
from ..tables import CallTable, LumpSumPilotTable, ProgrammeTable


class ProgrammeListView(ObjectListView):
    model = Programme
    table_class = ProgrammeTable
    filterset_class = ProgrammeFilterSet
    actions = ("add",)

    def get_base_queryset(self):
        return selectors.programme_list()


class ProgrammeDetailView(ObjectDetailView):
    model = Programme
    template_name = "projects/programme_detail.html"
    detail_fields = ("name", "code", "description", "sort_order", "is_active")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["calls"] = selectors.call_list().filter(programme=self.object)
        return context


class ProgrammeCreateView(ObjectCreateView):
    model = Programme
    form_class = ProgrammeForm

    def save_form(self, form):
        return services.programme_save(programme=form.instance, user=self.request.user)


class ProgrammeUpdateView(ObjectUpdateView):
    model = Programme
    form_class = ProgrammeForm

    def save_form(self, form):
        return services.programme_save(programme=form.instance, user=self.request.user)


class CallListView(ObjectListView):
    model = Call
    table_class = CallTable
    filterset_class = CallFilterSet
    actions = ("add",)

    def get_base_queryset(self):
        return selectors.call_list()


class CallDetailView(ObjectDetailView):
    model = Call
    template_name = "projects/call_detail.html"
    detail_fields = (
        "programme",
        "year",
        "title",
        "opens_on",
        "closes_on",
        "review_by",
        "max_per_leader",
        "max_open_per_leader",
        "max_per_unit",
        "block_overdue_leader",
        "note",
    )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        counts = (
            Project.objects.visible_to(self.request.user)
            .filter(call=self.object)
            .values("state")
            .annotate(n=Count("pk"))
            .order_by("state")
        )
        context["state_rows"] = [(rules.state_label(row["state"]), row["n"]) for row in counts]
        context["project_list_url"] = f"{reverse('projects:project_list')}?call={self.object.pk}"
        return context


class CallCreateView(ObjectCreateView):
    model = Call
    form_class = CallForm

    def save_form(self, form):
        return services.call_save(call=form.instance, user=self.request.user)


class CallUpdateView(ObjectUpdateView):
    model = Call
    form_class = CallForm

    def save_form(self, form):
        return services.call_save(call=form.instance, user=self.request.user)


class LumpSumPilotListView(ObjectListView):
    filterset_class = LumpSumPilotFilterSet
    model = LumpSumPilot
    table_class = LumpSumPilotTable
    actions = ("add",)

    def get_base_queryset(self):
        return LumpSumPilot.objects.select_related("organization")


class LumpSumPilotCreateView(ObjectCreateView):
    model = LumpSumPilot
    form_class = LumpSumPilotForm

    def save_form(self, form):
        return services.lump_sum_pilot_save(pilot=form.instance, user=self.request.user)


class LumpSumPilotUpdateView(ObjectUpdateView):
    model = LumpSumPilot
    form_class = LumpSumPilotForm

    def save_form(self, form):
        return services.lump_sum_pilot_save(pilot=form.instance, user=self.request.user)
