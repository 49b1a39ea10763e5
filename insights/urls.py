from django.urls import path

from . import views

app_name = "insights"
urlpatterns = [
    path("insights/", views.index, name="index"),
    path("insights/units/<str:code>/", views.unit_detail, name="unit"),
    path("insights/more/", views.more, name="more"),
    path("insights/export.<str:fmt>", views.export, name="export"),
    path("insights/gaps/campaign/", views.gap_campaign, name="gap_campaign"),
]
