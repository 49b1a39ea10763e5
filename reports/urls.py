from django.urls import path

from . import views

app_name = "reports"
urlpatterns = [
    path("reports/", views.index, name="index"),
    path("reports/campaigns/<str:code>/", views.campaign, name="campaign"),
    path(
        "reports/campaigns/<str:code>/units/<str:unit_code>/",
        views.campaign_unit,
        name="campaign_unit",
    ),
    path(
        "reports/campaigns/<str:code>/units/<str:unit_code>/people.csv",
        views.people_csv,
        name="people_csv",
    ),
    path(
        "reports/campaigns/<str:code>/units/<str:unit_code>/export/",
        views.export_create,
        name="export_create",
    ),
    path("reports/exports/<int:pk>/", views.export_detail, name="export_detail"),
    path(
        "reports/exports/<int:pk>/download/",
        views.export_download,
        name="export_download",
    ),
    path("reports/matrix/", views.matrix, name="matrix_home"),
    path("reports/matrix/<str:unit_code>/", views.matrix, name="matrix"),
]
