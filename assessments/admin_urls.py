from django.urls import path

from . import admin_views

urlpatterns = [
    path("marking/", admin_views.MarkingView.as_view(), name="marking"),
    path(
        "marking/attempt/<int:attempt_id>/",
        admin_views.AttemptMarkView.as_view(),
        name="attempt",
    ),
    path("statistics/", admin_views.StatisticsView.as_view(), name="statistics"),
    path("statistics/export/", admin_views.statistics_export, name="statistics_export"),
    path("transfer/", admin_views.TransferView.as_view(), name="transfer"),
    path("transfer/export/", admin_views.questions_export, name="export"),
]
