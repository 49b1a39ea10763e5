from django.urls import path

from . import views

app_name = "practice"
urlpatterns = [
    path("practice/", views.today_view, name="today"),
    path("practice/answers/<int:answer_id>/", views.answer_view, name="answer"),
    path("practice/book/", views.book_view, name="book"),
    path("practice/week/", views.week_view, name="week"),
]
