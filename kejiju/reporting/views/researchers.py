"""科研人员倍增计划: the bureau sets each county's yearly research-staff target; everyone who may read it
sees the progress, computed from the enterprises' and the platforms' figures."""

from __future__ import annotations

from django.utils import timezone

from kejiju.core.views import (
    ObjectCreateView,
    ObjectExportView,
    ObjectListView,
    ObjectUpdateView,
)

from .. import selectors, services
from ..filters import ResearcherTargetFilterSet
from ..forms import ResearcherTargetForm
from ..models import ResearcherTarget
from ..tables import ResearcherTargetTable


def _year(request) -> int:
    """The year whose progress the list shows: the filtered year, else the latest year with targets."""
    text = request.GET.get("year", "")
    if text.isdigit() and 2000 <= int(text) <= 2100:
        return int(text)
    return selectors.researcher_latest_year(user=request.user) or timezone.localdate().year


class ResearcherTargetListView(ObjectListView):
    model = ResearcherTarget
    table_class = ResearcherTargetTable
    filterset_class = ResearcherTargetFilterSet
    template_name = "reporting/researchertarget_list.html"
    actions = ("add", "export")

    def get_base_queryset(self):
        return selectors.researcher_target_list(user=self.request.user)

    def get_table_kwargs(self):
        if not self.request.user.has_perm("reporting.change_researchertarget"):
            return {"exclude": ("edit",)}
        return {}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        year = _year(self.request)
        context["progress_year"] = year
        context["progress"] = selectors.researcher_progress_for(user=self.request.user, year=year)
        return context


class ResearcherTargetExportView(ResearcherTargetListView, ObjectExportView):
    pass


class _SaveMixin:
    def save_form(self, form):
        return services.researcher_target_save(target=form.instance, actor=self.request.user)


class ResearcherTargetCreateView(_SaveMixin, ObjectCreateView):
    model = ResearcherTarget
    form_class = ResearcherTargetForm

    def get_initial(self):
        return {"year": timezone.localdate().year}


class ResearcherTargetUpdateView(_SaveMixin, ObjectUpdateView):
    model = ResearcherTarget
    form_class = ResearcherTargetForm
