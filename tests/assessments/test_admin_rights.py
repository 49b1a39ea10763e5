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


@pytest.mark.parametrize("term", ["案件比", "ACB-0", "acb-007"])
def test_trainers_find_questions_by_a_word_of_the_text_or_the_code(
    client, trainer, term
):
    from tests.assessments.factories import make_question

    make_question("ACB-007", text="案件比的分子是什么？")
    make_question("OTHER-1", text="认罪认罚从宽制度的适用阶段")
    client.force_login(trainer)

    response = client.get("/admin/snippets/assessments/question/", {"q": term})

    assert response.status_code == 200
    page = response.content.decode()
    assert "ACB-007" in page
    assert "OTHER-1" not in page


@pytest.mark.parametrize(
    "address",
    ["/admin/snippets/assessments/category/", "/admin/snippets/assessments/quiz/"],
)
def test_trainers_can_search_categories_and_quizzes(client, trainer, address):
    client.force_login(trainer)
    assert client.get(address, {"q": "案件"}).status_code == 200


def test_the_bank_finds_a_term_typed_without_its_joiner(client, trainer):
    from tests.assessments.factories import make_question

    make_question("ACB-101", text="“案-件比”的分母是什么？")
    client.force_login(trainer)
    page = client.get("/admin/snippets/assessments/question/", {"q": "案件比"})
    assert "ACB-101" in page.content.decode()
