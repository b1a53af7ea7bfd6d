from __future__ import annotations

import re

from django import forms
from django.core.exceptions import ValidationError

from kejiju.accounts.models import Region
from kejiju.core.forms import CrispyFormMixin, ScopedForm, ScopedModelForm
from kejiju.core.models import Organization

from . import rules
from .fields import ExpertRefField, OrganizationField, OrganizationListField
from .models import (
    Commissioner,
    CommissionerTeam,
    CompositionRule,
    Expert,
    ExpertField,
    ReviewMember,
    ReviewPanel,
    VicePresidentPlacement,
)

DEFAULT_CRITERIA_TEXT = "创新性|30|1\n技术可行性|25|1\n团队基础|15|1\n预期效益|20|1\n经费合理性|10|1"


def criteria_to_text(criteria: list[dict]) -> str:
    lines = []
    for item in criteria:
        lines.append(f"{item['label']}|{_num(item['max_score'])}|{_num(item.get('weight', 1))}")
    return "\n".join(lines)


def _num(value) -> str:
    return f"{float(value):g}"


def parse_criteria_text(text: str) -> list[dict]:
    """Lines ``名称|满分|权重`` (权重 optional, default 1) → the criteria list of a panel."""
    criteria = []
    for number, line in enumerate((line.strip() for line in text.splitlines()), start=1):
        if not line:
            continue
        parts = [part.strip() for part in re.split(r"[|｜,，\t]", line)]
        if len(parts) not in (2, 3) or not parts[0]:
            raise ValidationError(f"第 {number} 行格式不正确，应为“名称|满分|权重”。")
        criteria.append(
            {
                "key": f"c{len(criteria) + 1}",
                "label": parts[0],
                "max_score": parts[1],
                "weight": parts[2] if len(parts) == 3 else "1",
            }
        )
    try:
        parsed = rules.parse_criteria(criteria)
    except ValueError as error:
        raise ValidationError(str(error)) from None
    return [
        {"key": c.key, "label": c.label, "max_score": float(c.max_score), "weight": float(c.weight)}
        for c in parsed
    ]


def _field_queryset():
    return ExpertField.objects.filter(is_active=True)


# ============================================================================================== panels


class ReviewPanelForm(ScopedForm):
    title = forms.CharField(label="评审事项", max_length=200)
    applicant = OrganizationField(
        label="申报单位",
        required=False,
        help_text="填写单位全称或统一社会信用代码；与申报单位同一单位的专家自动回避。",
    )
    fields = forms.ModelMultipleChoiceField(
        label="抽取领域", queryset=ExpertField.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    size = forms.IntegerField(label="正式专家人数", min_value=1, max_value=50, initial=5)
    reserves = forms.IntegerField(label="备选专家人数", min_value=0, max_value=50, initial=2)
    excluded_names = forms.CharField(
        label="申报单位申请回避的专家",
        required=False,
        help_text="填写姓名，多人以顿号或逗号分隔；同名专家一并回避。",
    )
    lookback_years = forms.IntegerField(
        label="近年评审回避年限",
        min_value=0,
        max_value=10,
        initial=3,
        help_text="近 N 年内评审过同一申报单位的专家回避；0 表示不限制。",
    )
    criteria_text = forms.CharField(
        label="评分指标",
        widget=forms.Textarea(attrs={"rows": 6}),
        initial=DEFAULT_CRITERIA_TEXT,
        help_text="每行一项：名称|满分|权重（权重可省略，默认为 1）。专家得分 = Σ 指标得分 × 权重。",
    )
    drop_extremes = forms.BooleanField(label="去掉最高分和最低分后取平均", required=False)
    online_deadline = forms.DateTimeField(
        label="网评截止时间",
        required=False,
        help_text="有评审账户的专家在线签署声明、评分，须在此前提交；留空表示不限。",
    )

    def __init__(self, *args, several: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fields"].queryset = _field_queryset()
        if several:  # each record's own unit is its applicant
            del self.fields["applicant"]
            self.fields["title"].help_text = "评审组名称（如认定批次名称）；各评审对象以其申报名称列出。"

    def clean(self):
        cleaned = super().clean()
        cleaned.setdefault("applicant", None)
        return cleaned

    def clean_criteria_text(self):
        return parse_criteria_text(self.cleaned_data["criteria_text"])

    def clean_excluded_names(self):
        names = [
            n.strip() for n in re.split(r"[、,，;；\s]+", self.cleaned_data["excluded_names"]) if n.strip()
        ]
        experts = list(Expert.objects.filter(name__in=names))
        missing = sorted(set(names) - {e.name for e in experts})
        if missing:
            raise ValidationError(f"专家库中没有：{'、'.join(missing)}。")
        return experts


class RefusalForm(ScopedForm):
    reason = forms.CharField(label="拒绝原因", max_length=200, help_text="如：时间冲突、身体原因、需回避等。")


class ScoreForm(ScopedForm):
    """One decimal field per criterion of the panel, bounded by its maximum."""

    def __init__(self, *args, panel: ReviewPanel, initial_scores=None, comment="", performance="", **kwargs):
        super().__init__(*args, **kwargs)
        initial_scores = initial_scores or {}
        for criterion in rules.parse_criteria(panel.criteria):
            self.fields[f"score_{criterion.key}"] = forms.DecimalField(
                label=(
                    f"{criterion.label}（满分 {criterion.max_score.normalize():f}，"
                    f"权重 {criterion.weight.normalize():f}）"
                ),
                max_digits=6,
                decimal_places=2,
                initial=initial_scores.get(criterion.key),
            )
        self.fields["comment"] = forms.CharField(
            label="评审意见", required=False, widget=forms.Textarea(attrs={"rows": 3}), initial=comment
        )
        self.fields["performance"] = forms.ChoiceField(
            label="履职评价",
            required=False,
            choices=[("", "（暂不评价）"), *ReviewMember.Performance.choices],
            initial=performance,
        )

    def scores(self) -> dict:
        return {
            name.removeprefix("score_"): value
            for name, value in self.cleaned_data.items()
            if name.startswith("score_")
        }


# ============================================================================================== experts


class ExpertForm(ScopedModelForm):
    """身份证号 and mobile are plain inputs that never show the stored value (an edit leaves them empty
    to keep it); the service validates, encrypts and hashes them."""

    region_field_name = "county"
    employer = OrganizationField(label="工作单位")
    avoided_units = OrganizationListField(
        label="申明回避单位", required=False, help_text="每行一个单位（全称或统一社会信用代码）。"
    )
    id_number = forms.CharField(
        label="身份证号码",
        max_length=18,
        required=True,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    mobile = forms.CharField(
        label="手机号码", max_length=20, required=False, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )

    class Meta:
        model = Expert
        fields = [
            "name",
            "gender",
            "title",
            "position",
            "employer",
            "fields",
            "specialty",
            "category",
            "county",
            "avoided_units",
            "admitted_on",
            "admission_reason",
            "notes",
        ]
        widgets = {
            "fields": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fields"].queryset = _field_queryset()
        if self.instance.pk:
            self.fields["id_number"].required = False
            self.fields["id_number"].help_text = f"当前：{self.instance.id_number_masked}。留空则不修改。"
            self.fields[
                "mobile"
            ].help_text = (
                f"当前：{self.instance.mobile_masked or '未填写'}。留空则不修改；填写“清除”删除手机号。"
            )
        # Field order: the personal data right after the name.
        order = ["name", "gender", "id_number", "mobile"]
        self.order_fields(order + [name for name in self.fields if name not in order])
        # Left out (an older client, an import-like post): the stored category, or 技术 for a new expert.
        self.fields["category"].required = False

    def clean_category(self):
        return self.cleaned_data.get("category") or self.instance.category or Expert.Category.TECHNICAL


class ExpertStateForm(ScopedForm):
    state = forms.ChoiceField(
        label="新状态",
        choices=Expert.State.choices,
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    on = forms.DateField(
        label="日期", widget=forms.DateInput(attrs={"class": "form-control form-control-sm"})
    )
    reason = forms.CharField(
        label="原因",
        max_length=200,
        required=False,
        widget=forms.TextInput(
            attrs={"class": "form-control form-control-sm", "placeholder": "暂停或出库必须填写"}
        ),
    )


class ExpertLookupForm(ScopedForm):
    """Exact search by 身份证号 or mobile, sent by POST so the number never enters a URL."""

    number = forms.CharField(
        label="身份证号或手机号", max_length=20, widget=forms.PasswordInput(render_value=False)
    )


class ExpertImportForm(ScopedForm):
    file = forms.FileField(
        label="Excel 文件", help_text="使用导入模板填写，.xlsx 格式，不超过 5 MB、2000 行。"
    )

    # Type, size and content are checked by the one spreadsheet reader (kejiju.core.spreadsheets).


class ScoreSheetUploadForm(ScopedForm):
    file = forms.FileField(
        label="评分表（Excel 文件）",
        help_text="本评审组页面下载的评分表，填写得分后上传；.xlsx 格式，不超过 5 MB。",
    )

    # Type, size and content are checked by the one spreadsheet reader (kejiju.core.spreadsheets).


class CompositionRuleForm(CrispyFormMixin, forms.ModelForm):
    """A composition rule: the kind is picked from experts.subjects.REVIEW_KINDS (one rule per kind)."""

    kind = forms.ChoiceField(label="评审类别")

    class Meta:
        model = CompositionRule
        fields = [
            "kind",
            "min_size",
            "min_technical_share",
            "min_financial",
            "min_management",
            "yearly_cap",
            "notes",
        ]

    def __init__(self, *args, user=None, **kwargs):
        from .subjects import REVIEW_KINDS

        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", "---------"), *REVIEW_KINDS.items()]
        self._init_helper()


class ExpertFieldForm(CrispyFormMixin, forms.ModelForm):
    class Meta:
        model = ExpertField
        fields = ["name", "sort_order", "is_active"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self._init_helper()


# ============================================================================== 科技副总, 科技特派团/员


class PlacementForm(ScopedModelForm):
    region_field_name = "county"
    enterprise = OrganizationField(label="服务企业", required=False, kinds=[Organization.Kind.ENTERPRISE])
    expert = ExpertRefField(label="库内专家", required=False)

    class Meta:
        model = VicePresidentPlacement
        fields = [
            "name",
            "gender",
            "title",
            "university",
            "expert",
            "specialty",
            "year",
            "enterprise",
            "county",
            "term_start",
            "term_end",
            "state",
            "notes",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["university"].queryset = Organization.objects.filter(kind=Organization.Kind.UNIVERSITY)
        self.fields["county"].help_text = "留空则取服务企业所在县区。"


class TeamForm(CrispyFormMixin, forms.ModelForm):
    lead_unit = OrganizationField(label="牵头单位", required=False)

    class Meta:
        model = CommissionerTeam
        fields = ["name", "year", "lead_unit", "counties", "industries", "notes"]
        widgets = {"counties": forms.CheckboxSelectMultiple}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self._init_helper()
        self.fields["counties"].queryset = Region.objects.county_level()


class CommissionerForm(ScopedModelForm):
    region_field_name = "county"
    employer = OrganizationField(label="工作单位")
    expert = ExpertRefField(label="库内专家", required=False)

    class Meta:
        model = Commissioner
        fields = ["team", "name", "employer", "title", "expert", "is_leader", "county", "industry"]


class ExpertAccountForm(ScopedForm):
    username = forms.CharField(label="用户名", max_length=150)
    email = forms.EmailField(label="电子邮箱", required=False, help_text="评审邀请和提醒同时发送到该邮箱。")
    password = forms.CharField(
        label="初始密码",
        widget=forms.PasswordInput(render_value=False),
        help_text="专家首次登录时须修改。",
    )


class SeatDeclineForm(ScopedForm):
    reason = forms.CharField(
        label="不能参加的原因",
        max_length=200,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="如时间冲突、与申报单位存在利害关系等；提交后由备选专家递补。",
    )


class DeclarationForm(ScopedForm):
    conflict = forms.TypedChoiceField(
        label="回避及保密声明",
        choices=[
            ("0", "本人与该事项及其申报单位无利害关系，承诺对评审材料和评审意见保密"),
            ("1", "本人与该事项存在应当回避的情形，申明回避"),
        ],
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label="回避原因",
        max_length=150,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="申明回避时填写，如曾在申报单位任职、近亲属任职、合作研究等。",
    )


class SeatSubmitForm(ScopedForm):
    """提交评分: nothing to fill in; the scores of every subject are already saved."""


class SeatScoresForm(ScopedForm):
    """One field per criterion of the panel (its maximum in the label), and the expert's 评审意见."""

    def __init__(self, *args, criteria=(), **kwargs):
        super().__init__(*args, **kwargs)
        for criterion in criteria:
            self.fields[f"c_{criterion.key}"] = forms.DecimalField(
                label=f"{criterion.label}（满分 {criterion.max_score.normalize():f}）",
                min_value=0,
                max_value=criterion.max_score,
                decimal_places=2,
            )
        self.fields["comment"] = forms.CharField(
            label="评审意见", required=False, widget=forms.Textarea(attrs={"rows": 4})
        )
        self.criteria = list(criteria)

    def scores(self) -> dict:
        return {criterion.key: self.cleaned_data[f"c_{criterion.key}"] for criterion in self.criteria}


class ScoresReopenForm(ScopedForm):
    """退回网评评分: the reason, kept on the panel's timeline and sent to the expert ("comment": the name
    the engine's refusal of a blank reason gives)."""

    comment = forms.CharField(
        label="退回原因",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="如：评分与评审意见不一致、漏评指标等；专家将收到通知，修改后在截止前重新提交。",
        error_messages={"required": "请填写退回原因。"},
    )
