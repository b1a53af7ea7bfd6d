from __future__ import annotations

from crispy_forms.helper import FormHelper
from django import forms

from kejiju.accounts.scoping import scope_region_ids


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
