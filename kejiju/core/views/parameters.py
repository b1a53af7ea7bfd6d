"""系统参数: the system admin's page of every parameter (kejiju.core.parameters), grouped by topic, with
恢复默认 per parameter or for all (confirmed) and the history of changes."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views import View
from django.views.generic import FormView

from kejiju.core import parameters
from kejiju.core.forms import ParameterForm
from kejiju.core.models import ParameterValue
from kejiju.core.selectors import parameter_history, parameter_rows
from kejiju.core.services import parameters_reset, parameters_save
from kejiju.core.views.generic import ActionPermissionMixin, ServiceFormMixin, service_error_text


class _ParameterPage(ActionPermissionMixin):
    model = ParameterValue
    action = "change"

    def get_breadcrumbs(self):
        return [("系统参数", reverse("core:parameter_list"))]


class ParameterListView(_ParameterPage, ServiceFormMixin, FormView):
    template_name = "core/parameter_list.html"
    form_class = ParameterForm
    success_message = None

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        self.rows = parameter_rows()
        kwargs["rows"] = self.rows
        return kwargs

    def perform(self, form):
        changed = parameters_save(
            values=dict(form.cleaned_data), actor=self.request.user, request=self.request
        )
        if changed:
            labels = "、".join(parameters.get(name).label for name in changed)
            messages.success(self.request, f"已保存：{labels}。新值即刻生效。")
        else:
            messages.info(self.request, "没有修改任何参数。")
        return redirect("core:parameter_list")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = context["form"]
        context["title"] = "系统参数"
        context["breadcrumbs"] = self.get_breadcrumbs()
        context["groups"] = [
            (
                topic,
                [(form[row["parameter"].name], row) for row in self.rows if row["parameter"].topic == topic],
            )
            for topic in parameters.TOPICS
        ]
        context["any_saved"] = any(row["saved"] is not None for row in self.rows)
        context["history"] = parameter_history()
        return context


class ParameterResetView(_ParameterPage, View):
    """恢复默认: GET asks for confirmation (?name=… one parameter, none: all), POST resets (audited)."""

    http_method_names = ["get", "post"]

    def _names(self, data) -> list[str] | None:
        name = data.get("name") or ""
        if not name:
            return None
        if name not in parameters.REGISTRY:
            raise ValidationError(f"没有名为“{name}”的系统参数。")
        return [name]

    def get(self, request):
        try:
            names = self._names(request.GET)
        except ValidationError as error:
            messages.error(request, service_error_text(error))
            return redirect("core:parameter_list")
        rows = [row for row in parameter_rows() if names is None or row["parameter"].name in names]
        context = {
            "title": "恢复默认",
            "breadcrumbs": [*self.get_breadcrumbs(), ("恢复默认", None)],
            "rows": [row for row in rows if row["saved"] is not None],
            "name": names[0] if names else "",
            "label": parameters.get(names[0]).label if names else "全部参数",
        }
        return render(request, "core/parameter_reset.html", context)

    def post(self, request):
        try:
            reset = parameters_reset(names=self._names(request.POST), actor=request.user, request=request)
        except ValidationError as error:
            messages.error(request, service_error_text(error))
        else:
            if reset:
                labels = "、".join(
                    parameters.get(name).label for name in reset if name in parameters.REGISTRY
                )
                messages.success(request, f"已恢复默认：{labels}。")
            else:
                messages.info(request, "所选参数已是默认值。")
        return redirect("core:parameter_list")
