"""Django admin (superusers, emergencies only): the projects as Django ships the changelist, with the list
page's filters and search (also the peer of the list page in `make bench`)."""

from django.contrib import admin

from .models import Call, Programme, Project


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ("number", "title", "applicant", "region", "state")
    list_filter = ("region", "state", "year")
    search_fields = ("title", "number", "applicant__name", "pi_name")
    raw_id_fields = ("applicant", "call", "created_by")


admin.site.register(Programme)
admin.site.register(Call)
