from __future__ import annotations

from crispy_forms.helper import FormHelper
from django import forms

from kejiju.core.scoping import scope_region_ids

from .holidays import (
    TextFormatError,
    format_holidays,
    format_makeup_workdays,
    parse_holidays,
    parse_makeup_workdays,
)
from .identifiers import IdentifierError, validate_uscc
from .models import HolidayArrangement, Organization


class CrispyFormMixin:
    """The template renders the <form> tag and the buttons; crispy renders the fields."""

    def _init_helper(self) -> None:
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True


class ScopedModelForm(CrispyFormMixin, forms.ModelForm):
    """A model form that knows its user: a region field offers only the regions the user may use, so a
    county account cannot forge another county in a POST (the choice is invalid)."""

    region_field_name = "region"

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self._init_helper()
        field = self.fields.get(self.region_field_name)
        if field is not None and hasattr(field, "queryset"):
            allowed = scope_region_ids(user)
            queryset = field.queryset.model.objects.county_level()
            if allowed is not None:
                queryset = queryset.filter(pk__in=allowed)
                if len(allowed) == 1 and not self.instance.pk:
                    field.initial = allowed[0]
            field.queryset = queryset


class ScopedForm(CrispyFormMixin, forms.Form):
    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self._init_helper()


class OrganizationForm(ScopedModelForm):
    class Meta:
        model = Organization
        fields = ["name", "kind", "uscc", "region", "is_active"]

    def _get_validation_exclusions(self):
        """Names and codes are left to organization_save, whose message sits under the field and names the
        unit already there (the model's constraints would only say "already exists", atop the form)."""
        return {*super()._get_validation_exclusions(), "name", "uscc"}

    def clean_uscc(self) -> str:
        value = self.cleaned_data["uscc"].strip().upper()
        if not value:
            return value
        try:
            value = validate_uscc(value)
        except IdentifierError as error:
            raise forms.ValidationError(str(error)) from error
        duplicate = Organization.objects.filter(uscc=value).exclude(pk=self.instance.pk).first()
        if duplicate is not None:
            raise forms.ValidationError(f"统一社会信用代码已被“{duplicate.name}”使用。")
        return value


class HolidayArrangementForm(CrispyFormMixin, forms.ModelForm):
    """One year's 节假日安排, its two lists typed as text: one holiday a line, the make-up days as dates."""

    holidays = forms.CharField(
        label="放假安排",
        widget=forms.Textarea(attrs={"rows": 9}),
        help_text="每行一个节日：名称 开始日期 至 结束日期，如“春节 2026-02-15 至 2026-02-23”；"
        "一天的假期只写一个日期。元旦假期可从上一年12月开始。",
    )
    url = forms.URLField(label="原文链接", required=False, max_length=500, assume_scheme="https")
    makeup_workdays = forms.CharField(
        label="调休上班日",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="通知中“上班”的周六、周日，每行一个日期（或用逗号分隔），如 2026-02-14。",
    )

    class Meta:
        model = HolidayArrangement
        fields = ["year", "notice_title", "document_number", "published_on", "url", "amendments"]
        widgets = {
            "published_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "amendments": forms.Textarea(attrs={"rows": 2}),
        }
        help_texts = {
            "notice_title": "如“国务院办公厅关于2027年部分节假日安排的通知”。",
            "document_number": "如“国办发明电〔2019〕16号”；文号与原文链接至少填一项便于核对。",
            "amendments": "该年度安排后来被调整时（如延长假期），写明调整通知及其内容。",
        }

    field_order = [
        "year",
        "notice_title",
        "document_number",
        "published_on",
        "url",
        "holidays",
        "makeup_workdays",
        "amendments",
    ]

    def __init__(self, *args, user=None, instance=None, initial=None, **kwargs):
        if instance is not None and instance.pk:
            initial = {
                "holidays": format_holidays(instance.holidays),
                "makeup_workdays": format_makeup_workdays(instance.makeup_workdays),
                **(initial or {}),
            }
        super().__init__(*args, instance=instance, initial=initial, **kwargs)
        self.user = user
        self._init_helper()
        if self.instance.pk:
            self.fields["year"].disabled = True
            self.fields["year"].help_text = "年度不能修改；录错年度请新增正确年度。"

    def clean_holidays(self) -> list[list[str]]:
        try:
            entries = parse_holidays(self.cleaned_data["holidays"])
        except TextFormatError as error:
            raise forms.ValidationError(str(error)) from None
        if not entries:
            raise forms.ValidationError("请填写放假安排，每行一个节日。")
        return [[name, first.isoformat(), last.isoformat()] for name, first, last in entries]

    def clean_makeup_workdays(self) -> list[str]:
        try:
            days = parse_makeup_workdays(self.cleaned_data["makeup_workdays"])
        except TextFormatError as error:
            raise forms.ValidationError(str(error)) from None
        return [day.isoformat() for day in days]

    def clean(self):
        data = super().clean()
        if not self.errors and not data.get("document_number") and not data.get("url"):
            self.add_error("document_number", "请填写文号或原文链接（至少一项），以便核对来源。")
        return data

    def _post_clean(self) -> None:
        # The lists go onto the instance before the model's clean() checks them against the other years.
        if "holidays" in self.cleaned_data:
            self.instance.holidays = self.cleaned_data["holidays"]
        if "makeup_workdays" in self.cleaned_data:
            self.instance.makeup_workdays = self.cleaned_data["makeup_workdays"]
        super()._post_clean()


class ParameterForm(forms.Form):
    """Every 系统参数 as a text field (the service parses and range-checks them: a refusal names the
    field); the inputs carry the range for the browser."""

    def __init__(self, *args, rows: list[dict], **kwargs):
        from . import parameters

        super().__init__(*args, **kwargs)
        for row in rows:
            parameter = row["parameter"]
            attrs: dict[str, str] = {"class": "form-control form-control-sm"}
            if parameter.kind == parameters.INT:
                widget = forms.NumberInput(
                    attrs={**attrs, "min": str(parameter.min_value), "max": str(parameter.max_value)}
                )
            elif parameter.kind == parameters.SIZE:
                widget = forms.NumberInput(attrs={**attrs, "step": "0.01", "min": "0"})
            elif parameter.kind == parameters.TIME:
                widget = forms.TimeInput(attrs={**attrs, "type": "time"}, format="%H:%M")
            else:
                widget = forms.TextInput(attrs=attrs)
            self.fields[parameter.name] = forms.CharField(
                label=parameter.label,
                required=False,
                strip=True,
                initial=parameter.form_text(row["value"]),
                help_text=parameter.help_text,
                widget=widget,
            )
