from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError

from kejiju.core.forms import ScopedForm, ScopedModelForm

from . import rules
from .figures import MonthlyFigure
from .models import ATTACHMENT_EXTENSIONS, CountyTask, ResearcherTarget, TaskProgress
from .services import FigureInput, ProgressInput


class CountyTaskForm(ScopedModelForm):
    class Meta:
        model = CountyTask
        fields = ["region", "year", "category", "title", "partner", "target_quantity", "unit", "deadline"]


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "widget", MultipleFileInput(attrs={"accept": ",".join(f".{e}" for e in ATTACHMENT_EXTENSIONS)})
        )
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if not data:
            return []
        single = super().clean
        return (
            [single(item, initial) for item in data]
            if isinstance(data, list | tuple)
            else [single(data, initial)]
        )


class FilingForm(ScopedForm):
    """The whole month on one page: task progress, the month's figures, the narrative and attachments."""

    key_progress = forms.CharField(
        label="重点工作进展", required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    problems = forms.CharField(label="存在问题", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    next_plan = forms.CharField(label="下月计划", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    attachments = MultipleFileField(label="上传附件", required=False)

    def __init__(
        self,
        *args,
        tasks,
        figures: list[MonthlyFigure],
        system_values: dict,
        initial_progress: dict,
        initial_figures: dict,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        declared = set(self.fields)
        self.tasks = list(tasks)
        self.figure_specs = figures
        self.system_values = system_values
        for task in self.tasks:
            prefix = f"t{task.pk}"
            row = initial_progress.get(task.pk)
            done = row.done_quantity if row else 0
            self.fields[f"{prefix}_done"] = forms.IntegerField(
                label=f"“{task.title}”累计完成",
                min_value=0,
                initial=done,
                error_messages={
                    "min_value": "累计完成数量不能为负数。",
                    "invalid": "请输入整数。",
                    "required": "请填写累计完成数量。",
                },
                widget=forms.NumberInput(attrs={"class": "form-control form-control-sm w-6rem", "min": 0}),
            )
            self.fields[f"{prefix}_percent"] = forms.DecimalField(
                label=f"“{task.title}”完成进度",
                required=False,
                help_text="留空则按累计完成和目标自动计算",
                min_value=Decimal(0),
                max_value=Decimal(100),
                max_digits=4,
                decimal_places=1,
                initial=row.percent if row else rules.suggested_percent(done, task.target_quantity),
                error_messages={
                    "min_value": "完成进度不能为负数。",
                    "max_value": "完成进度不能超过 100%%。",
                    "invalid": "请输入数字。",
                    "required": "请填写完成进度。",
                    "max_digits": "完成进度不能超过 100%%。",
                    "max_whole_digits": "完成进度不能超过 100%%。",
                    "max_decimal_places": "完成进度最多保留 1 位小数。",
                },
                widget=forms.NumberInput(
                    attrs={
                        "class": "form-control form-control-sm w-6rem",
                        "min": 0,
                        "max": 100,
                        "step": "0.1",
                    }
                ),
            )
            self.fields[f"{prefix}_status"] = forms.ChoiceField(
                label=f"“{task.title}”状态",
                choices=TaskProgress.Status.choices,
                initial=row.status if row else TaskProgress.Status.NOT_STARTED,
                widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
            )
            self.fields[f"{prefix}_note"] = forms.CharField(
                label=f"“{task.title}”说明",
                required=False,
                max_length=500,
                initial=row.note if row else "",
                widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}),
            )
        for figure in figures:
            system = system_values.get(figure.key)
            entry = initial_figures.get(figure.key)
            self.fields[f"f_{figure.key}_value"] = forms.IntegerField(
                label=figure.label,
                min_value=0,
                initial=entry.value if entry else (system if system is not None else 0),
                error_messages={
                    "min_value": f"“{figure.label}”不能为负数。",
                    "invalid": "请输入整数。",
                    "required": f"请填写“{figure.label}”。",
                },
                widget=forms.NumberInput(attrs={"class": "form-control form-control-sm w-7rem", "min": 0}),
            )
            self.fields[f"f_{figure.key}_reason"] = forms.CharField(
                label=f"“{figure.label}”修改原因",
                required=False,
                max_length=300,
                initial=entry.reason if entry else "",
                widget=forms.TextInput(
                    attrs={"class": "form-control form-control-sm", "placeholder": "与系统值不同时必填"}
                ),
            )
        for name, field in self.fields.items():
            if name.startswith(("t", "f_")) and name not in declared:
                # Shown in a table's cells without a <label>: the label is their accessible name.
                field.widget.attrs.setdefault("aria-label", str(field.label))

    def clean(self):
        cleaned = super().clean()
        for figure in self.figure_specs:
            value = cleaned.get(f"f_{figure.key}_value")
            reason = (cleaned.get(f"f_{figure.key}_reason") or "").strip()
            system = self.system_values.get(figure.key)
            if rules.figure_needs_reason(value, system) and not reason:
                self.add_error(
                    f"f_{figure.key}_reason",
                    f"“{figure.label}”与系统数据（{system}）不一致，请填写修改原因。",
                )
        return cleaned

    def task_rows(self):
        for task in self.tasks:
            prefix = f"t{task.pk}"
            yield task, [self[f"{prefix}_{name}"] for name in ("done", "percent", "status", "note")]

    def figure_rows(self):
        for figure in self.figure_specs:
            yield (
                figure,
                self.system_values.get(figure.key),
                self[f"f_{figure.key}_value"],
                self[f"f_{figure.key}_reason"],
            )

    def progress_inputs(self) -> list[ProgressInput]:
        data = self.cleaned_data
        return [
            ProgressInput(
                task_id=task.pk,
                done_quantity=data[f"t{task.pk}_done"],
                percent=data[f"t{task.pk}_percent"],
                status=data[f"t{task.pk}_status"],
                note=data[f"t{task.pk}_note"],
            )
            for task in self.tasks
        ]

    def figure_inputs(self) -> list[FigureInput]:
        data = self.cleaned_data
        return [
            FigureInput(key=f.key, value=data[f"f_{f.key}_value"], reason=data[f"f_{f.key}_reason"])
            for f in self.figure_specs
        ]


class ReturnForm(ScopedForm):
    reason = forms.CharField(
        label="退回原因",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "退回时请填写退回原因。"},
    )


class ReopenForm(ScopedForm):
    reason = forms.CharField(
        label="解锁原因",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "请填写解锁原因。"},
    )
    expires_at = forms.DateTimeField(
        label="有效期至",
        error_messages={"required": "请填写有效期。", "invalid": "请输入有效的日期时间。"},
    )


class MonthForm(ScopedForm):
    month = forms.CharField(
        label="月份",
        widget=forms.TextInput(attrs={"type": "month", "class": "form-control form-control-sm"}),
        error_messages={"required": "请选择月份。"},
    )

    def clean_month(self):
        try:
            return rules.parse_month(self.cleaned_data["month"])
        except ValidationError as error:
            raise ValidationError(error.messages) from None


class ResearcherTargetForm(ScopedModelForm):
    class Meta:
        model = ResearcherTarget
        fields = ["region", "year", "target", "note"]
