from __future__ import annotations

from django import forms
from django.db.models import Q

from kejiju.core.forms import ScopedForm, ScopedModelForm
from kejiju.core.models import Organization

from . import selectors
from .models import (
    Achievement,
    AchievementTransfer,
    AnnualReport,
    Attachment,
    BudgetLine,
    Call,
    ChangeRequest,
    CooperationProject,
    Disbursement,
    LumpSumPilot,
    MidtermCheck,
    OwnershipGrant,
    OwnershipPilot,
    Programme,
    Project,
)


class ProgrammeForm(ScopedModelForm):
    class Meta:
        model = Programme
        fields = ["name", "code", "description", "sort_order", "is_active"]


class CallForm(ScopedModelForm):
    class Meta:
        model = Call
        fields = [
            "programme",
            "year",
            "title",
            "opens_on",
            "closes_on",
            "review_by",
            "max_per_leader",
            "max_open_per_leader",
            "max_per_unit",
            "block_overdue_leader",
            "note",
        ]

    def clean(self):
        data = super().clean()
        if data.get("opens_on") and data.get("closes_on") and data["closes_on"] < data["opens_on"]:
            self.add_error("closes_on", "申报截止日期不能早于开始日期。")
        return data


class LumpSumPilotForm(ScopedModelForm):
    class Meta:
        model = LumpSumPilot
        fields = ["organization", "batch", "since_year", "is_active", "note"]


class ProjectForm(ScopedModelForm):
    """Application data. The service checks the 限项 rules; staff may give an override reason."""

    override_reason = forms.CharField(
        label="限项规则例外说明",
        required=False,
        max_length=300,
        help_text="仅局业务人员：负责人违反限项规则而确需受理时填写理由",
    )

    pi_id_number = forms.CharField(
        label="负责人身份证号",
        max_length=18,
        required=False,
        help_text="用于限项和科研诚信核查，加密保存；未填写的项目按手机号识别负责人。",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    class Meta:
        model = Project
        fields = [
            "call",
            "title",
            "applicant",
            "region",
            "pi_name",
            "pi_mobile",
            "start_date",
            "end_date",
            "requested_grant",
            "self_raised",
            "summary",
        ]
        widgets = {"summary": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        calls = selectors.calls_for_entry(user=user)
        if self.instance.pk:  # keep the project's own call selectable after the call closed
            calls = Call.objects.select_related("programme").filter(
                Q(pk__in=calls.values("pk")) | Q(pk=self.instance.call_id)
            )
        self.fields["call"].queryset = calls
        self.fields["applicant"].queryset = Organization.objects.visible_to(user).filter(is_active=True)
        if self.instance.pi_id_number_masked:
            self.fields["pi_id_number"].help_text = f"已登记：{self.instance.pi_id_number_masked}。留空沿用。"
        if not user.has_perm("projects.override_applicant_rules"):
            del self.fields["override_reason"]
        elif self.instance.pk:
            self.fields["override_reason"].initial = self.instance.rule_override_reason

    def clean(self):
        data = super().clean()
        if data.get("start_date") and data.get("end_date") and data["end_date"] < data["start_date"]:
            self.add_error("end_date", "结束日期不能早于起始日期。")
        return data

    def _post_clean(self):
        # The model's own validation runs in the service (number and state are set there).
        pass


class DisbursementForm(ScopedModelForm):
    class Meta:
        model = Disbursement
        fields = ["paid_on", "amount", "voucher", "note"]


class BudgetLineForm(ScopedModelForm):
    class Meta:
        model = BudgetLine
        fields = ["source", "category", "amount", "note"]


class AnnualReportForm(ScopedModelForm):
    class Meta:
        model = AnnualReport
        fields = ["year", "filed_on", "progress", "spent"]
        widgets = {"progress": forms.Textarea(attrs={"rows": 4})}


class UnitAnnualReportForm(AnnualReportForm):
    """A unit files its report online: the filing date is the day it is sent."""

    class Meta(AnnualReportForm.Meta):
        fields = ["year", "progress", "spent"]


class MidtermCheckForm(ScopedModelForm):
    class Meta:
        model = MidtermCheck
        fields = ["checked_on", "conclusion", "findings"]
        widgets = {"findings": forms.Textarea(attrs={"rows": 4})}


class ChangeRequestForm(ScopedModelForm):
    class Meta:
        model = ChangeRequest
        fields = [
            "kind",
            "reason",
            "new_start_date",
            "new_end_date",
            "new_city_grant",
            "new_self_raised",
            "new_pi_name",
            "new_pi_mobile",
        ]
        widgets = {"reason": forms.Textarea(attrs={"rows": 3})}


class AttachmentForm(ScopedForm):
    kind = forms.ChoiceField(label="附件类型", choices=Attachment.Kind.choices)
    file = forms.FileField(
        label="文件",
        help_text="PDF、Word/Excel/PowerPoint（含 WPS）或 PNG/JPEG 图片",
    )

    def __init__(self, *args, user=None, allowed_kinds=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        if allowed_kinds is not None:
            self.fields["kind"].choices = [c for c in Attachment.Kind.choices if c[0] in allowed_kinds]


class CooperationProjectForm(ScopedModelForm):
    class Meta:
        model = CooperationProject
        fields = [
            "title",
            "region",
            "university",
            "local_unit",
            "kind",
            "state",
            "task_year",
            "signed_on",
            "landed_on",
            "finished_on",
            "investment",
            "note",
        ]
        widgets = {
            "note": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["university"].queryset = Organization.objects.filter(kind=Organization.Kind.UNIVERSITY)


# ------------------------------------------------------------------------ 职务科技成果赋权 pilot


class OwnershipPilotForm(ScopedModelForm):
    class Meta:
        model = OwnershipPilot
        fields = ["organization", "scheme", "scheme_summary", "joined_on", "is_active"]
        widgets = {"scheme_summary": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = Organization.objects.exclude(kind=Organization.Kind.GOVERNMENT)


class AchievementForm(ScopedModelForm):
    source_project_number = forms.CharField(
        label="来源计划项目编号",
        max_length=30,
        required=False,
        help_text="来自市级科技计划项目时填写项目编号",
    )

    class Meta:
        model = Achievement
        fields = ["pilot", "title", "kind", "number", "inventors", "note"]
        widgets = {"note": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pilot"].queryset = OwnershipPilot.objects.select_related("organization")
        if self.instance.pk and self.instance.source_project_id:
            self.fields["source_project_number"].initial = self.instance.source_project.number

    def clean_source_project_number(self):
        number = self.cleaned_data["source_project_number"].strip()
        if not number:
            self.instance.source_project = None
            return ""
        project = Project.objects.filter(number=number).first()
        if project is None:
            raise forms.ValidationError(f"项目编号“{number}”不存在。")
        self.instance.source_project = project
        return number


class OwnershipGrantForm(ScopedModelForm):
    approval_upload = forms.FileField(
        label="批准文件", required=False, help_text="PDF、Word（含 WPS）或 PNG/JPEG 扫描件"
    )

    class Meta:
        model = OwnershipGrant
        fields = ["team", "mode", "share_percent", "years", "granted_on", "approval_no"]


class AchievementTransferForm(ScopedModelForm):
    class Meta:
        model = AchievementTransfer
        fields = ["mode", "enterprise", "amount", "transferred_on", "contract_no", "note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["enterprise"].queryset = Organization.objects.filter(kind=Organization.Kind.ENTERPRISE)
