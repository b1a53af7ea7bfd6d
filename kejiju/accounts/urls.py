from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("login/verify/", views.LoginVerifyView.as_view(), name="login_verify"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("two-factor/", views.OTPSetupView.as_view(), name="otp_setup"),
    path("users/", views.UserListView.as_view(), name="user_list"),
    path("users/add/", views.UserCreateView.as_view(), name="user_add"),
    path("users/export/", views.UserExportView.as_view(), name="user_export"),
    path("users/<int:pk>/", views.UserDetailView.as_view(), name="user_detail"),
    path("users/<int:pk>/edit/", views.UserUpdateView.as_view(), name="user_edit"),
    path("users/<int:pk>/password/", views.UserPasswordResetView.as_view(), name="user_password"),
    path("users/<int:pk>/unlock/", views.UserUnlockView.as_view(), name="user_unlock"),
    path("users/<int:pk>/two-factor/reset/", views.UserOTPResetView.as_view(), name="user_otp_reset"),
    path("users/<int:pk>/deactivate/", views.UserSetActiveView.as_view(active=False), name="user_deactivate"),
    path("users/<int:pk>/activate/", views.UserSetActiveView.as_view(active=True), name="user_activate"),
    path("sessions/", views.UserSessionListView.as_view(), name="usersession_list"),
    path("sessions/<int:pk>/end/", views.UserSessionEndView.as_view(), name="usersession_end"),
    path("regions/", views.RegionListView.as_view(), name="region_list"),
    path("regions/add/", views.RegionCreateView.as_view(), name="region_add"),
    path("regions/<int:pk>/", views.RegionDetailView.as_view(), name="region_detail"),
    path("regions/<int:pk>/edit/", views.RegionUpdateView.as_view(), name="region_edit"),
    path("audit/changes/", views.ChangeLogListView.as_view(), name="changelog_list"),
    path("audit/changes/export/", views.ChangeLogExportView.as_view(), name="changelog_export"),
    path("audit/events/", views.AuditEventListView.as_view(), name="event_list"),
    path("audit/events/export/", views.AuditEventExportView.as_view(), name="event_export"),
]
