"""Base views every list, detail, form and delete page extends (after NetBox: a list view is a queryset,
a filterset and a table; permissions per action; county scoping through the queryset)."""

from __future__ import annotations

from typing import Any

from auditlog.models import LogEntry
from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import ProtectedError
from django.http import HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import NoReverseMatch, reverse
from django.views.generic import DeleteView, DetailView
from django.views.generic.edit import CreateView, UpdateView
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin

from kejiju.core import presentation, uploads
from kejiju.core.history import with_readable_changes
from kejiju.core.models import AuditEvent
from kejiju.core.pagination import EstimatedCountPaginator
from kejiju.core.scoping import scoped_queryset
from kejiju.core.services import audit_event_record
from kejiju.core.xlsx import filtered_queryset, table_export_rows, xlsx_response


def model_url(model: type[models.Model], action: str) -> str | None:
    try:
        return reverse(f"{model._meta.app_label}:{model._meta.model_name}_{action}")
    except NoReverseMatch:
        return None


class ActionPermissionMixin(PermissionRequiredMixin):
    """Requires `<app>.<action>_<model>` unless `permission_required` says otherwise. Anonymous users never
    get here (LoginRequiredMiddleware); a logged-in user without the permission gets 403."""

    action = "view"
    raise_exception = True
    model: type[models.Model]

    def get_permission_required(self):
        if self.permission_required:
            return super().get_permission_required()
        meta = self.model._meta
        return (f"{meta.app_label}.{self.action}_{meta.model_name}",)


class StaffOnlyMixin:
    """Refuses (403) accounts bound to a unit on a page that holds a view permission they have but is not
    theirs: statistics and overviews across counties (a unit reads its own records on their lists and
    detail pages). Put it before the permission mixin."""

    staff_only = True  # kejiju.core.links reads it: a link to such a page is not offered to a unit

    def dispatch(self, request, *args, **kwargs):
        from kejiju.core.scoping import unit_id_of_user

        if unit_id_of_user(request.user) is not None:
            raise PermissionDenied("该页面仅供科技管理部门使用。")
        return super().dispatch(request, *args, **kwargs)


class PersonalDataMixin:
    """Marks a page that shows personal data (names with 身份证号 or mobile numbers, accounts, sessions):
    base.html gives its body the class `kj-watermark`, whose background (static/css/kejiju.css) is the
    viewer's name and the time (kejiju.core.views.pages.WatermarkView). The one mark of such pages;
    tests/security/test_watermarks.py finds every page that shows an ID or mobile number and wants it."""

    shows_personal_data = True


class ScopedQuerysetMixin:
    """The rows a user may reach (`kejiju.core.scoping.scoped_queryset`): the model's
    `visible_to(user)`, or every row of a model registered global; a model that says neither is refused.
    A row outside the scope is a 404, never the object."""

    def get_base_queryset(self):
        return scoped_queryset(self.model, self.request.user)

    def get_queryset(self):
        return self.get_base_queryset()


class BreadcrumbMixin:
    def get_breadcrumbs(self) -> list[tuple[str, str | None]]:
        meta = self.model._meta
        crumbs: list[tuple[str, str | None]] = [
            (str(meta.verbose_name_plural), model_url(self.model, "list"))
        ]
        obj = getattr(self, "object", None)
        if obj is not None and obj.pk:
            crumbs.append((str(obj), obj.get_absolute_url() if hasattr(obj, "get_absolute_url") else None))
        return crumbs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["breadcrumbs"] = self.get_breadcrumbs()
        context["model_meta"] = self.model._meta
        return context


class ObjectListView(
    ActionPermissionMixin, ScopedQuerysetMixin, BreadcrumbMixin, SingleTableMixin, FilterView
):
    template_name = "generic/object_list.html"
    # Counts capped, estimated above 10,000 rows; deep pages by keys first (kejiju/core/pagination.py).
    table_pagination = {"per_page": 50, "paginator_class": EstimatedCountPaginator}
    filterset_class = None
    # Templates show these buttons when the user holds the permission and the URL exists.
    actions = ("add", "import", "export")

    def get_breadcrumbs(self):
        return [(str(self.model._meta.verbose_name_plural), None)]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        meta = self.model._meta
        user = self.request.user
        buttons = []
        labels = {"add": "新增", "import": "导入", "export": "导出 Excel"}
        perms = {"add": "add", "import": "add", "export": "view"}
        for action in self.actions:
            url = model_url(self.model, action)
            if url and user.has_perm(f"{meta.app_label}.{perms[action]}_{meta.model_name}"):
                if action == "export":
                    query = self.request.GET.copy()
                    query.pop("page", None)
                    url = f"{url}?{query.urlencode()}" if query else url
                buttons.append((action, labels[action], url))
        context["list_buttons"] = buttons
        context["title"] = meta.verbose_name_plural
        return context


class ObjectExportView(ObjectListView):
    """The list's own queryset, filterset and table, written to xlsx: the file holds what the user saw
    (the columns shown, the rows filtered), all pages of it."""

    export_filename: str | None = None

    def get(self, request, *args, **kwargs):
        filterset = self.get_filterset(self.get_filterset_class())
        table = self.get_table_class()(filtered_queryset(filterset), request=request)
        headers, rows = table_export_rows(table)
        name = self.export_filename or str(self.model._meta.verbose_name_plural)
        audit_event_record(
            event_type=AuditEvent.Type.EXPORT,
            request=request,
            object_repr=name,
            detail=request.GET.urlencode()[:1000],
        )
        return xlsx_response(
            filename=f"{name}.xlsx", title=name, headers=headers, rows=rows, viewer=request.user
        )


class HistoryMixin:
    """The change history of the object (django-auditlog) for the detail page."""

    history_limit = 50

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["history"] = with_readable_changes(
            LogEntry.objects.get_for_object(self.object).select_related("actor")[: self.history_limit]
        )
        return context


class ObjectDetailView(ActionPermissionMixin, ScopedQuerysetMixin, BreadcrumbMixin, HistoryMixin, DetailView):
    template_name = "generic/object_detail.html"
    # (label, value) rows for the generic template (shown through kejiju.core.presentation: the
    # `present` filter); pages with more to show extend it.
    detail_fields: tuple[str, ...] = ()

    def get_detail_rows(self) -> list[tuple[str, Any]]:
        rows = []
        for name in self.detail_fields:
            field = self.object._meta.get_field(name)
            rows.append((str(field.verbose_name), presentation.field_value(self.object, field)))
        return rows

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        meta = self.model._meta
        context["detail_rows"] = self.get_detail_rows()
        context["can_change"] = user.has_perm(f"{meta.app_label}.change_{meta.model_name}")
        context["can_delete"] = user.has_perm(f"{meta.app_label}.delete_{meta.model_name}")
        context["edit_url"] = self._object_url("edit")
        context["delete_url"] = self._object_url("delete")
        return context

    def _object_url(self, action: str) -> str | None:
        meta = self.model._meta
        try:
            return reverse(f"{meta.app_label}:{meta.model_name}_{action}", kwargs={"pk": self.object.pk})
        except NoReverseMatch:
            return None


class FormUserMixin:
    """Passes the user to the form (forms limit region choices to what the user may pick)."""

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["user"] = self.request.user
        return kwargs


def add_service_errors(form, error: ValidationError) -> None:
    """Put a service's ValidationError on the form: on the field it names when the form has it, else on
    the form as a whole. The one way a service's refusal reaches a page (through `ServiceFormMixin`)."""
    if hasattr(error, "error_dict"):
        for name, errors in error.message_dict.items():
            form.add_error(name if name in getattr(form, "fields", {}) else None, errors)  # a formset: none
    else:
        form.add_error(None, error.messages)


def service_error_text(error: ValidationError) -> str:
    """A service's ValidationError as one line (for a message on a page without a form)."""
    return "；".join(str(message) for message in error.messages)


class ServiceFormMixin:
    """A form view whose valid form is handed to a service (`perform`, run in a transaction that also
    removes the files it stored if it rolls back). The service's ValidationError is shown on the form and
    nothing is saved. `perform` returns the response, or None for `get_success_url`."""

    success_message: str | None = None

    def perform(self, form):
        raise NotImplementedError

    def form_valid(self, form):
        try:
            with uploads.atomic():
                response = self.perform(form)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        if self.success_message:
            messages.success(self.request, self.success_message)
        return response if response is not None else HttpResponseRedirect(self.get_success_url())


class ObjectEditMixin(ServiceFormMixin, FormUserMixin, BreadcrumbMixin):
    template_name = "generic/object_form.html"
    success_message = "已保存。"

    def save_form(self, form) -> models.Model:
        """Override to call the app's service; runs inside a transaction."""
        return form.save()

    def perform(self, form):
        self.object = self.save_form(form)

    def get_success_url(self):
        if hasattr(self.object, "get_absolute_url"):
            return self.object.get_absolute_url()
        return model_url(self.model, "list") or "/"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        obj = getattr(self, "object", None)
        context["title"] = (
            f"编辑{self.model._meta.verbose_name}" if obj else f"新增{self.model._meta.verbose_name}"
        )
        context["cancel_url"] = (
            obj.get_absolute_url()
            if obj is not None and hasattr(obj, "get_absolute_url")
            else model_url(self.model, "list")
        )
        return context


class ObjectCreateView(ActionPermissionMixin, ObjectEditMixin, CreateView):
    action = "add"


class ObjectUpdateView(ActionPermissionMixin, ScopedQuerysetMixin, ObjectEditMixin, UpdateView):
    action = "change"


class ObjectDeleteView(ActionPermissionMixin, ScopedQuerysetMixin, BreadcrumbMixin, DeleteView):
    action = "delete"
    template_name = "generic/confirm_delete.html"

    def get_success_url(self):
        return model_url(self.model, "list") or "/"

    def delete_object(self) -> None:
        """Override to call the app's service."""
        self.object.delete()

    def form_valid(self, form):
        success_url = self.get_success_url()
        try:
            with transaction.atomic():
                self.delete_object()
        except ValidationError as error:
            messages.error(self.request, service_error_text(error))
            return redirect(
                self.object.get_absolute_url() if hasattr(self.object, "get_absolute_url") else success_url
            )
        except ProtectedError:
            messages.error(self.request, f"“{self.object}”仍被其他记录引用，不能删除。")
            return (
                redirect(self.object.get_absolute_url())
                if hasattr(self.object, "get_absolute_url")
                else redirect(success_url)
            )
        messages.success(self.request, f"已删除“{self.object}”。")
        return HttpResponseRedirect(success_url)
