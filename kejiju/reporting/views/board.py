"""The bureau's board (报送看板): every county's state for one month, and reopening a closed month for
one county."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.views.generic import FormView, TemplateView

from kejiju.accounts.models import Region
from kejiju.core.views import (
    ServiceFormMixin,
    service_error_text,
)

from .. import rules, selectors, services
from ..forms import ReopenForm
from .mixins import PermissionMixin


def _month_from_request(request) -> tuple[int, int]:
    text = request.GET.get("month")
    if text:
        try:
            return rules.parse_month(text)
        except ValidationError as error:
            messages.error(request, service_error_text(error))
    return rules.due_month(timezone.now())


class BoardView(PermissionMixin, TemplateView):
    """The bureau's board: every county's state for one month at a glance."""

    permission_required = "reporting.view_monthlyfiling"
    template_name = "reporting/board.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not request.user.has_perm("accounts.view_all_regions"):
            return self.handle_no_permission()
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        year, month = _month_from_request(self.request)
        now = timezone.now()
        rows = selectors.month_board(user=self.request.user, year=year, month=month, now=now)
        researchers = {
            r["region"].pk: r
            for r in selectors.researcher_figures_by_county(year=year, user=self.request.user)
        }
        for row in rows:
            row.researchers = researchers.get(row.region.pk)
        py, pm = rules.previous_month(year, month)
        ny, nm = rules.next_month(year, month)
        context.update(
            title=f"{year}年{month}月报送看板",
            year=year,
            month=month,
            rows=rows,
            counts=selectors.board_counts(rows),
            last_filing_day=rules.last_filing_day(year, month),
            past_deadline=rules.is_past_deadline(year, month, now),
            previous=f"{py}-{pm:02d}",
            next=f"{ny}-{nm:02d}" if not rules.is_future_month(ny, nm, now) else None,
            month_value=f"{year}-{month:02d}",
            can_reopen=self.request.user.has_perm("reporting.add_filingexception"),
            breadcrumbs=[("报送看板", None)],
        )
        return context


class ReopenView(PermissionMixin, ServiceFormMixin, FormView):
    permission_required = "reporting.add_filingexception"
    form_class = ReopenForm
    template_name = "reporting/reopen_form.html"

    def dispatch(self, request, *args, **kwargs):
        self.region = get_object_or_404(Region.objects.county_level(), pk=kwargs["region"])
        self.year, self.month = int(kwargs["year"]), int(kwargs["month"])
        if not 1 <= self.month <= 12:
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self):
        expires = timezone.localtime() + timezone.timedelta(days=3)
        return {"expires_at": expires.replace(second=0, microsecond=0, tzinfo=None)}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            title=f"解锁补报：{self.region} {self.year}年{self.month}月",
            region=self.region,
            year=self.year,
            month=self.month,
            board_url=f"{reverse('reporting:board')}?month={self.year}-{self.month:02d}",
        )
        return context

    def perform(self, form):
        services.filing_reopen(
            actor=self.request.user,
            region=self.region,
            year=self.year,
            month=self.month,
            reason=form.cleaned_data["reason"],
            expires_at=form.cleaned_data["expires_at"],
        )
        messages.success(self.request, f"已为{self.region}解锁{self.year}年{self.month}月的填报。")
        return redirect(f"{reverse('reporting:board')}?month={self.year}-{self.month:02d}")
