from __future__ import annotations

from django import forms

from kejiju.core.forms import CrispyFormMixin, ScopedForm, ScopedModelForm

from .models import SCOPES, DuplicateCheckSetting, DuplicateDecision, IntegrityRecord


class IntegrityRecordForm(ScopedModelForm):
    """The 身份证号 is a plain input that never shows the stored value (an edit leaves it blank to keep it);
    the service validates, encrypts and hashes it, and validates the 统一社会信用代码."""

    id_number = forms.CharField(
        label="身份证号",
        max_length=18,
        required=False,
        help_text="失信主体为个人时必填；加密保存，页面仅显示脱敏号码。",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    scan_upload = forms.FileField(
        label="文件扫描件", required=False, help_text="PDF、PNG 或 JPG，不超过 20 MB。"
    )

    class Meta:
        model = IntegrityRecord
        fields = [
            "kind",
            "name",
            "uscc",
            "employer",
            "source",
            "misconduct",
            "starts_on",
            "ends_on",
            *(field for field, _label in SCOPES.values()),
            "objection",
            "objection_outcome",
            "objection_on",
            "repaired_on",
            "repair_note",
        ]
        widgets = {
            "misconduct": forms.Textarea(attrs={"rows": 3}),
            "objection": forms.Textarea(attrs={"rows": 2}),
            "repair_note": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.error_messages["required"] = f"{field.label}不能为空。"
            if "invalid" in field.error_messages and isinstance(field, forms.DateField):
                field.error_messages["invalid"] = f"{field.label}不是有效日期，请按 2025-06-01 填写。"
        self.fields["uscc"].help_text = "失信主体为单位时必填。"
        self.fields["employer"].help_text = "失信主体为个人时填写。"
        if self.instance.pk and self.instance.id_number_masked:
            self.fields["id_number"].help_text = f"当前：{self.instance.id_number_masked}。留空则不修改。"
        if self.instance.pk and self.instance.scan_name:
            self.fields["scan_upload"].help_text = f"当前：{self.instance.scan_name}。上传新文件将替换。"
        order = ["kind", "name", "uscc", "id_number", "employer"]
        self.order_fields(order + [name for name in self.fields if name not in order])

    def _get_validation_exclusions(self):
        """The subject's identifiers are the service's (it validates the code and seals the number)."""
        return {*super()._get_validation_exclusions(), "uscc"}


class IntegrityImportForm(ScopedForm):
    file = forms.FileField(label="Excel 文件（.xlsx）")


class DuplicateCheckSettingForm(CrispyFormMixin, forms.ModelForm):
    class Meta:
        model = DuplicateCheckSetting
        fields = ["threshold", "years", "flag_same_unit", "flag_same_leader"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._init_helper()


class DuplicateDecisionForm(CrispyFormMixin, forms.Form):
    decision = forms.ChoiceField(
        label="查重结论", choices=DuplicateDecision.Decision.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label="说明",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="认定为重复时必填（写明与哪项申报或项目重复）；项目将不予受理，说明作为不予受理的原因。",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._init_helper()
