from django.urls import path

from . import views

app_name = "campaigns"
urlpatterns = [
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/read/", views.notifications_read, name="notifications_read"),
    path("reports/manage/campaigns/", views.campaign_list, name="list"),
    path("reports/manage/campaigns/new/", views.campaign_new, name="create"),
    path("reports/manage/campaigns/<str:code>/", views.campaign_edit, name="edit"),
    path(
        "reports/manage/campaigns/<str:code>/exemptions/",
        views.exemptions,
        name="exemptions",
    ),
]
