from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("kejiju.core.urls")),
    path("accounts/", include("kejiju.accounts.urls")),
    path("experts/", include("experts.urls")),
    path("enterprises/", include("enterprises.urls")),
    path("platforms/", include("platforms.urls")),
    path("projects/", include("projects.urls")),
    path("reporting/", include("kejiju.reporting.urls")),
    path("units/", include("kejiju.units.urls")),
    path("applications/", include("kejiju.applications.urls")),
    path("integrity/", include("kejiju.integrity.urls")),
    path("announcements/", include("kejiju.announcements.urls")),
    path("django-admin/", admin.site.urls),
]

handler400 = "kejiju.core.views.errors.bad_request"
handler403 = "kejiju.core.views.errors.permission_denied"
handler404 = "kejiju.core.views.errors.page_not_found"
handler500 = "kejiju.core.views.errors.server_error"
