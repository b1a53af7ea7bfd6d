"""Models of this app served to every holder of their view permission (kejiju.core.scoping)."""

from django.apps import apps

from kejiju.core.scoping import register_global

# A 失信 finding binds its subject everywhere in the city, whatever county it is registered in: a county
# office checking an applicant must see a finding made against a unit or person of another county.
register_global(
    apps.get_model("integrity", "IntegrityRecord"),
    reason="科研诚信失信记录：全市统一适用（省级名单），各县区均须查询",
)
