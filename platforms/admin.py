from django.contrib import admin

from .models import Platform, PlatformApplication, PlatformEvaluation, PlatformType, RecognitionBatch


@admin.register(PlatformType)
class PlatformTypeAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "sort_order", "is_active")


@admin.register(Platform)
class PlatformAdmin(admin.ModelAdmin):
    list_display = ("name", "platform_type", "level", "state", "region", "certificate_no")
    list_filter = ("platform_type", "level", "state", "region")
    search_fields = ("name", "host__name", "certificate_no")
    raw_id_fields = ("host",)


@admin.register(RecognitionBatch)
class RecognitionBatchAdmin(admin.ModelAdmin):
    list_display = ("title", "year", "platform_type", "level", "state")


@admin.register(PlatformApplication)
class PlatformApplicationAdmin(admin.ModelAdmin):
    list_display = ("platform_name", "batch", "applicant", "state", "review_score", "rank")
    raw_id_fields = ("applicant", "platform")


@admin.register(PlatformEvaluation)
class PlatformEvaluationAdmin(admin.ModelAdmin):
    list_display = ("platform", "year", "score", "grade", "revocation_proposed")
