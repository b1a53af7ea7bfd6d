from __future__ import annotations

from django import forms

from kejiju.accounts.models import Region
from kejiju.core.forms import ScopedModelForm

from .models import Announcement


class AnnouncementForm(ScopedModelForm):
    """A draft: the service checks the audience, the dates and the attachment (kejiju.core.uploads)."""

    attachment = forms.FileField(
        label="添加附件",
        required=False,
        help_text="PDF、Word、Excel、WPS 或图片，不超过 20 MB；保存后可继续添加。",
    )

    class Meta:
        model = Announcement
        fields = ["title", "body", "audience", "regions", "publish_at", "expires_at", "pinned"]
        widgets = {
            "body": forms.Textarea(attrs={"rows": 12}),
            "regions": forms.CheckboxSelectMultiple,
            "audience": forms.RadioSelect,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["regions"].queryset = Region.objects.county_level()

    def _get_validation_exclusions(self):
        # The dates' order is the service's (its message names the field and the case of an empty time).
        return {*super()._get_validation_exclusions(), "expires_at", "publish_at"}
