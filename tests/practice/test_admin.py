"""Trainers open categories or questions to daily practice in the admin; the admin
warns (and keeps saying in the listing) when a source shares questions with an exam."""

import pytest

from assessments.models import Category
from practice.models import PracticeSource
from tests.assessments.factories import make_question, make_quiz

pytestmark = pytest.mark.django_db
LIST = "/admin/snippets/practice/practicesource/"


def test_trainers_open_a_category_to_practice(client, trainer, bank):
    client.force_login(trainer)
    assert client.get(LIST).status_code == 200
    category = Category.objects.get(path="课堂练习/每日")
    response = client.post(LIST + "add/", {"category": category.pk, "note": "每日"})
    assert response.status_code == 302
    assert PracticeSource.objects.filter(category=category).exists()


def test_a_source_needs_a_category_or_a_question(client, trainer, bank):
    client.force_login(trainer)
    before = PracticeSource.objects.count()
    response = client.post(LIST + "add/", {"note": "空"})
    assert response.status_code == 200
    assert PracticeSource.objects.count() == before


def test_the_admin_warns_when_a_source_overlaps_an_exams_pool(client, trainer, bank):
    shared = make_question("ADM-EXAM", category="考试/结业")
    make_quiz("adm-exam", [shared], title="年度结业考试")
    client.force_login(trainer)
    response = client.post(
        LIST + "add/", {"category": Category.objects.get(path="考试").pk}, follow=True
    )
    page = response.content.decode()
    assert "年度结业考试" in page
    assert "每日一练会排除这些题目" in page
    listing = client.get(LIST).content.decode()
    assert "年度结业考试" in listing


def test_learners_cannot_open_the_practice_sources(client, learner):
    client.force_login(learner)
    assert client.get(LIST).status_code in (302, 403)
