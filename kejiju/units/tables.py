import django_tables2 as tables

from kejiju.accounts.models import User
from kejiju.core.tables import BaseTable, BooleanColumn, DateTimeColumn

from .models import UnitRegistration


class UnitRegistrationTable(BaseTable):
    name = tables.Column(linkify=True)
    region = tables.Column(verbose_name="所在县区", default="（不属于县区）")
    submitted_at = DateTimeColumn(verbose_name="提交时间", format="Y-m-d H:i")

    class Meta(BaseTable.Meta):
        model = UnitRegistration
        fields = (
            "name",
            "uscc",
            "kind",
            "region",
            "contact_person",
            "contact_phone",
            "state",
            "submitted_at",
        )


class UnitAccountTable(BaseTable):
    username = tables.Column(verbose_name="用户名")
    display_name = tables.Column(verbose_name="姓名")
    role = tables.Column(verbose_name="角色")
    is_active = BooleanColumn(verbose_name="启用", yesno="是,否")
    last_login = DateTimeColumn(verbose_name="最近登录", format="Y-m-d H:i", default="从未登录")
    actions = tables.TemplateColumn(
        template_name="units/_account_actions.html",
        verbose_name="操作",
        orderable=False,
        exclude_from_export=True,
    )

    class Meta(BaseTable.Meta):
        model = User
        fields = ("username", "display_name", "role", "phone", "email", "is_active", "last_login")
