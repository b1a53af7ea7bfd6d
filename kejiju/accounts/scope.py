"""Models of this app served to every holder of their view permission (kejiju.core.scoping)."""

from django.apps import apps

from kejiju.core.scoping import register_global

register_global(apps.get_model("accounts", "Region"), reason="行政区划：全市共用的目录")
register_global(apps.get_model("accounts", "User"), reason="账户：仅系统管理员管理，不属于任何县区")
register_global(
    apps.get_model("accounts", "UserSession"), reason="在线会话：仅系统管理员查看，不属于任何县区"
)
