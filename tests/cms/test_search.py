import pytest
from django.urls import reverse

from cms.search import index_terms, normalise, query_terms, search
from tests.learning.helpers import catalogue, make_course, paragraph

pytestmark = pytest.mark.django_db


@pytest.fixture
def index(reference_data):
    return catalogue(reference_data)


def test_normalising_joins_hyphenated_and_quoted_terms():
    assert normalise("“案-件比”") == "案件比"
    assert normalise("案－件比") == "案件比"
    assert normalise("ＡＢＣ") == "abc"


def test_domain_terms_stay_whole(db):
    assert query_terms("案件比") == ["案件比"]
    assert query_terms("认罪认罚") == ["认罪认罚"]
    assert query_terms("诉前羁押") == ["诉前羁押"]
    assert query_terms("案-件比") == ["案件比"]


def test_longer_words_are_indexed_with_the_terms_inside_them(db):
    terms = index_terms("认罪认罚从宽制度适用率")
    assert "认罪认罚" in terms
    assert "诉前羁押" in index_terms("诉前羁押率明显下降")


def test_course_search_terms_join_the_dictionary(index):
    make_course(index, code="K-1", title="新课程", keywords="枫桥经验")
    assert query_terms("枫桥经验") == ["枫桥经验"]


def test_hyphenated_and_plain_spellings_find_each_other(index):
    hyphen = make_course(
        index, code="S-1", title="甲课程", body=[paragraph("讲解“案-件比”的含义。")]
    )
    plain = make_course(
        index, code="S-2", title="乙课程", body=[paragraph("讲解案件比的计算。")]
    )
    for query in ("案件比", "案-件比", "“案-件比”"):
        _terms, hits = search(query)
        courses = {hit.course.pk for hit in hits}
        assert {hyphen.pk, plain.pk} <= courses, query


def test_a_title_match_ranks_above_a_body_match(index):
    body_only = make_course(
        index,
        code="R-1",
        title="检察文书写作",
        body=[paragraph("认罪认罚案件的起诉书。认罪认罚。认罪认罚。")],
    )
    titled = make_course(index, code="R-2", title="认罪认罚从宽制度适用")
    _terms, hits = search("认罪认罚")
    order = [hit.page.pk for hit in hits]
    assert order[0] == titled.pk
    assert body_only.pk in {hit.course.pk for hit in hits}


def test_results_list_courses_and_lessons(index):
    make_course(index, code="L-1", title="诉前程序", body=[paragraph("诉前检察建议")])
    _terms, hits = search("诉前检察建议")
    kinds = {hit.kind for hit in hits}
    assert kinds == {"lesson"}
    _terms, hits = search("诉前程序")
    assert "course" in {hit.kind for hit in hits}


def test_unpublished_courses_are_not_found(index):
    course = make_course(index, code="U-1", title="内部课程甲")
    course.unpublish()
    from cms.search import rebuild_index

    rebuild_index()
    _terms, hits = search("内部课程甲")
    assert course.pk not in {hit.course.pk for hit in hits}


def test_the_search_page_shows_results(client, index, learner):
    make_course(index, code="IND-7", title="“案-件比”的计算与应用")
    client.force_login(learner)
    response = client.get(reverse("cms:search"), {"q": "案件比"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "IND-7" in html and "案-件比</mark>”的计算与应用" in html


def test_an_empty_or_odd_query_is_harmless(client, index, learner):
    client.force_login(learner)
    for q in ("", "   ", "的", "<script>alert(1)</script>", "%" * 300):
        response = client.get(reverse("cms:search"), {"q": q})
        assert response.status_code == 200
        assert "<script>alert(1)</script>" not in response.content.decode()


def test_anonymous_visitors_are_sent_to_sign_in(client, db):
    response = client.get(reverse("cms:search"), {"q": "案件比"})
    assert response.status_code == 302


def test_the_search_page_marks_the_terms_it_matched(client, index, learner):
    make_course(
        index, code="IND-8", title="“案-件比”的计算", summary="讲解案件比<b>分子</b>"
    )
    client.force_login(learner)
    html = client.get(reverse("cms:search"), {"q": "案件比"}).content.decode()
    assert "<mark>案-件比</mark>" in html
    assert "<b>分子</b>" not in html


def test_highlight_escapes_the_text_around_the_terms():
    from cms.templatetags.search_tags import highlight

    marked = highlight("<i>Acb</i> 与 ACB 案件", ["acb"])
    assert marked == "&lt;i&gt;<mark>Acb</mark>&lt;/i&gt; 与 <mark>ACB</mark> 案件"
