from __future__ import annotations

import django_tables2 as tables
from django.utils.html import format_html

from kejiju.core.tables import BaseTable, BooleanColumn, DateColumn, MoneyColumn

from .industries import SECTION_NAMES
from .models import (
    DoublingTarget,
    Enterprise,
    GaoqiCertificate,
    PoolEntry,
    Reward,
    RewardTier,
    SmesEvaluation,
)

POOL_LABELS = dict(PoolEntry.State.choices)


class EnterpriseTable(BaseTable):
    name = tables.Column(linkify=True)
    region = tables.Column(verbose_name="所在县区", order_by=("region__sort_order", "region__code"))
    industry_section = tables.Column(verbose_name="行业门类")
    smes_latest_year = tables.Column(verbose_name="科小入库年度（最近）", default="—")
    pool_state = tables.Column(verbose_name="培育库状态", default="—")
    certificate_expires = DateColumn(verbose_name="高企证书有效期至", format="Y-m-d", default="—")
    is_active = BooleanColumn(verbose_name="有效", yesno="是,否")

    class Meta(BaseTable.Meta):
        model = Enterprise
        fields = (
            "name",
            "uscc",
            "region",
            "industry_section",
            "established_on",
            "smes_latest_year",
            "pool_state",
            "certificate_expires",
            "is_active",
        )

    def render_industry_section(self, record):
        # What get_industry_section_display() gives, without flattening the choices for every row.
        code = record.industry_section
        return f"{code} {SECTION_NAMES.get(code, code)}"

    def value_industry_section(self, record):
        return self.render_industry_section(record)

    def render_pool_state(self, value):
        return POOL_LABELS.get(value, value)

    def value_pool_state(self, value):
        return POOL_LABELS.get(value, value)


# A row's checkbox of a bulk action, named by its row for a screen reader.
ROW_CHECKBOX = {"form": "bulk-form", "aria-label": lambda record: f"选择 {record}"}


class SmesEvaluationTable(BaseTable):
    selection = tables.CheckBoxColumn(
        accessor="pk",
        attrs={
            "td__input": ROW_CHECKBOX,
            "th__input": {
                "data-select-all": 'input[name="selection"][form="bulk-form"]',
                "aria-label": "全选本页",
            },
        },
        orderable=False,
    )
    enterprise = tables.Column(
        verbose_name="企业", linkify=lambda record: record.get_absolute_url(), order_by="enterprise__name"
    )
    region = tables.Column(
        verbose_name="县区", accessor="enterprise__region", order_by="enterprise__region__code"
    )
    year = tables.Column()
    total_score = tables.Column(verbose_name="综合得分")
    passed = BooleanColumn(verbose_name="评价合格", yesno="合格,不合格")
    state = tables.Column()
    publicity_end = DateColumn(format="Y-m-d")
    registration_number = tables.Column()

    export_exclude = ("selection", "actions")

    class Meta(BaseTable.Meta):
        model = SmesEvaluation
        fields = (
            "selection",
            "enterprise",
            "region",
            "year",
            "tech_staff_points",
            "rd_points",
            "ip_points",
            "total_score",
            "passed",
            "state",
            "publicity_end",
            "registration_number",
        )


class PoolEntryTable(BaseTable):
    enterprise = tables.Column(
        verbose_name="企业", linkify=lambda record: record.get_absolute_url(), order_by="enterprise__name"
    )
    region = tables.Column(
        verbose_name="县区", accessor="enterprise__region", order_by="enterprise__region__code"
    )

    class Meta(BaseTable.Meta):
        model = PoolEntry
        fields = (
            "enterprise",
            "region",
            "state",
            "recommended_on",
            "admitted_year",
            "admitted_on",
            "applied_year",
            "certified_on",
            "exited_on",
        )


class CertificateTable(BaseTable):
    number = tables.Column(linkify=True)
    enterprise = tables.Column(verbose_name="企业", order_by="enterprise__name")
    region = tables.Column(
        verbose_name="县区", accessor="enterprise__region", order_by="enterprise__region__code"
    )
    issued_on = DateColumn(format="Y-m-d")
    expires_on = DateColumn(format="Y-m-d")
    revoked_on = DateColumn(format="Y-m-d", default="—")

    class Meta(BaseTable.Meta):
        model = GaoqiCertificate
        fields = ("number", "enterprise", "region", "issued_on", "expires_on", "revoked_on")


class DoublingTargetTable(BaseTable):
    region = tables.Column(verbose_name="县区", order_by=("region__sort_order", "region__code"))
    edit = tables.LinkColumn(
        "enterprises:doublingtarget_edit",
        args=[tables.A("pk")],
        text="编辑",
        orderable=False,
        verbose_name="",
    )

    export_exclude = ("edit",)

    class Meta(BaseTable.Meta):
        model = DoublingTarget
        fields = ("year", "region", "target", "edit")


class RewardTierTable(BaseTable):
    min_rd = MoneyColumn()
    max_rd = MoneyColumn(default="不设上限")
    amount = MoneyColumn()
    edit = tables.LinkColumn(
        "enterprises:rewardtier_edit", args=[tables.A("pk")], text="编辑", orderable=False, verbose_name=""
    )

    export_exclude = ("edit",)

    class Meta(BaseTable.Meta):
        model = RewardTier
        fields = ("year", "min_rd", "max_rd", "amount", "edit")


class RewardTable(BaseTable):
    selection = tables.CheckBoxColumn(
        accessor="pk",
        attrs={"td__input": ROW_CHECKBOX, "th__input": {"form": "bulk-form", "aria-label": "全选本页"}},
        orderable=False,
    )
    enterprise = tables.Column(
        verbose_name="企业",
        linkify=lambda record: record.enterprise.get_absolute_url(),
        order_by="enterprise__name",
    )
    region = tables.Column(
        verbose_name="县区", accessor="enterprise__region", order_by="enterprise__region__code"
    )
    certificate = tables.Column(verbose_name="高企证书", accessor="certificate__number")
    rd_expense = MoneyColumn()
    amount = MoneyColumn()

    export_exclude = ("selection",)

    class Meta(BaseTable.Meta):
        model = Reward
        fields = (
            "selection",
            "enterprise",
            "region",
            "year",
            "certificate",
            "rd_expense",
            "amount",
            "state",
            "approved_on",
            "paid_on",
            "voucher_no",
        )


def state_badge(label: str, ok: bool | None) -> str:
    colour = "success" if ok else ("secondary" if ok is None else "danger")
    return format_html('<span class="badge text-bg-{}">{}</span>', colour, label)
