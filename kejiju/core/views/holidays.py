"""The yearly 节假日安排 pages of the system admin: list, add, edit, and a detail page with the holidays,
the make-up working days, the source notice and the change history."""

from __future__ import annotations

from datetime import date

from kejiju.core.filters import HolidayArrangementFilterSet
from kejiju.core.forms import HolidayArrangementForm
from kejiju.core.holidays import WEEKDAY_NAMES
from kejiju.core.models import HolidayArrangement
from kejiju.core.services import holiday_arrangement_save
from kejiju.core.tables import HolidayArrangementTable
from kejiju.core.views.generic import (
    ObjectCreateView,
    ObjectDetailView,
    ObjectListView,
    ObjectUpdateView,
)


class HolidayArrangementListView(ObjectListView):
    model = HolidayArrangement
    table_class = HolidayArrangementTable
    filterset_class = HolidayArrangementFilterSet
    template_name = "core/holidayarrangement_list.html"
    actions = ("add",)

    def get_context_data(self, **kwargs):
        from kejiju.core.workdays import local_today, missing_years

        context = super().get_context_data(**kwargs)
        context["missing_years"] = missing_years(today=local_today())
        return context


def _day(iso: str) -> str:
    day = date.fromisoformat(iso)
    return f"{iso}（{WEEKDAY_NAMES[day.weekday()]}）"


class HolidayArrangementDetailView(ObjectDetailView):
    model = HolidayArrangement
    template_name = "core/holidayarrangement_detail.html"
    detail_fields = ("year", "notice_title", "document_number", "published_on", "url", "amendments")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        arrangement = self.object
        context["holiday_rows"] = [
            (name, _day(first), _day(last), (date.fromisoformat(last) - date.fromisoformat(first)).days + 1)
            for name, first, last in arrangement.holidays
        ]
        context["makeup_rows"] = [_day(day) for day in arrangement.makeup_workdays]
        return context


class _HolidayArrangementSave:
    model = HolidayArrangement
    form_class = HolidayArrangementForm
    template_name = "core/holidayarrangement_form.html"

    def save_form(self, form):
        return holiday_arrangement_save(instance=form.instance, actor=self.request.user)


class HolidayArrangementCreateView(_HolidayArrangementSave, ObjectCreateView):
    success_message = "已保存节假日安排，按工作日计算的期限即刻按新安排计算。"


class HolidayArrangementUpdateView(_HolidayArrangementSave, ObjectUpdateView):
    success_message = "已保存节假日安排，按工作日计算的期限即刻按新安排计算。"
