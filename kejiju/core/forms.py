from __future__ import annotations

from crispy_forms.helper import FormHelper
from django import forms

from kejiju.accounts.scoping import scope_region_ids

from .identifiers import IdentifierError, validate_uscc
from .models import Organization


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
