import django_tables2 as tables

from kejiju.core.tables import BaseTable, BooleanColumn, DateColumn, DateTimeColumn

from .models import Application, CallGuide


class CallGuideTable(BaseTable):
    call = tables.Column(verbose_name="申报批次", linkify=lambda record: record.get_absolute_url())
    programme = tables.Column(accessor="call__programme__name", verbose_name="计划类别")
    opens_on = DateColumn(accessor="call__opens_on", verbose_name="申报开始", format="Y-m-d")
    closes_on = DateColumn(accessor="call__closes_on", verbose_name="申报截止", format="Y-m-d")
    online = BooleanColumn(verbose_name="开放网上申报", yesno="是,否")
    mine = tables.Column(verbose_name="我的申报书", orderable=False)

    class Meta(BaseTable.Meta):
        model = CallGuide
        fields = ("call", "programme", "opens_on", "closes_on", "online", "mine")


class ApplicationTable(BaseTable):
    title = tables.Column(linkify=True)
    unit = tables.Column(verbose_name="申报单位")
    region = tables.Column(verbose_name="所属县区", default="市直")
    requested = tables.Column(verbose_name="项目负责人", accessor="leader_name")
    rank = tables.Column(verbose_name="推荐排序", default="—")
    submitted_at = DateTimeColumn(verbose_name="提交时间", format="Y-m-d H:i", default="未提交")
    project = tables.Column(verbose_name="项目编号", accessor="project__number", default="—")

    class Meta(BaseTable.Meta):
        model = Application
        fields = ("title", "call", "unit", "region", "requested", "state", "rank", "submitted_at", "project")
