from __future__ import annotations

from django import forms
from django.db.models import Q

from experts.models import ExpertField
from kejiju.core.forms import ScopedForm, ScopedModelForm
from kejiju.core.models import Organization

from .models import (
    EvaluationPolicy,
    OutreachEvent,
    Platform,
    PlatformApplication,
    PlatformEvaluation,
    PlatformType,
    RecognitionBatch,
)
from .rules import PlatformState


class HostFieldsMixin(forms.Form):
    """The unit (依托单位 / 申报单位) by its full name; a unit not yet known is registered with its kind.
    The core does not (yet) offer a unit picker, so the name is the key, as in the enterprises app."""

    host_name = forms.CharField(
        label="单位名称", max_length=200, help_text="填写单位全称；单位库中没有的将按所选类型新建"
    )
    host_kind = forms.ChoiceField(
        label="单位类型（新单位）", choices=Organization.Kind.choices, initial=Organization.Kind.ENTERPRISE
    )


class PlatformForm(HostFieldsMixin, ScopedModelForm):
    class Meta:
        model = Platform
        fields = [
            "name",
            "platform_type",
            "level",
            "state",
            "region",
            "field",
            "certificate_no",
            "recognised_on",
            "staff_count",
            "notes",
        ]

    field_order = ["name", "platform_type", "level", "state", "host_name", "host_kind", "region"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["host_name"].label = "依托单位"
        # A retired type stays selectable for the platforms that already have it.
        self.fields["platform_type"].queryset = PlatformType.objects.filter(
            Q(is_active=True) | Q(pk=self.instance.platform_type_id)
        )
        if self.instance.pk:
            # State and level change only through the state actions (with their checks and timeline).
            del self.fields["state"]
            del self.fields["level"]
            self.fields["host_name"].initial = self.instance.host.name
            self.fields["certificate_no"].disabled = True
            self.fields["recognised_on"].disabled = True
            self.fields["certificate_no"].help_text = "证书编号和认定日期由认定操作写入"


class PlatformTypeForm(ScopedModelForm):
    class Meta:
        model = PlatformType
        fields = ["name", "code", "sort_order", "is_active", "description"]


class BatchForm(ScopedModelForm):
    class Meta:
        model = RecognitionBatch
        fields = [
            "title",
            "year",
            "platform_type",
            "level",
            "deadline",
            "pass_score",
            "quota",
            "review_fields",
            "panel_size",
            "notes",
        ]
        widgets = {"review_fields": forms.CheckboxSelectMultiple}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["platform_type"].queryset = PlatformType.objects.filter(is_active=True)
        self.fields["review_fields"].queryset = ExpertField.objects.filter(is_active=True)


class ApplicationForm(HostFieldsMixin, ScopedModelForm):
    class Meta:
        model = PlatformApplication
        fields = ["platform_name", "region", "field", "staff_count", "platform", "summary"]

    field_order = ["platform_name", "host_name", "host_kind", "region"]

    def __init__(self, *args, batch: RecognitionBatch, **kwargs):
        super().__init__(*args, **kwargs)
        self.batch = batch
        self.fields["host_name"].label = "申报单位"
        platforms = (
            Platform.objects.visible_to(self.user)
            .filter(platform_type=batch.platform_type)
            .exclude(state=PlatformState.REVOKED)
            .select_related("host")
        )
        self.fields["platform"].queryset = platforms
        if self.instance.pk:
            self.fields["host_name"].initial = self.instance.applicant.name


class UnitApplicationForm(ScopedModelForm):
    """A unit administrator's own application: the applicant is its unit and the region the unit's (shown,
    not chosen); a registered platform is one the unit hosts (or none, for a new platform)."""

    applicant_name = forms.CharField(label="申报单位", required=False, disabled=True)
    region_name = forms.CharField(label="所在县区", required=False, disabled=True)

    class Meta:
        model = PlatformApplication
        fields = ["platform_name", "field", "staff_count", "platform", "summary"]

    field_order = ["platform_name", "applicant_name", "region_name"]

    def __init__(self, *args, batch: RecognitionBatch, unit: Organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.batch = batch
        self.fields["applicant_name"].initial = unit.name
        self.fields["region_name"].initial = unit.region.name if unit.region_id else "（未登记）"
        self.fields["platform"].queryset = (
            Platform.objects.filter(host=unit, platform_type=batch.platform_type)
            .exclude(state=PlatformState.REVOKED)
            .order_by("name", "pk")
        )
        platform = self.fields["platform"]
        platform.help_text = (
            f"以本单位依托的{batch.platform_type}申报（培育平台申请认定、升级）时选择；新平台留空"
        )
        self.fields["platform"].error_messages["invalid_choice"] = (
            "所选平台不是本单位依托的同类型平台，请重新选择；新平台留空。"
        )


class ScoreForm(ScopedForm):
    score = forms.DecimalField(label="评审得分", max_digits=5, decimal_places=2, min_value=0, max_value=100)
    note = forms.CharField(
        label="说明", max_length=200, required=False, help_text="如：专家组评分表编号、评审会日期"
    )


class EvaluationForm(ScopedModelForm):
    class Meta:
        model = PlatformEvaluation
        fields = ["year", "score", "comment"]


class EvaluationPolicyForm(ScopedModelForm):
    class Meta:
        model = EvaluationPolicy
        fields = ["excellent_min", "good_min", "pass_min", "fail_streak_for_revocation"]


class OutreachEventForm(ScopedModelForm):
    class Meta:
        model = OutreachEvent
        fields = [
            "name",
            "held_on",
            "kind",
            "state",
            "science_week",
            "region",
            "platform",
            "organiser_name",
            "venue",
            "audience",
            "description",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].error_messages["invalid_choice"] = (
            "只能登记本县区的科普活动，不能选择其他县区。"
        )
        self.fields["platform"].queryset = (
            Platform.objects.visible_to(self.user).exclude(state=PlatformState.REVOKED).order_by("name")
        )
        self.fields["platform"].error_messages["invalid_choice"] = "所选平台不存在或不在本县区。"


class OutreachPhotoForm(ScopedForm):
    file = forms.FileField(label="照片", help_text="PNG 或 JPEG 图片")
    caption = forms.CharField(label="说明", max_length=200, required=False)
