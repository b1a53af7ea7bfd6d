import django_tables2 as tables

from kejiju.core.tables import BaseTable, BooleanColumn, DateColumn

from .models import (
    OutreachEvent,
    Platform,
    PlatformApplication,
    PlatformEvaluation,
    PlatformType,
    RecognitionBatch,
)

NOWRAP = {"td": {"class": "text-nowrap"}, "th": {"class": "text-nowrap"}}


class PlatformTable(BaseTable):
    name = tables.Column(linkify=True)
    level = tables.Column(verbose_name="级别", attrs=NOWRAP)
    state = tables.Column(verbose_name="状态", attrs=NOWRAP)
    certificate_no = tables.Column(verbose_name="证书编号", attrs=NOWRAP)
    platform_type = tables.Column(
        verbose_name="平台类型", order_by=("platform_type__sort_order", "platform_type__name")
    )
    host = tables.Column(verbose_name="依托单位", order_by=("host__name",))
    region = tables.Column(verbose_name="所在县区", order_by=("region__sort_order",))
    recognised_on = DateColumn(verbose_name="认定日期", format="Y-m-d", attrs=NOWRAP)

    class Meta(BaseTable.Meta):
        model = Platform
        fields = (
            "name",
            "platform_type",
            "level",
            "state",
            "host",
            "region",
            "field",
            "certificate_no",
            "recognised_on",
            "staff_count",
        )


class PlatformTypeTable(BaseTable):
    name = tables.Column(linkify=True)
    platform_count = tables.Column(verbose_name="平台数")
    is_active = BooleanColumn(verbose_name="启用", yesno="是,否")

    class Meta(BaseTable.Meta):
        model = PlatformType
        fields = ("name", "code", "sort_order", "is_active", "platform_count")


class BatchTable(BaseTable):
    title = tables.Column(linkify=True)
    platform_type = tables.Column(verbose_name="平台类型", order_by=("platform_type__sort_order",))
    application_count = tables.Column(verbose_name="申报数")
    recognised_count = tables.Column(verbose_name="认定数")
    publicity_end = DateColumn(verbose_name="公示截止", format="Y-m-d")
    recognised_on = DateColumn(verbose_name="认定日期", format="Y-m-d")
    # Shown to those who enter or file applications (the list view drops it for the others).
    actions = tables.TemplateColumn(
        '{% if record.state == "open" %}<a class="btn btn-sm btn-primary" '
        "href=\"{% url 'platforms:platformapplication_add' record.pk %}\">申报</a>{% endif %}",
        orderable=False,
        verbose_name="",
    )

    class Meta(BaseTable.Meta):
        model = RecognitionBatch
        fields = (
            "title",
            "year",
            "platform_type",
            "level",
            "state",
            "application_count",
            "recognised_count",
            "publicity_end",
            "recognised_on",
        )


class ApplicationTable(BaseTable):
    platform_name = tables.Column(linkify=True)
    applicant = tables.Column(verbose_name="申报单位", order_by=("applicant__name",))
    region = tables.Column(verbose_name="所在县区", order_by=("region__sort_order",))
    review_score = tables.Column(verbose_name="评审得分")

    class Meta(BaseTable.Meta):
        model = PlatformApplication
        fields = (
            "rank",
            "platform_name",
            "applicant",
            "region",
            "field",
            "state",
            "review_score",
            "certificate_no",
        )
        order_by = ("rank", "pk")


class EvaluationTable(BaseTable):
    platform = tables.Column(verbose_name="平台", linkify=True, order_by=("platform__name",))
    platform_type = tables.Column(
        verbose_name="平台类型",
        accessor="platform__platform_type",
        order_by=("platform__platform_type__sort_order",),
    )
    region = tables.Column(
        verbose_name="所在县区", accessor="platform__region", order_by=("platform__region__sort_order",)
    )
    revocation_proposed = BooleanColumn(verbose_name="拟撤销", yesno="是,否")
    actions = tables.LinkColumn(
        "platforms:platformevaluation_edit",
        args=[tables.A("pk")],
        text="修改",
        orderable=False,
        verbose_name="",
    )

    class Meta(BaseTable.Meta):
        model = PlatformEvaluation
        fields = (
            "platform",
            "platform_type",
            "region",
            "year",
            "score",
            "grade",
            "revocation_proposed",
            "comment",
        )


class OutreachEventTable(BaseTable):
    name = tables.Column(linkify=True)
    held_on = DateColumn(verbose_name="活动日期", format="Y-m-d", attrs=NOWRAP)
    kind = tables.Column(verbose_name="活动类型", attrs=NOWRAP)
    state = tables.Column(verbose_name="状态", attrs=NOWRAP)
    science_week = BooleanColumn(verbose_name="科技活动周", yesno="是,否")
    organiser = tables.Column(
        verbose_name="举办单位", accessor="organiser", order_by=("platform__name", "organiser_name")
    )
    region = tables.Column(verbose_name="所在县区", order_by=("region__sort_order",))
    audience = tables.Column(verbose_name="受众人次")
    photo_count = tables.Column(verbose_name="照片")

    class Meta(BaseTable.Meta):
        model = OutreachEvent
        fields = (
            "name",
            "held_on",
            "kind",
            "state",
            "science_week",
            "organiser",
            "region",
            "audience",
            "photo_count",
        )
