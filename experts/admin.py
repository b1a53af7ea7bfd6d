"""Django admin (superusers, emergencies only): the expert registry as Django ships the changelist, with the
list page's filters and search (also the peer of the list page in `make bench`). Personal data stays masked:
the cipher and digest columns are not editable and not shown."""

from django.contrib import admin

from .models import Expert, ExpertField


@admin.register(Expert)
class ExpertAdmin(admin.ModelAdmin):
    list_display = ("name", "gender", "title", "employer", "county", "state", "id_number_masked")
    list_filter = ("county", "state", "title")
    search_fields = ("name", "specialty", "employer__name")
    raw_id_fields = ("employer",)
    exclude = ("avoided_units",)


admin.site.register(ExpertField)
