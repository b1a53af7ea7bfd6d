"""The project's form widgets and the one place every form field passes through before it is rendered or
cleaned.

`settings.FORM_RENDERER` names `FormRenderer`, whose `bound_field_class` is `BoundField`: Django builds a
form's bound fields through it for every form of the project (model forms, plain forms, django-filter's
filter forms, fields added in a form's `__init__`), once per form instance, before the first render and
before cleaning. `BoundField.__init__` hands the form's own copy of the field to `adapt_field`, which

* gives every date field the project's `DateInput` (`<input type="date">` with an ISO value: the zh-hans
  localisation writes 2026/12/05, which chromium's date input shows as empty, so a default was lost and an
  edited record's dates had to be typed again) and every date-time field the `DateTimeInput`
  (`datetime-local`);
* drops the `maxlength` attribute that Django's CharField adds: a browser cuts a pasted value to it without
  a word (a 19-character 统一社会信用代码 became a valid 18-character one). The server refuses a too-long
  value instead, with a message naming the field and both lengths.

Forms declare no date widget of their own; a widget that is not Django's plain DateInput/DateTimeInput
(the admin's calendar widget, a hidden input) is left alone. Only the form instance's field is changed,
never a class's `base_fields`.
"""

from __future__ import annotations

from django import forms
from django.forms.renderers import DjangoTemplates

ISO_DATE = "%Y-%m-%d"
ISO_DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


class DateInput(forms.DateInput):
    """`<input type="date">` whose value is always ISO (YYYY-MM-DD), whatever the locale's formats."""

    input_type = "date"

    def __init__(self, attrs=None, format=None):
        super().__init__(attrs, format or ISO_DATE)


class DateTimeInput(forms.DateTimeInput):
    """`<input type="datetime-local">` whose value is always YYYY-MM-DDTHH:MM (local time)."""

    input_type = "datetime-local"

    def __init__(self, attrs=None, format=None):
        super().__init__(attrs, format or ISO_DATETIME_LOCAL)


# Django's plain widgets (exact types: subclasses such as the admin's calendar widgets are kept) → ours.
PROJECT_WIDGETS = {forms.DateInput: DateInput, forms.DateTimeInput: DateTimeInput}

MAX_LENGTH_MESSAGE = (
    "“{label}”不能超过 %(limit_value)d 个字符（现为 %(show_value)d 个字符），请删减后再提交。"
)


def project_widget(widget: forms.Widget) -> forms.Widget:
    """The project's widget for `widget` (the same object when there is none), keeping its attributes but
    the `type` an ad hoc declaration may have set. Sub-widgets of a multi-widget are replaced in place."""
    if isinstance(widget, forms.MultiWidget):
        widget.widgets = [project_widget(sub) for sub in widget.widgets]
        return widget
    replacement = PROJECT_WIDGETS.get(type(widget))
    if replacement is None:
        return widget
    attrs = {name: value for name, value in widget.attrs.items() if name != "type"}
    new = replacement(attrs=attrs)
    new.is_required = widget.is_required
    new.is_localized = widget.is_localized
    return new


def adapt_field(field: forms.Field, *, label: str) -> None:
    """Apply the project's widget rules to a form instance's own field (see the module docstring)."""
    field.widget = project_widget(field.widget)
    field.widget.attrs.pop("maxlength", None)
    if getattr(field, "max_length", None) is not None:
        text = str(label).replace("%", "%%")
        field.error_messages.setdefault("max_length", MAX_LENGTH_MESSAGE.format(label=text))


class BoundField(forms.BoundField):
    def __init__(self, form, field, name):
        super().__init__(form, field, name)
        adapt_field(field, label=self.label)


class FormRenderer(DjangoTemplates):
    """Django's default renderer, with the project's bound field for every form (settings.FORM_RENDERER)."""

    bound_field_class = BoundField
