"""平台统计: the annual-review counts of platforms as a page and as an xlsx workbook."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.generic import TemplateView, View

from kejiju.core.models import AuditEvent
from kejiju.core.services import audit_event_record
from kejiju.core.views import ActionPermissionMixin, StaffOnlyMixin
from kejiju.core.xlsx import XLSX_CONTENT_TYPE, add_sheet, new_workbook, workbook_bytes

from .. import selectors
from ..models import Platform


def _stats_params(request) -> tuple[int, str | None]:
    try:
        year = int(request.GET.get("year") or timezone.localdate().year)
    except ValueError:
        year = timezone.localdate().year
    return min(max(year, 2000), 2100), request.GET.get("region")


class PlatformStatsView(StaffOnlyMixin, ActionPermissionMixin, TemplateView):
    """Counts for the annual review: newly recognised by type and level, by county; 筹建 admissions;
    platforms in force; evaluation grades. A county account sees its own county only."""

    model = Platform
    permission_required = "platforms.view_platform"
    template_name = "platforms/platform_stats.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        year, region_id = _stats_params(self.request)
        stats = selectors.platform_stats(user=self.request.user, year=year, region_id=region_id)
        query = urlencode({"year": year, "region": stats["region"].pk if stats["region"] else ""})
        context.update(
            stats,
            title="平台统计",
            breadcrumbs=[("创新平台", reverse("platforms:platform_list")), ("平台统计", None)],
            export_url=f"{reverse('platforms:platform_stats_export')}?{query}",
        )
        return context


class PlatformStatsExportView(StaffOnlyMixin, ActionPermissionMixin, View):
    """The statistics page as an xlsx workbook (one sheet per table)."""

    model = Platform
    permission_required = "platforms.view_platform"

    def get(self, request):
        year, region_id = _stats_params(request)
        stats = selectors.platform_stats(user=request.user, year=year, region_id=region_id)
        scope = stats["region"].name if stats["region"] else "全市"
        workbook = new_workbook(viewer=request.user)
        type_rows = ("平台类型", "级别", "数量")

        def typed(rows):
            return [(row["platform_type"], row["level_label"], row["count"]) for row in rows]

        add_sheet(workbook, title=f"{year}年新认定", headers=type_rows, rows=typed(stats["recognised"]))
        add_sheet(workbook, title=f"{year}年纳入筹建", headers=type_rows, rows=typed(stats["preparing"]))
        if not stats["region_locked"]:
            add_sheet(
                workbook,
                title=f"{year}年新认定按县区",
                headers=("县区", "数量"),
                rows=[(row["region"], row["count"]) for row in stats["by_region"]],
            )
        add_sheet(
            workbook, title=f"{year}年绩效评价", headers=("等次", "数量"), rows=list(stats["grades"].items())
        )
        add_sheet(workbook, title="当前有效平台", headers=type_rows, rows=typed(stats["in_force"]))
        name = f"平台统计_{year}_{scope}"
        audit_event_record(event_type=AuditEvent.Type.EXPORT, request=request, object_repr=name)
        return HttpResponse(
            workbook_bytes(workbook),
            content_type=XLSX_CONTENT_TYPE,
            headers={"Content-Disposition": content_disposition_header(True, f"{name}.xlsx")},
        )
