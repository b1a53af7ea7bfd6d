from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from kejiju.accounts.models import Region
from kejiju.core.forms import CrispyFormMixin, ScopedForm
from projects.models import BudgetLine

from .models import BUDGET_CATEGORIES, LUMP_SUM, Application, ApplicationAttachment, CallGuide


class CallGuideForm(CrispyFormMixin, forms.ModelForm):
    """The guide's text and whether it is open online, and one quota input per county (blank: no limit)."""

    class Meta:
        model = CallGuide
        fields = ["text", "online"]
        widgets = {"text": forms.Textarea(attrs={"rows": 12})}

    def __init__(self, *args, user=None, quotas=None, **kwargs):
        super().__init__(*args, **kwargs)
        self._init_helper()
        self.regions = list(Region.objects.county_level())
        quotas = quotas or {}
        for region in self.regions:
            self.fields[f"quota_{region.pk}"] = forms.IntegerField(
                label=f"{region.name}推荐限额（项）",
                required=False,
                min_value=0,
                max_value=999,
                initial=quotas.get(region.pk),
            )

    def quotas(self) -> dict[Region, int | None]:
        return {region: self.cleaned_data.get(f"quota_{region.pk}") for region in self.regions}


class ApplicationForm(CrispyFormMixin, forms.ModelForm):
    class Meta:
        model = Application
        fields = ["title", "summary", "goals", "start_date", "end_date"]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 6}),
            "goals": forms.Textarea(attrs={"rows": 4}),
        }

    leader_id_number = forms.CharField(
        label="项目负责人身份证号",
        max_length=18,
        required=False,
        help_text="用于限项和科研诚信核查，加密保存，页面仅显示脱敏号码；填写一次后，以后的申报书沿用。",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        masked = self.instance.leader_id_number_masked if self.instance.pk else _latest_masked(user)
        if masked:
            self.fields["leader_id_number"].help_text = f"已登记：{masked}。留空沿用，填写则更换。"
        self._init_helper()

    def _get_validation_exclusions(self):
        # The call, unit and 项目负责人 are the service's to set: the model's checks of them run there.
        return {*super()._get_validation_exclusions(), "call", "unit", "leader", "leader_name"}


def _latest_masked(user) -> str:
    if user is None or not user.is_authenticated:
        return ""
    return (
        Application.objects.filter(leader=user)
        .exclude(leader_id_number_masked="")
        .order_by("-updated_at", "-pk")
        .values_list("leader_id_number_masked", flat=True)
        .first()
        or ""
    )


class BudgetLineForm(forms.Form):
    source = forms.ChoiceField(label="资金来源", choices=BudgetLine.Source.choices)
    category = forms.ChoiceField(label="科目", choices=BUDGET_CATEGORIES)
    amount = forms.DecimalField(
        label="金额（元）", min_value=0, max_digits=14, decimal_places=2, required=False
    )
    note = forms.CharField(label="说明", max_length=200, required=False)


class BaseBudgetFormSet(forms.BaseFormSet):
    def add_error(self, field, error) -> None:
        """A service's refusal names the row (第 N 行): shown above the table, as the formset's own errors."""
        self.non_form_errors().extend(ValidationError(error).messages)


BudgetFormSet = forms.formset_factory(BudgetLineForm, formset=BaseBudgetFormSet, extra=0)


def budget_initial(application: Application, *, lump_sum: bool) -> list[dict]:
    """One row per (source, category) — per source only for a unit in the 包干制 pilot — filled from the
    saved budget."""
    saved = {(line.source, line.category): line for line in application.budget_lines.all()}
    categories = [LUMP_SUM] if lump_sum else BudgetLine.Category.values
    rows = []
    for source in BudgetLine.Source.values:
        for category in categories:
            line = saved.get((source, category))
            rows.append(
                {
                    "source": source,
                    "category": category,
                    "amount": line.amount if line else None,
                    "note": line.note if line else "",
                }
            )
    return rows


class TeamMemberForm(ScopedForm):
    name = forms.CharField(label="姓名", max_length=50)
    id_number = forms.CharField(
        label="身份证号",
        max_length=18,
        min_length=18,
        help_text="加密保存，页面仅显示脱敏号码。",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    employer = forms.CharField(label="工作单位", max_length=200)
    title = forms.CharField(label="职称", max_length=50, required=False)
    duty = forms.CharField(label="项目分工", max_length=200)


class AttachmentForm(ScopedForm):
    kind = forms.ChoiceField(label="附件类型", choices=ApplicationAttachment.Kind.choices)
    file = forms.FileField(label="文件", help_text="PDF、Word、WPS、Excel 或图片，不超过 20 MB。")


class GuideAttachmentForm(ScopedForm):
    file = forms.FileField(label="文件", help_text="PDF、Word、WPS、Excel 或图片，不超过 20 MB。")


class PledgeForm(ScopedForm):
    accept = forms.BooleanField(label="本人已阅读并承诺遵守以上科研诚信承诺")
