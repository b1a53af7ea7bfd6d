"""The platforms (创新平台) themselves: list, export, detail with timeline, create, edit and the platform
workflow's transitions."""

from __future__ import annotations

from kejiju.core.views import (
    ObjectCreateView,
    ObjectDetailView,
    ObjectExportView,
    ObjectListView,
    ObjectUpdateView,
)
from kejiju.core.workflow.diagram import flow_states
from kejiju.core.workflow.views import TransitionView

from .. import selectors, services
from ..filters import PlatformFilterSet
from ..forms import PlatformForm
from ..models import Platform, PlatformApplication, PlatformEvaluation
from ..tables import PlatformTable
from ..workflow import PLATFORM_WORKFLOW
from .common import applicant_host


class PlatformListView(ObjectListView):
    model = Platform
    table_class = PlatformTable
    filterset_class = PlatformFilterSet

    def get_base_queryset(self):
        return selectors.platform_list(user=self.request.user)


class PlatformExportView(PlatformListView, ObjectExportView):
    pass


class PlatformDetailView(ObjectDetailView):
    model = Platform
    template_name = "platforms/platform_detail.html"
    detail_fields = (
        "name",
        "platform_type",
        "level",
        "state",
        "host",
        "region",
        "field",
        "certificate_no",
        "recognised_on",
        "staff_count",
        "notes",
    )

    def get_base_queryset(self):
        return selectors.platform_list(user=self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["events"] = selectors.platform_timeline(platform=self.object)
        context["flow_states"] = flow_states(PLATFORM_WORKFLOW, current=self.object.state)
        # Through visible_to: an application names its own applicant unit, which need not be the host
        # (a unit reads only its own unit's applications).
        evaluations = PlatformEvaluation.objects.visible_to(user).filter(platform=self.object)
        context["evaluations"] = evaluations.order_by("-year")
        context["applications"] = (
            PlatformApplication.objects.visible_to(user)
            .filter(platform=self.object)
            .select_related("batch")
            .order_by("-batch__year")
        )
        context["can_transition"] = user.has_perm("platforms.transition_platform")
        context["can_evaluate"] = user.has_perm("platforms.add_platformevaluation")
        return context


class PlatformCreateView(ObjectCreateView):
    model = Platform
    form_class = PlatformForm

    def save_form(self, form):
        data = form.cleaned_data
        return services.platform_create(
            name=data["name"],
            platform_type=data["platform_type"],
            level=data["level"],
            state=data["state"],
            host=applicant_host(form, data["region"]),
            region=data["region"],
            field=data["field"],
            certificate_no=data["certificate_no"],
            recognised_on=data["recognised_on"],
            staff_count=data["staff_count"],
            notes=data["notes"],
            user=self.request.user,
        )


class PlatformUpdateView(ObjectUpdateView):
    model = Platform
    form_class = PlatformForm

    def get_base_queryset(self):
        return selectors.platform_list(user=self.request.user)

    def save_form(self, form):
        data = form.cleaned_data
        platform = Platform.objects.get(pk=self.object.pk)
        return services.platform_update(
            platform=platform,
            user=self.request.user,
            name=data["name"],
            platform_type=data["platform_type"],
            host=applicant_host(form, data["region"]),
            region=data["region"],
            field=data["field"],
            staff_count=data["staff_count"],
            notes=data["notes"],
        )


class PlatformTransitionView(TransitionView):
    """筹建 / 认定 / 升级认定 / 撤销 / 恢复: the one transition view of the platform workflow."""

    model = Platform
