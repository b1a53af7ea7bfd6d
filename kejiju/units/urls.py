from django.urls import path

from . import views

app_name = "units"

urlpatterns = [
    path("register/", views.RegisterView.as_view(), name="register"),
    path("register/done/", views.RegisterDoneView.as_view(), name="register_done"),
    path("registrations/", views.UnitRegistrationListView.as_view(), name="unitregistration_list"),
    path(
        "registrations/<int:pk>/", views.UnitRegistrationDetailView.as_view(), name="unitregistration_detail"
    ),
    path(
        "registrations/<int:pk>/transition/",
        views.UnitRegistrationTransitionView.as_view(),
        name="unitregistration_transition",
    ),
    path(
        "registrations/<int:pk>/licence/",
        views.LicenceDownloadView.as_view(),
        name="unitregistration_file",
    ),
    path("accounts/", views.UnitAccountListView.as_view(), name="account_list"),
    path("accounts/add/", views.ApplicantCreateView.as_view(), name="applicant_add"),
    path("accounts/<int:pk>/active/", views.UnitAccountActiveView.as_view(), name="account_active"),
]
