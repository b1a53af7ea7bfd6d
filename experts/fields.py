"""Form fields that name a unit or an expert by typing instead of choosing from a select: a select of
every unit (100,000 enterprises at province scale) or every expert would not scale."""

from __future__ import annotations

import re

from django import forms
from django.core.exceptions import ValidationError

from kejiju.core.models import Organization
from kejiju.core.services import normalise_organization_name

from .models import Expert


def _organizations(kinds):
    queryset = Organization.objects.filter(is_active=True)
    return queryset.filter(kind__in=kinds) if kinds else queryset


def resolve_organization(text: str, *, kinds=None, label: str = "单位") -> Organization:
    """The unit whose 统一社会信用代码 or exact name is ``text``; ValidationError in Chinese otherwise."""
    queryset = _organizations(kinds)
    match = queryset.filter(uscc=text.upper()).first() if len(text) == 18 else None
    if match is None:  # a name is held by one unit only (core.Organization's constraint)
        match = queryset.filter(name=normalise_organization_name(text)).first()
    if match is None:
        raise ValidationError(f"{label}“{text}”不在单位库中，请核对名称或先登记该单位。")
    return match


class OrganizationField(forms.Field):
    """One unit, typed as its exact name or its 统一社会信用代码."""

    widget = forms.TextInput

    def __init__(self, *, kinds=None, **kwargs):
        kwargs.setdefault("help_text", "填写单位全称或统一社会信用代码。")
        super().__init__(**kwargs)
        self.kinds = kinds

    def prepare_value(self, value):
        if isinstance(value, Organization):
            return value.name
        if isinstance(value, int):
            return Organization.objects.filter(pk=value).values_list("name", flat=True).first() or ""
        return value

    def to_python(self, value):
        text = (value or "").strip() if isinstance(value, str) else value
        if not text:
            return None
        if isinstance(text, Organization):
            return text
        return resolve_organization(text, kinds=self.kinds, label=str(self.label or "单位"))


class OrganizationListField(forms.Field):
    """Several units, one per line (name or 统一社会信用代码)."""

    widget = forms.Textarea(attrs={"rows": 3})

    def prepare_value(self, value):
        if not value or isinstance(value, str):
            return value or ""
        items = list(value)
        ids = [item for item in items if isinstance(item, int)]
        names = dict(Organization.objects.filter(pk__in=ids).values_list("pk", "name")) if ids else {}
        return "\n".join(
            item.name if isinstance(item, Organization) else names.get(item, "") for item in items
        )

    def to_python(self, value):
        if not value:
            return []
        if not isinstance(value, str):
            return list(value)
        units, errors = [], []
        for line in (line.strip() for line in re.split(r"[\r\n]+", value)):
            if not line:
                continue
            try:
                units.append(resolve_organization(line))
            except ValidationError as error:
                errors.extend(error.messages)
        if errors:
            raise ValidationError(errors)
        return units


class ExpertRefField(forms.Field):
    """An expert of the library, typed as a name or, for namesakes, the expert's number."""

    widget = forms.TextInput

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", "填写库内专家姓名；同名时填写专家编号（专家详情页网址中的数字）。")
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, int):
            value = Expert.objects.filter(pk=value).first()
        if isinstance(value, Expert):
            namesakes = Expert.objects.filter(name=value.name).count()
            return value.name if namesakes == 1 else str(value.pk)
        return value

    def to_python(self, value):
        text = (value or "").strip() if isinstance(value, str) else value
        if not text:
            return None
        if isinstance(text, Expert):
            return text
        if text.isdigit():
            expert = Expert.objects.filter(pk=int(text)).first()
            if expert is None:
                raise ValidationError(f"没有编号为 {text} 的专家。")
            return expert
        matches = list(Expert.objects.filter(name=text)[:2])
        if not matches:
            raise ValidationError(f"专家库中没有“{text}”。")
        if len(matches) > 1:
            raise ValidationError(f"专家库中有多位“{text}”，请填写专家编号。")
        return matches[0]
