"""The one transition form: the action, its date (when the step takes one), a comment, and the extra
inputs the transition declares (`Transition.fields`, a `TransitionFields` subclass)."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from .declarations import Transition


class TransitionFields(forms.Form):
    """Base of a transition's extra inputs; `self.record` and `self.user` are set before its fields are
    built (a choice limited by the record's level, say)."""

    def __init__(self, *args, record=None, user=None, **kwargs):
        self.record = getattr(self, "record", record)
        self.user = getattr(self, "user", user)
        super().__init__(*args, **kwargs)


class TransitionForm(TransitionFields):
    action = forms.CharField(widget=forms.HiddenInput)
    effective_on = forms.DateField(label="生效日期", required=False)
    comment = forms.CharField(
        label="说明", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, transition: Transition | None, record, user, **kwargs):
        self.transition = transition
        self.record, self.user = record, user
        super().__init__(*args, record=record, user=user, **kwargs)
        if transition is None:
            return
        if transition.date is None:
            del self.fields["effective_on"]
        else:
            self.fields["effective_on"].label = transition.date.label
            self.fields["effective_on"].required = True
            self.fields["effective_on"].initial = timezone.localdate()
        if transition.comment_required:
            self.fields["comment"].required = True
            self.fields["comment"].label = "说明（必填）"
            self.fields["comment"].error_messages["required"] = (
                f"办理“{transition.label}”须填写说明（意见或原因）。"
            )
        # The action and the date first, the comment last.
        comment = self.fields.pop("comment")
        self.fields["comment"] = comment

    def extra_data(self) -> dict:
        return {
            name: value
            for name, value in self.cleaned_data.items()
            if name not in ("action", "effective_on", "comment")
        }


def transition_form_class(transition: Transition | None) -> type[TransitionForm]:
    if transition is None or transition.fields is None:
        return TransitionForm
    return type(f"{transition.fields.__name__}TransitionForm", (TransitionForm, transition.fields), {})
