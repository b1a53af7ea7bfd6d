from __future__ import annotations

from django import forms
from django.utils import timezone

from kejiju.core.dates import date_order_problem
from kejiju.core.forms import ScopedForm, ScopedModelForm

from . import rules
from .dates import CERTIFICATE_DATES
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


class UnitSmesEvaluationForm(SmesEvaluationCreateForm):
    """The enterprise files its evaluation online: dated the day it is sent."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["submitted_on"]


class TransitionForm(ScopedForm):
    action = forms.CharField(widget=forms.HiddenInput)
    comment = forms.CharField(label="说明", max_length=500, required=False)
    on = forms.DateField(label="日期", required=False)
    year = forms.IntegerField(label="年度", required=False, min_value=2000, max_value=2100)


class BulkTransitionForm(ScopedForm):
    action = forms.ChoiceField(label="操作", choices=[("start_publicity", "开始公示"), ("admit", "入库")])
    on = forms.DateField(label="日期", required=False)


class PoolRequestForm(ScopedForm):
    reason = forms.CharField(
        label="申请理由",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="简述企业的研发投入、知识产权和成长情况，县区科技局据此推荐。",
    )


class PoolRecommendForm(ScopedForm):
    recommendation = forms.CharField(
        label="推荐理由", max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )


class InnovationAssessmentForm(ScopedForm):
    """The four parts of the 企业创新能力评价 (the total is computed) and the day it was made."""

    assessed_on = forms.DateField(label="评价日期")
    note = forms.CharField(
        label="评价说明", max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assessed_on"].initial = timezone.localdate()
        parts = {
            part.key: forms.IntegerField(
                label=f"{part.label}（0–{part.maximum}分）", min_value=0, max_value=part.maximum
            )
            for part in rules.INNOVATION_PARTS
        }
        self.fields = {"assessed_on": self.fields["assessed_on"], **parts, "note": self.fields["note"]}

    def scores(self) -> dict[str, int | None]:
        return {part.key: self.cleaned_data.get(part.key) for part in rules.INNOVATION_PARTS}


class CertificateForm(ScopedModelForm):
    """A certificate; on edit, whether its qualification was revoked (取消资格) and on which day."""

    revoked = forms.BooleanField(label="已取消资格", required=False)

    class Meta:
        model = GaoqiCertificate
        fields = ["number", "issued_on", "revoked", "revoked_on", "note"]
        help_texts = {"revoked_on": "取消资格文件生效之日；此日起该证书不再计入有效高企。"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and "revoked" in self.fields:
            self.fields["revoked"].initial = self.instance.revoked_on is not None

    def clean(self):
        data = super().clean()
        if "revoked" not in self.fields:  # registering a certificate: no revocation yet
            return data
        revoked, revoked_on = data.get("revoked"), data.get("revoked_on")
        if not revoked:
            if revoked_on is not None:
                self.add_error("revoked_on", "填写了取消资格日期，请同时勾选“已取消资格”。")
            return data
        if revoked_on is None:
            if "revoked_on" not in self.errors:
                self.add_error("revoked_on", "已取消资格的证书请填写取消资格日期。")
            return data
        issued_on = data.get("issued_on")
        problem = date_order_problem(
            CERTIFICATE_DATES["revoke"],
            date=revoked_on,
            extra={"issued_on": ("发证日期", issued_on)},
        )
        if problem:
            self.add_error("revoked_on", problem)
        return data

    @property
    def revoked_on_value(self):
        """The 取消资格日期 to record: None unless 已取消资格 is ticked."""
        return self.cleaned_data.get("revoked_on") if self.cleaned_data.get("revoked") else None

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


class RewardActionForm(ScopedForm):
    """The reward list's bulk 审核/发放: the step's date (default today) and, for 发放, its 文号 or voucher
    number (the transition's own inputs: dates.REWARD_DATES, workflow.RewardPayFields)."""

    action = forms.ChoiceField(label="勾选记录", choices=(("approve", "审核通过"), ("pay", "标记已发放")))
    effective_on = forms.DateField(
        label="审核 / 发放日期",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": "请填写审核或发放日期。", "invalid": "请填写有效的审核或发放日期。"},
    )
    voucher_no = forms.CharField(label="发放文号（凭证号）", max_length=100, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["effective_on"].initial = timezone.localdate()
        self.fields["voucher_no"].help_text = "标记已发放时必填。"


class ImportUploadForm(ScopedForm):
    file = forms.FileField(label="Excel 文件（.xlsx）")
