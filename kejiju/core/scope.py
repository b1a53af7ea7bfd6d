"""Models of this app served to every holder of their view permission (kejiju.core.scoping)."""

from django.apps import apps

from kejiju.core.scoping import register_global

register_global(apps.get_model("core", "AuditEvent"), reason="安全事件：仅安全审计员可查看，不属于任何县区")
register_global(apps.get_model("core", "HolidayArrangement"), reason="全国统一的节假日安排")
register_global(apps.get_model("core", "ReportJob"), reason="年度汇总版本：全市一份，按权限查看")
register_global(apps.get_model("auditlog", "LogEntry"), reason="变更记录：仅安全审计员可查看")
register_global(apps.get_model("core", "ParameterValue"), reason="系统参数：全市共用，仅系统管理员维护")
