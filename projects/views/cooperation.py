"""The 省校合作 project pages: list, export, detail, entry and edit."""

from __future__ import annotations

from kejiju.core.views import (
    ObjectCreateView,
    ObjectDetailView,
    ObjectExportView,
    ObjectListView,
    ObjectUpdateView,
)

from .. import selectors, services
from ..filters import CooperationProjectFilterSet
from ..forms import CooperationProjectForm
from ..models import CooperationProject
from ..tables import CooperationProjectTable


class CooperationProjectListView(ObjectListView):
    model = CooperationProject
    table_class = CooperationProjectTable
    filterset_class = CooperationProjectFilterSet
    actions = ("add", "export")

    def get_base_queryset(self):
        return selectors.cooperation_project_list(user=self.request.user)


class CooperationProjectExportView(CooperationProjectListView, ObjectExportView):
    export_filename = "省校合作项目"


class CooperationProjectDetailView(ObjectDetailView):
    model = CooperationProject
    detail_fields = (
        "title",
        "region",
        "university",
        "local_unit",
        "kind",
        "state",
        "task_year",
        "signed_on",
        "landed_on",
        "finished_on",
        "investment",
        "note",
    )


class CooperationProjectCreateView(ObjectCreateView):
    model = CooperationProject
    form_class = CooperationProjectForm

    def save_form(self, form):
        return services.cooperation_project_save(project=form.instance, user=self.request.user)


class CooperationProjectUpdateView(ObjectUpdateView):
    model = CooperationProject
    form_class = CooperationProjectForm

    def save_form(self, form):
        return services.cooperation_project_save(project=form.instance, user=self.request.user)
