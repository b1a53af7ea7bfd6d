"""The 项目与经费统计 page: projects and money by state, year, county and programme."""

from __future__ import annotations

from django.contrib.auth.mixins import PermissionRequiredMixin
from django.urls import reverse
from django.utils import timezone
from django.views.generic import TemplateView

from kejiju.core.views import StaffOnlyMixin

from .. import selectors


class FiguresView(StaffOnlyMixin, PermissionRequiredMixin, TemplateView):
    permission_required = "projects.view_project"
    raise_exception = True
    template_name = "projects/figures.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        years = selectors.project_years(user=user)
        try:
            year = int(self.request.GET.get("year") or (years[0] if years else timezone.localdate().year))
        except ValueError:
            year = timezone.localdate().year
        context.update(
            {
                "title": "项目与经费统计",
                "year": year,
                "years": years,
                "by_state": selectors.project_figures_by_state(user=user, year=year),
                "by_programme": selectors.project_figures_by_programme(user=user, year=year),
                "by_county": selectors.project_figures_by_county(user=user, year=year),
                "by_year": selectors.project_figures_by_year(user=user),
                "cooperation": selectors.cooperation_figures(user=user, year=year),
                "cooperation_by_county": list(
                    selectors.cooperation_figures_by_county(user=user, year=year).values()
                ),
                "breadcrumbs": [("科技计划项目", reverse("projects:project_list")), ("项目与经费统计", None)],
            }
        )
        return context
