"""Models of this app served to every holder of their view permission (kejiju.core.scoping)."""

from django.apps import apps

from kejiju.core.scoping import register_global

register_global(apps.get_model("platforms", "PlatformType"), reason="平台类型目录")
register_global(apps.get_model("platforms", "RecognitionBatch"), reason="认定批次：全市统一组织")
register_global(apps.get_model("platforms", "EvaluationPolicy"), reason="绩效评价规则：全市统一")
