from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from .models import Region, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ("username", "display_name", "role", "region", "is_active")
    list_filter = ("role", "region", "is_active")
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        ("业务", {"fields": ("display_name", "role", "region", "phone")}),
    )


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "parent", "is_active")
    list_filter = ("kind", "is_active")
