from django.urls import path

from . import views

app_name = "learning"
urlpatterns = [
    path("learning/", views.dashboard_view, name="dashboard"),
    path(
        "learning/lessons/<int:lesson_id>/done/",
        views.lesson_done_view,
        name="lesson_done",
    ),
    path(
        "learning/lessons/<int:lesson_id>/video/",
        views.video_heartbeat_view,
        name="video_heartbeat",
    ),
    path(
        "learning/certificates/<str:code>.pdf",
        views.certificate_download_view,
        name="certificate_download",
    ),
    path(
        "certificates/verify/",
        views.certificate_verify_form_view,
        name="certificate_verify_form",
    ),
    path(
        "certificates/verify/<str:code>/",
        views.certificate_verify_view,
        name="certificate_verify",
    ),
]
