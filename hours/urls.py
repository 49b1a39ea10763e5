from django.urls import path

from . import views

app_name = "hours"
urlpatterns = [
    path("hours/", views.mine, name="mine"),
    path("hours/record.pdf", views.my_archive, name="my_archive"),
    path("hours/sign-in/", views.sign_in, name="sign_in"),
    path("hours/classes/", views.classes, name="classes"),
    path("hours/sessions/<int:pk>/code/", views.session_code, name="session_code"),
    path("hours/sessions/<int:pk>/qr.svg", views.code_qr, name="code_qr"),
    path("reports/hours/", views.report_home, name="report_home"),
    path(
        "reports/hours/people/<str:staff_no>/record.pdf",
        views.person_archive,
        name="person_archive",
    ),
    path("reports/hours/<str:unit_code>/", views.report, name="report"),
    path(
        "reports/hours/<str:unit_code>/people.<str:fmt>",
        views.report_file,
        name="report_file",
    ),
    path("reports/hours/<str:unit_code>/upward.xlsx", views.upward, name="upward"),
]
