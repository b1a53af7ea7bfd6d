"""Models of this app served to every holder of their view permission (kejiju.core.scoping)."""

from django.apps import apps

from kejiju.core.scoping import register_global

register_global(apps.get_model("projects", "Programme"), reason="计划类别目录")
register_global(apps.get_model("projects", "Call"), reason="申报批次：全市统一发布")
register_global(apps.get_model("projects", "LumpSumPilot"), reason="经费包干制试点名单：全市统一")
register_global(apps.get_model("projects", "OwnershipPilot"), reason="赋权改革试点单位：由市局管理")
register_global(apps.get_model("projects", "Achievement"), reason="职务科技成果：由市局管理，县区不查看")
register_global(apps.get_model("projects", "OwnershipGrant"), reason="赋权记录：由市局管理，县区不查看")
register_global(apps.get_model("projects", "AchievementTransfer"), reason="成果转化记录：由市局管理")
