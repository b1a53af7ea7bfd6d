from __future__ import annotations

import django_tables2 as tables
from django.utils import timezone

from kejiju.core.tables import BaseTable, DateColumn

from .models import IntegrityRecord
from .rules import is_active


class IntegrityRecordTable(BaseTable):
    name = tables.Column(linkify=True)
    subject_code = tables.Column(verbose_name="统一社会信用代码/身份证号", accessor="pk", orderable=False)
    scopes = tables.Column(verbose_name="惩戒范围", accessor="pk", orderable=False)
    starts_on = DateColumn(verbose_name="惩戒开始日期", format="Y-m-d")
    ends_on = DateColumn(verbose_name="惩戒结束日期", format="Y-m-d", default="长期")
    repaired_on = DateColumn(verbose_name="信用修复日期", format="Y-m-d", default="—")
    active = tables.Column(verbose_name="当前处于惩戒期", accessor="pk", orderable=False)

    class Meta(BaseTable.Meta):
        model = IntegrityRecord
        fields = (
            "name",
            "kind",
            "subject_code",
            "source",
            "scopes",
            "starts_on",
            "ends_on",
            "repaired_on",
            "active",
        )

    def render_subject_code(self, record):
        return record.subject_code or "—"

    def value_subject_code(self, record):
        return record.subject_code  # a person's number masked, in the file as on the page

    def render_scopes(self, record):
        return record.scope_labels

    def value_scopes(self, record):
        return record.scope_labels

    def render_active(self, record):
        return "是" if is_active(record, on=timezone.localdate()) else "否"

    def value_active(self, record):
        return self.render_active(record)
