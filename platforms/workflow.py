"""The platform's life as a declared workflow (kejiju.core.workflow): 纳入筹建, 认定, 升级认定, 撤销,
恢复培育.

认定 and 升级认定 take a level and a certificate number (their `fields`), set the level, the number and the
recognition date (their `effect` and `sets_date`); 升级认定 must raise the level (its `rule`); 撤销 needs a
reason. Each step follows the platform's previous step. Registering a platform (`record_created`) is the
first event of its timeline."""

from __future__ import annotations

from django import forms

from kejiju.core.dates import DateStep
from kejiju.core.workflow.declarations import Transition, Workflow, register_workflow
from kejiju.core.workflow.forms import TransitionFields

from .rules import LEVEL_RANK, Level, PlatformAction, PlatformState

TRANSITION_PERMISSION = "platforms.transition_platform"


class RecognitionFields(TransitionFields):
    """The level and the certificate number of a 认定 / 升级认定 (an upgrade offers only higher levels)."""

    level = forms.ChoiceField(label="认定级别", choices=Level.choices)
    certificate_no = forms.CharField(label="证书编号", max_length=40)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        record = self.record
        if record is not None:
            self.fields["level"].initial = record.level
            transition = getattr(self, "transition", None)
            if transition is not None and transition.action == PlatformAction.UPGRADE:
                self.fields["level"].choices = [
                    (value, label)
                    for value, label in Level.choices
                    if LEVEL_RANK[Level(value)] > LEVEL_RANK[Level(record.level)]
                ]


def _higher_level(platform, data) -> str | None:
    level = data.get("level")
    if not level or level not in Level.values:
        return "升级认定的级别必须高于平台当前级别。"
    if LEVEL_RANK[Level(level)] <= LEVEL_RANK[Level(platform.level)]:
        return "升级认定的级别必须高于平台当前级别。"
    return None


def _has_certificate(platform, data) -> str | None:
    if data.get("level") and data.get("level") not in Level.values:
        return "请选择认定级别。"
    if not str(data.get("certificate_no") or "").strip():
        return "认定须填写证书编号。"
    return None


def _upgrade_rule(platform, data) -> str | None:
    return _higher_level(platform, data) or _has_certificate(platform, data)


def _keep_level(platform, ctx) -> dict:
    return {"from_level": platform.level, "to_level": platform.level}


def _recognise(platform, ctx) -> dict:
    """Set the level and the certificate number (the date is `sets_date`)."""
    from_level = platform.level
    platform.level = ctx.data.get("level") or platform.level
    platform.certificate_no = str(ctx.data.get("certificate_no") or "").strip()
    platform.recognised_on = ctx.effective_on
    platform.full_clean()  # the certificate number is unique
    return {"from_level": from_level, "to_level": platform.level}


def _date(action: str) -> DateStep:
    return DateStep(f"{PlatformAction(action).label}日期", earlier=("previous_step",), field="effective_on")


S = PlatformState
PLATFORM_WORKFLOW = register_workflow(
    Workflow(
        key="platforms.platform",
        model="platforms.Platform",
        states=PlatformState,
        title="创新平台",
        created=("register", "登记"),
        initial=S.CULTIVATING,
        data_labels={
            "from_level": "原级别",
            "to_level": "新级别",
            "level": "认定级别",
            "certificate_no": "证书编号",
            "application": "认定申报编号",
            "batch": "认定批次",
        },
        data_values={key: dict(Level.choices) for key in ("from_level", "to_level", "level")},
        transitions=(
            Transition(
                action=PlatformAction.PREPARE,
                label=PlatformAction.PREPARE.label,
                sources={S.CULTIVATING},
                target=S.PREPARING,
                permission=TRANSITION_PERMISSION,
                date=_date(PlatformAction.PREPARE),
                effect=_keep_level,
            ),
            Transition(
                action=PlatformAction.RECOGNISE,
                label=PlatformAction.RECOGNISE.label,
                sources={S.CULTIVATING, S.PREPARING},
                target=S.RECOGNISED,
                permission=TRANSITION_PERMISSION,
                date=_date(PlatformAction.RECOGNISE),
                sets_date="recognised_on",
                rule=_has_certificate,
                effect=_recognise,
                fields=RecognitionFields,
            ),
            Transition(
                action=PlatformAction.UPGRADE,
                label=PlatformAction.UPGRADE.label,
                sources={S.RECOGNISED},
                target=S.RECOGNISED,
                permission=TRANSITION_PERMISSION,
                date=_date(PlatformAction.UPGRADE),
                sets_date="recognised_on",
                rule=_upgrade_rule,
                effect=_recognise,
                fields=RecognitionFields,
            ),
            Transition(
                action=PlatformAction.REVOKE,
                label=PlatformAction.REVOKE.label,
                sources={S.CULTIVATING, S.PREPARING, S.RECOGNISED},
                target=S.REVOKED,
                permission=TRANSITION_PERMISSION,
                comment_required=True,
                date=_date(PlatformAction.REVOKE),
                effect=_keep_level,
                danger=True,
            ),
            Transition(
                action=PlatformAction.RESTORE,
                label=PlatformAction.RESTORE.label,
                sources={S.REVOKED},
                target=S.CULTIVATING,
                permission=TRANSITION_PERMISSION,
                date=_date(PlatformAction.RESTORE),
                effect=_keep_level,
            ),
        ),
    )
)
