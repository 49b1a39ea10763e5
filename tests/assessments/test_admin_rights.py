import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "address",
    [
        "/admin/snippets/assessments/question/",
        "/admin/snippets/assessments/question/add/",
        "/admin/snippets/assessments/category/",
        "/admin/snippets/assessments/quiz/",
    ],
)
def test_trainers_can_build_the_question_bank_in_the_admin(client, trainer, address):
    client.force_login(trainer)
    assert client.get(address).status_code == 200


def test_learners_cannot_open_the_question_bank(client, learner):
    client.force_login(learner)
    response = client.get("/admin/snippets/assessments/question/")
    assert response.status_code in (302, 403)
