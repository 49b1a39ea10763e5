"""Course packages: export, import, clashes, new versions and a round trip."""

import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.core.management.base import CommandError
from PIL import Image as PILImage
from wagtail.documents import get_document_model
from wagtail.images import get_image_model

from assessments.models import Question, QuestionVersion, Quiz
from assessments.services import question_publish_version
from learning.models import CoursePage, LessonPage
from learning.packages import FORMAT_VERSION, MANIFEST
from tests.assessments.factories import make_question, make_quiz
from tests.campaigns.factories import make_course

ROOT = Path(__file__).resolve().parents[2]


def _png() -> ContentFile:
    buffer = io.BytesIO()
    PILImage.new("RGB", (4, 3), (200, 30, 30)).save(buffer, "PNG")
    return ContentFile(buffer.getvalue(), name="cover.png")


@pytest.fixture
def course(reference_data):
    image = get_image_model().objects.create(title="封面", file=_png())
    document = get_document_model()(title="讲义")
    document.file.save("handout.txt", ContentFile("讲义内容".encode()), save=True)
    questions = [make_question(f"PK-{n}") for n in range(1, 4)]
    first = question_publish_version(question=questions[0])
    QuestionVersion.objects.create(
        question=questions[0],
        number=2,
        data={**first.data, "text": "题目 PK-1（修订）"},
    )
    final = make_quiz("pk-final", questions[:2], pass_mark=60)
    gate = make_quiz("pk-gate", questions[2:])
    course = make_course(reference_data, "PKG-101", lessons=2, hours=3)
    course.summary = "课程包测试"
    course.cover_image = image
    course.final_quiz = final
    course.save_revision().publish()
    lesson = LessonPage.objects.child_of(course).get(slug="l0")
    lesson.body = [
        ("heading", {"text": "第一节"}),
        ("paragraph", "<p>正文</p>"),
        ("image", {"image": image, "caption": "图一"}),
        ("document", {"document": document, "title": "下载讲义"}),
        ("quiz", {"quiz": gate, "required_to_pass": True}),
    ]
    lesson.estimated_minutes = 25
    lesson.save_revision().publish()
    return course


def _manifest(path) -> dict:
    with zipfile.ZipFile(path) as archive:
        return json.loads(archive.read(MANIFEST))


def _files(path) -> dict:
    with zipfile.ZipFile(path) as archive:
        return {n: archive.read(n) for n in archive.namelist() if n != MANIFEST}


def _rewrite(path, manifest: dict) -> None:
    files = _files(path)
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(MANIFEST, json.dumps(manifest, ensure_ascii=False))
        for name, data in files.items():
            archive.writestr(name, data)


@pytest.mark.django_db
def test_the_package_holds_course_lessons_quizzes_questions_and_media(course, tmp_path):
    path = tmp_path / "pkg.zip"
    call_command(
        "export_course", "PKG-101", "--output", str(path), stdout=io.StringIO()
    )
    manifest = _manifest(path)
    assert manifest["format_version"] == FORMAT_VERSION
    assert manifest["course"]["code"] == "PKG-101"
    assert manifest["course"]["class_hours"] == "3.0"
    assert manifest["course"]["final_quiz"] == "pk-final"
    assert [ln["slug"] for ln in manifest["lessons"]] == ["l0", "l1"]
    body = manifest["lessons"][0]["body"]
    assert body[2]["value"]["image"] == manifest["course"]["cover_image"]
    assert body[4]["value"]["quiz"] == "pk-gate"
    assert [q["slug"] for q in manifest["quizzes"]] == ["pk-final", "pk-gate"]
    questions = {q["code"]: q for q in manifest["questions"]}
    assert set(questions) == {"PK-1", "PK-2", "PK-3"}
    assert [v["number"] for v in questions["PK-1"]["versions"]] == [1, 2]
    assert {"path": "指标/案-件比"} in manifest["categories"]
    assert sorted(m["kind"] for m in manifest["media"]) == ["document", "image"]
    assert len(_files(path)) == 2


@pytest.mark.django_db
def test_an_existing_course_or_question_is_refused_and_nothing_changes(
    course, tmp_path
):
    path = tmp_path / "pkg.zip"
    call_command(
        "export_course", "PKG-101", "--output", str(path), stdout=io.StringIO()
    )
    pages = CoursePage.objects.count()
    with pytest.raises(CommandError) as refused:
        call_command("import_course", str(path), stdout=io.StringIO())
    message = str(refused.value)
    assert "已存在" in message and "课程 PKG-101" in message
    assert "试题 PK-1" in message and "测验 pk-final" in message
    assert "--as-new-version" in message
    assert CoursePage.objects.count() == pages


@pytest.mark.django_db
def test_as_new_version_adds_revisions_and_versions_and_deletes_nothing(
    course, tmp_path
):
    path = tmp_path / "pkg.zip"
    call_command(
        "export_course", "PKG-101", "--output", str(path), stdout=io.StringIO()
    )
    manifest = _manifest(path)
    manifest["course"]["summary"] = "第二版"
    pk1 = next(q for q in manifest["questions"] if q["code"] == "PK-1")
    pk1["versions"].append(
        {"number": 3, "data": {**pk1["versions"][-1]["data"], "text": "三"}}
    )
    _rewrite(path, manifest)
    revisions = course.revisions.count()
    call_command("import_course", str(path), "--as-new-version", stdout=io.StringIO())
    course.refresh_from_db()
    assert course.summary == "第二版"
    assert course.revisions.count() == revisions + 1
    numbers = QuestionVersion.objects.filter(question__code="PK-1")
    assert sorted(numbers.values_list("number", flat=True)) == [1, 2, 3]
    assert LessonPage.objects.child_of(course).count() == 2
    assert Quiz.objects.filter(slug="pk-final").count() == 1


@pytest.mark.django_db
def test_a_failing_import_writes_nothing(course, tmp_path):
    path = tmp_path / "pkg.zip"
    call_command(
        "export_course", "PKG-101", "--output", str(path), stdout=io.StringIO()
    )
    manifest = _manifest(path)
    manifest["course"]["code"] = "PKG-202"
    for question in manifest["questions"]:
        question["code"] += "-B"
    for quiz in manifest["quizzes"]:
        quiz["slots"] = [{**s, "question": s["question"] + "-B"} for s in quiz["slots"]]
        quiz["slug"] += "-b"
    manifest["course"]["final_quiz"] += "-b"
    # The last question names an indicator this installation lacks.
    manifest["questions"][-1]["indicators"] = ["NO-SUCH-INDICATOR"]
    _rewrite(path, manifest)
    with pytest.raises(CommandError, match="NO-SUCH-INDICATOR"):
        call_command("import_course", str(path), stdout=io.StringIO())
    assert not Question.objects.filter(code__endswith="-B").exists()
    assert not CoursePage.objects.filter(code="PKG-202").exists()


@pytest.mark.django_db
def test_a_package_of_another_format_version_is_refused(tmp_path, reference_data):
    path = tmp_path / "pkg.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(
            MANIFEST, json.dumps({"format": "course-package", "format_version": 99})
        )
    with pytest.raises(CommandError, match="99"):
        call_command("import_course", str(path))


def test_an_unknown_course_is_refused(db, tmp_path):
    with pytest.raises(CommandError, match="NOPE"):
        call_command("export_course", "NOPE", "--output", str(tmp_path / "x.zip"))


def _manage(env: dict, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.django_db
def test_a_course_round_trips_between_two_databases_unchanged(course, tmp_path):
    first = tmp_path / "a.zip"
    call_command(
        "export_course", "PKG-101", "--output", str(first), stdout=io.StringIO()
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'b.sqlite3'}",
        "MEDIA_ROOT": str(tmp_path / "media-b"),
    }
    _manage(env, "migrate", "--no-input", "-v", "0")
    _manage(env, "import_course", str(first))
    second = tmp_path / "b.zip"
    _manage(env, "export_course", "PKG-101", "--output", str(second))
    assert _manifest(second) == _manifest(first)
    assert _files(second) == _files(first)
