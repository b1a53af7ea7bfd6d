"""单位注册: submitted by the unit itself (no account yet), verified or returned by the county office of the
unit's county, or by the bureau for a unit without a county."""

from __future__ import annotations

from kejiju.core.dates import DateStep
from kejiju.core.workflow import Transition, Workflow, register_workflow, sources

from .models import RegistrationState as S

REGISTRATION_FLOW = "units.registration"
VERIFY = "units.verify_unitregistration"


def _decided_on(label: str) -> DateStep:
    return DateStep(label, earlier=("submitted_at",), field="effective_on")


def _verify(registration, ctx):
    from .services import registration_verify_effect

    return registration_verify_effect(registration=registration, actor=ctx.actor)


def _return(registration, ctx):
    from .services import registration_return_effect

    return registration_return_effect(registration=registration, reason=ctx.comment)


REGISTRATION_WORKFLOW = register_workflow(
    Workflow(
        key=REGISTRATION_FLOW,
        model="units.UnitRegistration",
        states=S,
        title="单位注册",
        created=("submit", "提交注册"),
        initial=S.SUBMITTED,
        data_labels={"organization": "单位库中的单位", "claimed": "认领已有单位", "admin": "单位管理员账户"},
        transitions=(
            Transition(
                "verify",
                "核实通过",
                sources(S.SUBMITTED),
                S.VERIFIED,
                VERIFY,
                date=_decided_on("审核日期"),
                sets_date="decided_on",
                effect=_verify,
                note="单位进入单位库（已有的由其认领），并开通单位管理员账户。",
            ),
            Transition(
                "return",
                "退回",
                sources(S.SUBMITTED),
                S.RETURNED,
                VERIFY,
                comment_required=True,
                date=_decided_on("审核日期"),
                sets_date="decided_on",
                effect=_return,
                danger=True,
                note="退回原因通过电子邮件告知注册单位，单位可修改后重新注册。",
            ),
        ),
    )
)
