"""Django admin (superusers, emergencies only): read-mostly views of the enterprises app's records."""

from django.contrib import admin

from .models import (
    DoublingTarget,
    Enterprise,
    EnterpriseYear,
    GaoqiCertificate,
    PoolEntry,
    Reward,
    RewardTier,
    SmesEvaluation,
)


@admin.register(Enterprise)
class EnterpriseAdmin(admin.ModelAdmin):
    list_display = ("name", "uscc", "region", "industry_section", "is_active")
    list_filter = ("region", "industry_section", "is_active")
    search_fields = ("name", "uscc")
    raw_id_fields = ("organization",)


@admin.register(SmesEvaluation)
class SmesEvaluationAdmin(admin.ModelAdmin):
    list_display = ("enterprise", "year", "state", "total_score", "registration_number")
    list_filter = ("year", "state")
    search_fields = ("enterprise__name", "registration_number")
    raw_id_fields = ("enterprise",)


@admin.register(PoolEntry)
class PoolEntryAdmin(admin.ModelAdmin):
    list_display = ("enterprise", "state", "admitted_year")
    list_filter = ("state", "admitted_year")
    raw_id_fields = ("enterprise",)


@admin.register(GaoqiCertificate)
class GaoqiCertificateAdmin(admin.ModelAdmin):
    list_display = ("number", "enterprise", "issued_on", "expires_on", "revoked_on")
    search_fields = ("number", "enterprise__name")
    raw_id_fields = ("enterprise",)


admin.site.register(EnterpriseYear, raw_id_fields=("enterprise",))
admin.site.register(DoublingTarget)
admin.site.register(RewardTier)
admin.site.register(Reward, raw_id_fields=("enterprise", "certificate"))
