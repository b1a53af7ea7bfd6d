"""平台类型: the list of platform types and their create and edit forms (bureau staff)."""

from __future__ import annotations

from django.urls import reverse

from kejiju.core.views import ObjectCreateView, ObjectListView, ObjectUpdateView

from .. import selectors, services
from ..filters import PlatformTypeFilterSet
from ..forms import PlatformTypeForm
from ..models import PlatformType
from ..tables import PlatformTypeTable


class PlatformTypeListView(ObjectListView):
    model = PlatformType
    table_class = PlatformTypeTable
    filterset_class = PlatformTypeFilterSet
    actions = ("add",)

    def get_base_queryset(self):
        return selectors.platform_type_list()


class PlatformTypeCreateView(ObjectCreateView):
    model = PlatformType
    form_class = PlatformTypeForm

    def save_form(self, form):
        return services.platform_type_save(instance=form.instance)

    def get_success_url(self):
        return reverse("platforms:platformtype_list")


class PlatformTypeUpdateView(ObjectUpdateView):
    model = PlatformType
    form_class = PlatformTypeForm

    def save_form(self, form):
        return services.platform_type_save(instance=form.instance)

    def get_success_url(self):
        return reverse("platforms:platformtype_list")
