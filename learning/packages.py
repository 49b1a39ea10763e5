"""Course packages: one zip holding a course, its lessons, quizzes, questions and media.

``manifest.json`` names everything by code, slug, category path or media key, never
by database id, so a package imports into any installation. Lesson bodies are kept
as StreamField raw data with the ids of images, documents, indicators and quizzes
replaced by those names. An import runs in one transaction and refuses, in Chinese,
a course or question whose code already exists unless a new version is asked for.
"""

from __future__ import annotations

import hashlib
import json
import os
import zipfile
from dataclasses import dataclass, field
from typing import Any

from django.core.files.base import ContentFile
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Model
from wagtail.documents import get_document_model
from wagtail.images import get_image_model

from assessments.models import (
    Category,
    Option,
    Question,
    QuestionVersion,
    Quiz,
    QuizSlot,
)
from cms.services import site_ensure_home
from organisation.models import BusinessLine, Indicator

from .authoring import course_catalogue_ensure
from .models import CourseIndexPage, CoursePage, LessonPage

FORMAT = "course-package"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"

PAGE_FIELDS = ("title", "slug", "seo_title", "search_description")
COURSE_SKIP = {"page_ptr", "content_version_since", "final_quiz_changed_at"}
LESSON_SKIP = {"page_ptr", "material_change_at", "change_note", "gate_quiz"}
# Block types whose value names another object, and the kind of that object.
BODY_REFS = {
    "image": ("image", "image"),
    "video": ("document", "document"),
    "document": ("document", "document"),
    "indicator_card": ("indicator", "indicator"),
    "quiz": ("quiz", "quiz"),
}


class PackageError(Exception):
    """A package that cannot be imported; the message is for the person importing."""


# Plain fields ---------------------------------------------------------------------


def _own_fields(model: type[Model], skip: set[str]) -> list:
    return [
        f
        for f in model._meta.local_concrete_fields
        if not f.is_relation and not f.primary_key and f.name not in skip
    ]


def _dump(obj: Model, fields: list) -> dict[str, Any]:
    raw = {f.name: f.value_from_object(obj) for f in fields}
    return json.loads(json.dumps(raw, cls=DjangoJSONEncoder))


def _load(obj: Model, fields: list, data: dict[str, Any]) -> None:
    for f in fields:
        if f.name in data:
            setattr(obj, f.name, f.to_python(data[f.name]))


# Export ---------------------------------------------------------------------------


@dataclass
class _Exporter:
    media: dict[str, dict[str, Any]] = field(default_factory=dict)
    files: dict[str, Any] = field(default_factory=dict)
    quizzes: dict[int, Quiz] = field(default_factory=dict)

    def media_key(self, kind: str, pk: int | None) -> str | None:
        if pk is None:
            return None
        model = get_image_model() if kind == "image" else get_document_model()
        obj = model.objects.filter(pk=pk).first()
        if obj is None:
            return None
        for key, entry in self.media.items():
            if entry["kind"] == kind and entry["pk"] == pk:
                return key
        key = f"{kind}-{sum(1 for e in self.media.values() if e['kind'] == kind) + 1}"
        ext = os.path.splitext(obj.file.name)[1].lower()
        name = f"media/{kind}s/{key}{ext}"
        self.media[key] = {"kind": kind, "pk": pk, "title": obj.title, "file": name}
        self.files[name] = obj.file
        return key

    def ref(self, kind: str, pk: Any) -> str | None:
        if kind in ("image", "document"):
            return self.media_key(kind, pk)
        if kind == "indicator":
            found = Indicator.objects.filter(pk=pk).first()
            return found.code if found else None
        quiz = Quiz.objects.filter(pk=pk).first()
        if quiz is None:
            return None
        self.quizzes[quiz.pk] = quiz
        return quiz.slug


def _map_body(raw: list[dict], swap) -> list[dict]:
    """The body with each reference passed through ``swap(kind, value)``."""
    out = []
    for block in raw:
        block = json.loads(json.dumps(block))
        ref = BODY_REFS.get(block.get("type"))
        value = block.get("value")
        if ref and isinstance(value, dict) and value.get(ref[0]) is not None:
            value[ref[0]] = swap(ref[1], value[ref[0]])
        out.append(block)
    return out


def _codes(manager) -> list[str]:
    return sorted(manager.values_list("code", flat=True))


def _category_rows(paths: set[str]) -> list[dict]:
    wanted = set()
    for path in paths:
        parts = path.split("/")
        wanted |= {"/".join(parts[: i + 1]) for i in range(len(parts))}
    return [{"path": p} for p in sorted(wanted)]


def _question_json(question: Question, ex: _Exporter) -> dict:
    data = _dump(question, _own_fields(Question, set()))
    data.pop("updated_at", None)
    data["category"] = question.category.path if question.category_id else None
    data["figure"] = ex.media_key("image", question.figure_id)
    data["indicators"] = _codes(question.indicators)
    data["business_lines"] = _codes(question.business_lines)
    data["options"] = [
        _dump(o, _own_fields(Option, set()))
        for o in question.options.order_by("sort_order")
    ]
    data["versions"] = [
        {"number": v.number, "data": v.data}
        for v in question.versions.order_by("number")
    ]
    return data


def _slot_json(slot: QuizSlot) -> dict:
    question, category = slot.question, slot.draw_category
    indicator, line = slot.draw_indicator, slot.draw_business_line
    return {
        "question": question.code if question else None,
        "draw_count": slot.draw_count,
        "draw_category": category.path if category else None,
        "draw_indicator": indicator.code if indicator else None,
        "draw_business_line": line.code if line else None,
    }


def _quiz_questions(quiz: Quiz) -> list[Question]:
    """The fixed questions of a quiz and those its random draws pick from."""
    found = {}
    for slot in quiz.slots.select_related("question", "draw_category"):
        if slot.question_id:
            found[slot.question.code] = slot.question
        if slot.draw_category_id:
            prefix = slot.draw_category.path
            drawn = Question.objects.filter(active=True).filter(
                category__path__startswith=prefix
            )
            for question in drawn:
                if question.category.path in (
                    prefix,
                ) or question.category.path.startswith(prefix + "/"):
                    found[question.code] = question
    return [found[code] for code in sorted(found)]


def _quiz_json(quiz: Quiz) -> dict:
    data = _dump(quiz, _own_fields(Quiz, set()))
    data["category"] = quiz.category.path if quiz.category_id else None
    data["slots"] = [_slot_json(s) for s in quiz.slots.order_by("sort_order")]
    return data


def _lesson_json(lesson: LessonPage, order: int, ex: _Exporter) -> dict:
    data = {name: getattr(lesson, name) for name in PAGE_FIELDS}
    data.update(_dump(lesson, _own_fields(LessonPage, LESSON_SKIP | {"body"})))
    data["order"] = order
    data["live"] = lesson.live
    data["body"] = _map_body(list(lesson.body.raw_data), ex.ref)
    return data


def _course_json(course: CoursePage, ex: _Exporter) -> dict:
    data = {name: getattr(course, name) for name in PAGE_FIELDS}
    data.update(_dump(course, _own_fields(CoursePage, COURSE_SKIP)))
    data["live"] = course.live
    data["cover_image"] = ex.media_key("image", course.cover_image_id)
    data["final_quiz"] = ex.ref("quiz", course.final_quiz_id)
    data["business_lines"] = _codes(course.business_lines)
    data["indicators"] = _codes(course.indicators)
    return data


def build_manifest(course: CoursePage, ex: _Exporter) -> dict:
    course_data = _course_json(course, ex)
    lessons = [
        _lesson_json(lesson, order, ex)
        for order, lesson in enumerate(
            LessonPage.objects.child_of(course).order_by("path"), start=1
        )
    ]
    quizzes = sorted(ex.quizzes.values(), key=lambda q: q.slug)
    questions: dict[str, Question] = {}
    for quiz in quizzes:
        questions.update({q.code: q for q in _quiz_questions(quiz)})
    question_rows = [_question_json(questions[c], ex) for c in sorted(questions)]
    paths = {q["category"] for q in question_rows if q["category"]}
    paths |= {q.category.path for q in quizzes if q.category_id}
    for quiz in quizzes:
        paths |= {s.draw_category.path for s in quiz.slots.all() if s.draw_category_id}
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "course": course_data,
        "lessons": lessons,
        "quizzes": [_quiz_json(q) for q in quizzes],
        "questions": question_rows,
        "categories": _category_rows(paths),
        "media": [
            {"key": k, "kind": e["kind"], "title": e["title"], "file": e["file"]}
            for k, e in ex.media.items()
        ],
    }


def export_course(code: str, output) -> dict:
    """Write the package of the course ``code`` to ``output`` (a path or file)."""
    course = CoursePage.objects.filter(code=code).first()
    if course is None:
        raise PackageError(f"没有课程编号为 {code} 的课程。")
    ex = _Exporter()
    manifest = build_manifest(course, ex)
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as archive:
        text = json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True)
        archive.writestr(MANIFEST, text)
        for name, stored in ex.files.items():
            with stored.open("rb") as handle:
                archive.writestr(name, handle.read())
    return manifest


def read_manifest(archive: zipfile.ZipFile) -> dict:
    try:
        manifest = json.loads(archive.read(MANIFEST).decode("utf-8"))
    except (KeyError, ValueError) as exc:
        raise PackageError("文件不是课程包：缺少或无法读取 manifest.json。") from exc
    if manifest.get("format") != FORMAT:
        raise PackageError("文件不是课程包。")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise PackageError(
            f"课程包格式版本 {manifest.get('format_version')} 不受支持"
            f"（本系统支持版本 {FORMAT_VERSION}）。"
        )
    return manifest


# Import ---------------------------------------------------------------------------


@dataclass
class _Importer:
    archive: zipfile.ZipFile
    manifest: dict
    as_new_version: bool
    media: dict[str, int] = field(default_factory=dict)
    quizzes: dict[str, int] = field(default_factory=dict)

    def category(self, path: str | None) -> Category | None:
        if not path:
            return None
        found = Category.objects.filter(path=path).first()
        if found is not None:
            return found
        parent, _sep, name = path.rpartition("/")
        return Category.objects.create(name=name, parent=self.category(parent or None))

    def media_file(self, key: str | None) -> int | None:
        if not key:
            return None
        if key not in self.media:
            entry = next(m for m in self.manifest["media"] if m["key"] == key)
            model = (
                get_image_model() if entry["kind"] == "image" else get_document_model()
            )
            content = self.archive.read(entry["file"])
            # The same file already here (a package imported before) is reused.
            digest = hashlib.sha1(content).hexdigest()
            obj = model.objects.filter(file_hash=digest).first()
            if obj is None:
                name = os.path.basename(entry["file"])
                obj = model(title=entry["title"], file=ContentFile(content, name=name))
                obj.save()
            self.media[key] = obj.pk
        return self.media[key]

    def ref(self, kind: str, value: Any) -> Any:
        if kind in ("image", "document"):
            return self.media_file(value)
        if kind == "indicator":
            found = Indicator.objects.filter(code=value).first()
            if found is None:
                raise PackageError(f"本系统没有指标 {value}。")
            return found.pk
        return self.quizzes[value]


def clashes(manifest: dict) -> list[str]:
    """What the package would overwrite: the course and questions whose code exists."""
    found = []
    code = manifest["course"]["code"]
    if CoursePage.objects.filter(code=code).exists():
        found.append(f"课程 {code}")
    codes = [q["code"] for q in manifest["questions"]]
    existing = set(
        Question.objects.filter(code__in=codes).values_list("code", flat=True)
    )
    found += [f"试题 {c}" for c in codes if c in existing]
    slugs = [q["slug"] for q in manifest["quizzes"]]
    taken = set(Quiz.objects.filter(slug__in=slugs).values_list("slug", flat=True))
    found += [f"测验 {s}" for s in slugs if s in taken]
    return found


def _by_codes(model: type[Model], codes: list[str]) -> list:
    found = list(model._default_manager.filter(code__in=codes))
    missing = set(codes) - set(
        model._default_manager.filter(code__in=codes).values_list("code", flat=True)
    )
    if missing:
        raise PackageError(f"本系统缺少以下编号：{'、'.join(sorted(missing))}。")
    return found


def _import_question(data: dict, im: _Importer) -> Question:
    question = Question.objects.filter(code=data["code"]).first() or Question()
    _load(question, _own_fields(Question, {"updated_at"}), data)
    question.category = im.category(data["category"])
    question.figure_id = im.media_file(data["figure"])
    question.save()
    question.indicators.set(_by_codes(Indicator, data["indicators"]))
    question.business_lines.set(_by_codes(BusinessLine, data["business_lines"]))
    question.options.all().delete()
    option_fields = _own_fields(Option, set())
    for row in data["options"]:
        option = Option(question=question)
        _load(option, option_fields, row)
        option.save()
    known = list(question.versions.values_list("data", flat=True))
    number = max(question.versions.values_list("number", flat=True), default=0)
    for version in data["versions"]:
        if version["data"] in known:
            continue
        number = version["number"] if not known else number + 1
        QuestionVersion.objects.create(
            question=question, number=number, data=version["data"]
        )
        known.append(version["data"])
    return question


def _slot_refs(row: dict, im: _Importer) -> dict:
    indicator = row["draw_indicator"]
    line = row["draw_business_line"]
    return {
        "question": Question.objects.get(code=row["question"])
        if row["question"]
        else None,
        "draw_count": row["draw_count"],
        "draw_category": im.category(row["draw_category"]),
        "draw_indicator": _by_codes(Indicator, [indicator])[0] if indicator else None,
        "draw_business_line": _by_codes(BusinessLine, [line])[0] if line else None,
    }


def _import_quiz(data: dict, im: _Importer) -> None:
    existing = Quiz.objects.filter(slug=data["slug"]).first()
    if existing is not None:
        # A new version of a course keeps using the quiz already here; attempts
        # already made on it must keep meaning what they meant.
        im.quizzes[data["slug"]] = existing.pk
        return
    quiz = Quiz()
    _load(quiz, _own_fields(Quiz, set()), data)
    quiz.category = im.category(data["category"])
    quiz.save()
    for order, row in enumerate(data["slots"]):
        QuizSlot.objects.create(quiz=quiz, sort_order=order, **_slot_refs(row, im))
    im.quizzes[data["slug"]] = quiz.pk


def _save_page(page, live: bool) -> None:
    revision = page.save_revision()
    if live:
        revision.publish()


def _fill_course(course: CoursePage, data: dict, im: _Importer) -> None:
    for name in PAGE_FIELDS:
        setattr(course, name, data[name] or "")
    _load(course, _own_fields(CoursePage, COURSE_SKIP), data)
    course.cover_image_id = im.media_file(data["cover_image"])
    course.final_quiz_id = (
        im.quizzes[data["final_quiz"]] if data["final_quiz"] else None
    )
    course.business_lines.set(_by_codes(BusinessLine, data["business_lines"]))
    course.indicators.set(_by_codes(Indicator, data["indicators"]))


def _import_course(data: dict, im: _Importer) -> CoursePage:
    course = CoursePage.objects.filter(code=data["code"]).first()
    if course is None:
        index = CourseIndexPage.objects.first() or course_catalogue_ensure(
            home=site_ensure_home()
        )
        course = CoursePage(title=data["title"], slug=data["slug"], code=data["code"])
        _fill_course(course, data, im)
        course.live = data["live"]
        index.add_child(instance=course)
    else:
        course = course.get_latest_revision_as_object()
        _fill_course(course, data, im)
    _save_page(course, data["live"])
    return course


def _import_lesson(course: CoursePage, data: dict, im: _Importer) -> None:
    lesson = LessonPage.objects.child_of(course).filter(slug=data["slug"]).first()
    fresh = lesson is None
    lesson = LessonPage() if fresh else lesson.specific.get_latest_revision_as_object()
    for name in PAGE_FIELDS:
        setattr(lesson, name, data[name] or "")
    _load(lesson, _own_fields(LessonPage, LESSON_SKIP | {"body"}), data)
    lesson.body = _map_body(data["body"], im.ref)
    if fresh:
        lesson.live = data["live"]
        course.add_child(instance=lesson)
    _save_page(lesson, data["live"])


def import_course(source, *, as_new_version: bool = False) -> CoursePage:
    """Import the package ``source`` (a path or file) in one transaction."""
    with zipfile.ZipFile(source) as archive:
        manifest = read_manifest(archive)
        found = clashes(manifest)
        if found and not as_new_version:
            raise PackageError(
                "以下内容在本系统中已存在，未导入任何内容："
                + "、".join(found)
                + "。如要作为新版本导入，请加 --as-new-version。"
            )
        im = _Importer(archive, manifest, as_new_version)
        with transaction.atomic():
            for row in manifest["categories"]:
                im.category(row["path"])
            for row in manifest["questions"]:
                _import_question(row, im)
            for row in manifest["quizzes"]:
                _import_quiz(row, im)
            course = _import_course(manifest["course"], im)
            for row in sorted(manifest["lessons"], key=lambda r: r["order"]):
                _import_lesson(course, row, im)
    return course
