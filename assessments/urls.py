from django.urls import path

from . import views

app_name = "assessments"
urlpatterns = [
    path("quizzes/", views.index, name="index"),
    path("quizzes/attempts/<int:attempt_id>/", views.attempt_page, name="attempt"),
    path(
        "quizzes/attempts/<int:attempt_id>/save/", views.attempt_save_json, name="save"
    ),
    path(
        "quizzes/attempts/<int:attempt_id>/summary/",
        views.attempt_summary,
        name="summary",
    ),
    path(
        "quizzes/attempts/<int:attempt_id>/submit/", views.attempt_submit, name="submit"
    ),
    path(
        "quizzes/attempts/<int:attempt_id>/result/", views.attempt_result, name="result"
    ),
    path("quizzes/categories/", views.categories, name="categories"),
    path(
        "quizzes/categories/<int:category_id>/",
        views.category_detail,
        name="category",
    ),
    path("quizzes/<slug:slug>/", views.quiz_detail, name="quiz"),
]
