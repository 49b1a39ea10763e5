import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessments import services
from assessments.models import Attempt, Response
from tests.assessments.factories import make_question, make_quiz, right_keys
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def quiz(reference_data):
    questions = [
        make_question("V1", explanation="秘密解析一"),
        make_question(
            "V2", type="true_false", correct_bool=True, explanation="秘密解析二"
        ),
        make_question("V3", type="numeric", numeric_answer="1.3125", tolerance="0.01"),
        make_question("V4", type="short", accepted_answers="标准答案甲"),
    ]
    return make_quiz("view-quiz", questions)


def _login(client, user):
    client.force_login(user)


def test_anonymous_visitors_are_sent_to_sign_in(client, quiz):
    for url in (
        reverse("assessments:index"),
        reverse("assessments:quiz", args=[quiz.slug]),
    ):
        response = client.get(url)
        assert (
            response.status_code == 302 and "/accounts/login/" in response["Location"]
        )


def test_another_learners_attempt_is_not_found(client, learner, tree, quiz):
    other = StaffFactory(unit=tree["G3"], staff_no="O0001").user
    attempt = services.attempt_start(user=learner, quiz=quiz)
    _login(client, other)
    for name in ("attempt", "summary", "result"):
        assert (
            client.get(reverse(f"assessments:{name}", args=[attempt.pk])).status_code
            == 404
        )
    reply = client.post(
        reverse("assessments:save", args=[attempt.pk]),
        data=json.dumps({"seq": 0, "answers": {"1": {"text": "x"}}}),
        content_type="application/json",
    )
    assert reply.status_code == 404


def test_draft_quizzes_are_hidden_from_learners_but_previewable_by_trainers(
    client, learner, trainer, quiz
):
    quiz.draft = True
    quiz.save()
    _login(client, learner)
    assert client.get(reverse("assessments:quiz", args=[quiz.slug])).status_code == 404
    _login(client, trainer)
    page = client.get(reverse("assessments:quiz", args=[quiz.slug]))
    assert page.status_code == 200 and "草稿" in page.content.decode()
    client.post(reverse("assessments:quiz", args=[quiz.slug]))
    attempt = Attempt.objects.get(user=trainer)
    assert attempt.preview and not attempt.counted


def test_nothing_before_submission_reveals_the_right_answer(client, learner, quiz):
    quiz.attempts_allowed = 1  # an exam shows its answers once none are left
    quiz.save()
    _login(client, learner)
    client.post(reverse("assessments:quiz", args=[quiz.slug]))
    attempt = Attempt.objects.get(user=learner)
    pages = [
        client.get(reverse("assessments:attempt", args=[attempt.pk]) + f"?q={n}")
        for n in range(1, 5)
    ]
    pages.append(client.get(reverse("assessments:summary", args=[attempt.pk])))
    reply = client.post(
        reverse("assessments:save", args=[attempt.pk]),
        data=json.dumps(
            {
                "seq": 0,
                "answers": {
                    "1": {"keys": [attempt.items.get(position=1).option_keys[0]]}
                },
            }
        ),
        content_type="application/json",
    )
    assert set(reply.json()) == {"ok", "seq"}
    html = "".join(p.content.decode() for p in pages)
    for secret in (
        "秘密解析",
        "1.3125",
        "标准答案甲",
        "fraction",
        "正确答案",
        "option-right",
        "right answer",
    ):
        assert secret not in html
    item = attempt.items.select_related("version").get(position=1)
    right = right_keys(item)[0]
    assert (
        html.count(right) == 1
    )  # present only as an option value, like every other option
    client.post(reverse("assessments:submit", args=[attempt.pk]))
    result = client.get(
        reverse("assessments:result", args=[attempt.pk])
    ).content.decode()
    assert "秘密解析一" in result


def test_a_stale_save_gets_409_with_the_page_out_of_date_message(client, learner, quiz):
    _login(client, learner)
    attempt = services.attempt_start(user=learner, quiz=quiz)
    url = reverse("assessments:save", args=[attempt.pk])
    body = json.dumps({"seq": 0, "answers": {"3": {"text": "1.31"}}})
    assert (
        client.post(url, data=body, content_type="application/json").status_code == 200
    )
    replay = client.post(
        url, data=body.replace("1.31", "9"), content_type="application/json"
    )
    assert replay.status_code == 409
    assert "页面已过期" in replay.json()["error"]
    assert Response.objects.get(item__attempt=attempt, item__position=3).answer == {
        "text": "1.31"
    }


def test_the_form_post_path_saves_without_javascript(client, learner, quiz):
    _login(client, learner)
    attempt = services.attempt_start(user=learner, quiz=quiz)
    reply = client.post(
        reverse("assessments:attempt", args=[attempt.pk]),
        {
            "seq": 0,
            "position": 4,
            "answer_present": 1,
            "answer": "标准答案甲",
            "go": "summary",
            "flagged": "1",
        },
    )
    assert reply.status_code == 302 and "summary" in reply["Location"]
    item = attempt.items.get(position=4)
    assert item.response.answer == {"text": "标准答案甲"} and item.flagged


def _quiz_with(n, reference_data):
    return make_quiz(f"budget-{n}", [make_question(f"B{n}-{i}") for i in range(n)])


@pytest.mark.parametrize("size", [3, 30])
def test_the_quiz_page_has_a_fixed_query_budget(
    client, learner, reference_data, size, django_assert_max_num_queries
):
    quiz = _quiz_with(size, reference_data)
    attempt = services.attempt_start(user=learner, quiz=quiz)
    _login(client, learner)
    url = reverse("assessments:attempt", args=[attempt.pk]) + "?q=2"
    client.get(url)
    # The session (none with sessions in Redis), the user, and the attempt with
    # its items in one read.
    with django_assert_max_num_queries(3):
        assert client.get(url).status_code == 200


def _budget(on_postgresql: int, elsewhere: int) -> int:
    """A request's query budget: PostgreSQL writes a save, a start or a finish in
    one statement; elsewhere they are a transaction of several."""
    return on_postgresql if connection.vendor == "postgresql" else elsewhere


def _signed_in(client, user):
    """Sign in and make one request, so that the session is read before counting."""
    _login(client, user)
    client.get(reverse("assessments:index"))


@pytest.mark.parametrize("size", [3, 30])
def test_an_answer_save_has_a_fixed_query_budget(
    client, learner, reference_data, size, django_assert_max_num_queries
):
    quiz = _quiz_with(size, reference_data)
    attempt = services.attempt_start(user=learner, quiz=quiz)
    _signed_in(client, learner)
    url = reverse("assessments:save", args=[attempt.pk])
    # Every answer of the attempt in one autosave: the count does not grow with them.
    answers = {str(p): {"keys": []} for p in range(1, size + 1)}
    body = json.dumps({"seq": 0, "answers": answers, "flags": {"2": True}})
    # The user, the items shown, the gated write (elsewhere: the gate, the answers
    # and the flag in a transaction).
    with django_assert_max_num_queries(_budget(4, 8)):
        assert (
            client.post(url, data=body, content_type="application/json").status_code
            == 200
        )
    item = attempt.items.get(position=2)
    assert item.flagged and item.response.seq == 1


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="prepared statements: PostgreSQL only"
)
def test_repeated_saves_run_as_prepared_statements(client, learner, quiz):
    """Parameters are bound by the server, so a statement that keeps coming back on
    a connection is parsed and planned once: after a few autosaves every statement
    of a save runs prepared."""
    attempt = services.attempt_start(user=learner, quiz=quiz)
    _signed_in(client, learner)
    url = reverse("assessments:save", args=[attempt.pk])

    def save(seq):
        body = json.dumps({"seq": seq, "answers": {"3": {"text": str(seq)}}})
        reply = client.post(url, data=body, content_type="application/json")
        assert reply.status_code == 200
        return reply.json()["seq"]

    def prepared():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT statement, generic_plans + custom_plans"
                " FROM pg_prepared_statements"
            )
            return dict(cursor.fetchall())

    seq = 0
    for _ in range(6):
        seq = save(seq)
    before = prepared()
    with CaptureQueriesContext(connection) as queries:
        seq = save(seq)
    after = prepared()
    assert seq == 7
    ran = {text for text, runs in after.items() if runs > before.get(text, 0)}
    # Each statement of this save (the user and the gated write: the attempt's items
    # are known from the first save) ran as one of the prepared ones, which the
    # server holds with $n placeholders.
    sent = [q["sql"] for q in queries.captured_queries]
    assert len(sent) == 2 and len(ran) == 2
    for sql in sent:
        head = sql.split(" WHERE ")[0]
        assert any(text.startswith(head) for text in ran), head
    assert any("$1" in text for text in ran)


@pytest.mark.parametrize("size", [3, 30])
def test_starting_and_submitting_have_fixed_query_budgets(
    client, learner, reference_data, size, django_assert_max_num_queries
):
    quiz = _quiz_with(size, reference_data)
    _signed_in(client, learner)
    # The user, the quiz, the earlier attempts, the slots with their versions, the
    # insert of the attempt with its items and responses.
    with django_assert_max_num_queries(_budget(6, 10)):
        reply = client.post(reverse("assessments:quiz", args=[quiz.slug]))
    attempt = Attempt.objects.get(user=learner, quiz=quiz)
    assert reply.status_code == 302 and str(attempt.pk) in reply["Location"]
    assert (
        attempt.items.count()
        == size
        == Response.objects.filter(item__attempt=attempt).count()
    )
    # The user, the attempt, its answers, the gated finish.
    with django_assert_max_num_queries(_budget(5, 8)):
        reply = client.post(reverse("assessments:submit", args=[attempt.pk]))
    attempt.refresh_from_db()
    assert reply.status_code == 302 and attempt.status == Attempt.Status.FINISHED
    assert attempt.seq == 1 and attempt.score == 0
    assert not Response.objects.filter(
        item__attempt=attempt, score__isnull=True
    ).exists()


@pytest.mark.parametrize("attempts", [2, 20])
def test_my_exams_has_a_fixed_query_budget(
    client, learner, quiz, attempts, django_assert_max_num_queries
):
    for _ in range(attempts):
        a = services.attempt_start(user=learner, quiz=quiz)
        services.attempt_submit(attempt_id=a.pk, user=learner)
    _login(client, learner)
    with django_assert_max_num_queries(12):
        page = client.get(reverse("assessments:index"))
    assert page.status_code == 200


def test_marking_is_scoped_to_the_trainers_units(client, tree, learner, reference_data):
    from organisation.models import RoleAssignment
    from organisation.services import role_assign

    quiz = make_quiz("essay", [make_question("ES", type="essay")])
    attempt = services.attempt_start(user=learner, quiz=quiz)
    services.attempt_save(
        attempt_id=attempt.pk, user=learner, seq=0, answers={1: {"text": "答"}}
    )
    services.attempt_submit(attempt_id=attempt.pk, user=learner)
    elsewhere = StaffFactory(unit=tree["G3"], staff_no="T0009").user
    role_assign(user=elsewhere, role=RoleAssignment.Role.TRAINER, unit=tree["C2"])
    _login(client, elsewhere)
    assert "李学员" not in client.get("/admin/assessments/marking/").content.decode()
    assert (
        client.get(f"/admin/assessments/marking/attempt/{attempt.pk}/").status_code
        == 404
    )
    local = StaffFactory(unit=tree["G1"], staff_no="T0010").user
    role_assign(user=local, role=RoleAssignment.Role.TRAINER, unit=tree["G1"])
    _login(client, local)
    page = client.get(f"/admin/assessments/marking/attempt/{attempt.pk}/")
    assert page.status_code == 200
    response = attempt.items.get().response
    client.post(
        f"/admin/assessments/marking/attempt/{attempt.pk}/",
        {"response": response.pk, "score": "1", "comment": "好"},
    )
    attempt.refresh_from_db()
    assert attempt.status == Attempt.Status.FINISHED and attempt.score == 1


def test_learners_cannot_open_the_marking_pages(client, learner):
    _login(client, learner)
    assert client.get("/admin/assessments/marking/").status_code in (302, 403)


def test_an_open_attempt_reads_as_being_answered_not_as_studying(client, learner, quiz):
    services.attempt_start(user=learner, quiz=quiz)
    _login(client, learner)
    html = client.get(reverse("assessments:quiz", args=[quiz.slug])).content.decode()
    assert "作答中" in html
    assert "学习中" not in html


def test_the_marking_page_names_a_true_false_answer_in_words(
    client, tree, learner, trainer, reference_data
):
    quiz = make_quiz(
        "mix-tf",
        [
            make_question("TF-M", type="true_false", correct_bool=True),
            make_question("ES-M", type="essay"),
        ],
    )
    attempt = services.attempt_start(user=learner, quiz=quiz)
    services.attempt_submit(attempt_id=attempt.pk, user=learner)
    _login(client, trainer)
    html = client.get(f"/admin/assessments/marking/attempt/{attempt.pk}/")
    text = html.content.decode()
    assert "正确答案： 对" in text
    assert "正确答案： true" not in text
