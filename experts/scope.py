"""Models of this app served to every holder of their view permission (kejiju.core.scoping)."""

from django.apps import apps

from kejiju.core.scoping import register_global

register_global(apps.get_model("experts", "Expert"), reason="专家库由市局统一管理，县区不查看")
register_global(apps.get_model("experts", "ExpertField"), reason="专业领域目录")
register_global(apps.get_model("experts", "CompositionRule"), reason="评审组组成规则由市局统一制定")
register_global(apps.get_model("experts", "ReviewPanel"), reason="评审组由市局组建，县区不查看")
register_global(apps.get_model("experts", "ReviewDraw"), reason="抽取记录属于评审组，由市局查看")
register_global(apps.get_model("experts", "CommissionerTeam"), reason="科技特派团：全市的团队目录")
