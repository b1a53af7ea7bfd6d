from django.urls import path

from . import views

app_name = "announcements"

urlpatterns = [
    path("", views.AnnouncementListView.as_view(), name="announcement_list"),
    path("manage/", views.AnnouncementManageView.as_view(), name="announcement_manage"),
    path("add/", views.AnnouncementCreateView.as_view(), name="announcement_add"),
    path("<int:pk>/", views.AnnouncementDetailView.as_view(), name="announcement_detail"),
    path("<int:pk>/edit/", views.AnnouncementUpdateView.as_view(), name="announcement_edit"),
    path("<int:pk>/transition/", views.AnnouncementTransitionView.as_view(), name="announcement_transition"),
    path("attachments/<int:pk>/", views.AttachmentDownloadView.as_view(), name="attachment_download"),
    path("attachments/<int:pk>/delete/", views.AttachmentDeleteView.as_view(), name="attachment_delete"),
]
