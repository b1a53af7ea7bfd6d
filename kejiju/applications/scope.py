"""Models of this app served to every holder of their view permission (kejiju.core.scoping)."""

from django.apps import apps

from kejiju.core.scoping import register_global

register_global(apps.get_model("applications", "CallGuide"), reason="申报指南：全市统一发布")
register_global(apps.get_model("applications", "GuideAttachment"), reason="申报指南附件：随指南公开")
