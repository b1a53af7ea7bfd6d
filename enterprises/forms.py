from __future__ import annotations

from django import forms
from django.utils import timezone

from kejiju.core.forms import ScopedForm, ScopedModelForm

from .models import DoublingTarget, Enterprise, EnterpriseYear, GaoqiCertificate, RewardTier
from .services import FIGURE_FIELDS


def _year_choices(back: int = 6, ahead: int = 1) -> list[tuple[int, str]]:
    this_year = timezone.localdate().year
    return [(year, f"{year}年") for year in range(this_year + ahead, this_year - back - 1, -1)]


class EnterpriseForm(ScopedModelForm):
    class Meta:
        model = Enterprise
        fields = [
            "name",
            "uscc",
            "uscc_override",
            "uscc_override_reason",
            "region",
            "industry_section",
            "industry_code",
            "established_on",
            "address",
            "contact_person",
            "contact_phone",
            "clean_record",
            "national_award_top3",
            "provincial_rd_centre",
            "led_standard",
        ]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        if not user.has_perm("enterprises.override_uscc"):
            del self.fields["uscc_override"]
            del self.fields["uscc_override_reason"]
        # The service validates the code (check character, duplicates with a link); the model's unique
        # check would only say "already exists".
        self.fields["uscc"].validators = []

    def validate_unique(self):
        """Uniqueness is checked by the service, which links to the existing record."""


class EnterpriseDeactivateForm(ScopedForm):
    reason = forms.CharField(label="停用原因", max_length=200)


class EnterpriseYearForm(ScopedModelForm):
    year = forms.TypedChoiceField(label="年度", coerce=int, choices=())

    class Meta:
        model = EnterpriseYear
        fields = ["year", *FIGURE_FIELDS]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["year"].choices = _year_choices(back=8, ahead=0)
        if self.instance.pk:
            self.fields["year"].disabled = True

    def validate_unique(self):
        """figures_save replaces the year's row."""


class SmesEvaluationCreateForm(ScopedForm):
    year = forms.TypedChoiceField(label="评价年度", coerce=int, choices=())
    submitted_on = forms.DateField(label="提交日期")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = _year_choices(back=5)
        self.fields["year"].initial = timezone.localdate().year
        self.fields["submitted_on"].initial = timezone.localdate()


class TransitionForm(ScopedForm):
    action = forms.CharField(widget=forms.HiddenInput)
    comment = forms.CharField(label="说明", max_length=500, required=False)
    on = forms.DateField(label="日期", required=False)
    year = forms.IntegerField(label="年度", required=False, min_value=2000, max_value=2100)


class BulkTransitionForm(ScopedForm):
    action = forms.ChoiceField(label="操作", choices=[("start_publicity", "开始公示"), ("admit", "入库")])
    on = forms.DateField(label="日期", required=False)


class PoolRecommendForm(ScopedForm):
    recommendation = forms.CharField(
        label="推荐理由", max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )


class CertificateForm(ScopedModelForm):
    class Meta:
        model = GaoqiCertificate
        fields = ["number", "issued_on", "is_revoked", "note"]

    def validate_unique(self):
        """The service checks the number."""


class DoublingTargetForm(ScopedModelForm):
    year = forms.TypedChoiceField(label="年度", coerce=int, choices=())

    class Meta:
        model = DoublingTarget
        fields = ["region", "year", "target"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["year"].choices = _year_choices(back=5, ahead=3)
        self.fields["year"].initial = self.instance.year or timezone.localdate().year

    def validate_unique(self):
        """The service reports a duplicate with a message naming the year."""


class RewardTierForm(ScopedModelForm):
    year = forms.TypedChoiceField(label="年度", coerce=int, choices=())

    class Meta:
        model = RewardTier
        fields = ["year", "min_rd", "max_rd", "amount"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["year"].choices = _year_choices(back=5, ahead=1)
        self.fields["year"].initial = self.instance.year or timezone.localdate().year

    def validate_unique(self):
        """The service checks overlapping tiers."""


class RewardComputeForm(ScopedForm):
    year = forms.TypedChoiceField(label="奖励年度", coerce=int, choices=())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = _year_choices(back=5, ahead=0)
        self.fields["year"].initial = timezone.localdate().year - 1


class ImportUploadForm(ScopedForm):
    file = forms.FileField(label="Excel 文件（.xlsx）")
