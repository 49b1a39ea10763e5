import pytest
from django.contrib.auth.models import Group

from learning.authoring import HEADS, TRAINERS
from organisation.models import RoleAssignment
from organisation.services import role_assign
from tests.factories import StaffFactory
from tests.learning.helpers import catalogue, make_course

pytestmark = pytest.mark.django_db


@pytest.fixture
def index(reference_data):
    return catalogue(reference_data)


@pytest.fixture
def head(tree):
    user = StaffFactory(unit=tree["P"], staff_no="TH001", name="培训处长").user
    role_assign(user=user, role=RoleAssignment.Role.TRAINING_HEAD)
    return user


def test_trainers_may_author_courses_but_not_publish(index, trainer, reference_data):
    assert trainer.groups.filter(name=TRAINERS).exists()
    perms = index.permissions_for_user(trainer)
    assert perms.can_add_subpage()
    assert not perms.can_publish_subpage()
    assert not reference_data.permissions_for_user(trainer).can_edit()


def test_training_office_heads_approve_in_the_course_workflow(index, head):
    workflow = index.get_workflow()
    assert workflow is not None and workflow.active
    task = workflow.tasks.first().specific
    assert Group.objects.get(name=HEADS) in task.groups.all()
    assert index.permissions_for_user(head).can_publish_subpage()


def test_a_course_submitted_by_a_trainer_goes_live_when_approved(index, trainer, head):
    course = make_course(index, code="WF-1", lessons=1)
    course.unpublish()
    course.refresh_from_db()
    course.summary = "送审版本"
    course.save_revision(user=trainer)
    workflow = course.get_workflow()
    state = workflow.start(course, trainer)
    course.refresh_from_db()
    assert not course.live

    task_state = state.current_task_state
    task_state.task.specific.on_action(task_state, head, "approve")
    course.refresh_from_db()
    assert course.live and course.summary == "送审版本"


def test_the_lesson_editor_offers_every_block(client, index, trainer):
    course = make_course(index, code="ED-1", lessons=1)
    client.force_login(trainer)
    response = client.get(f"/admin/pages/add/learning/lessonpage/{course.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    for block in (
        "heading",
        "paragraph",
        "image",
        "video",
        "document",
        "key_point",
        "provision",
        "indicator_card",
        "worked_example",
        "quiz",
    ):
        assert f'"{block}"' in html or f"&quot;{block}&quot;" in html, block


def test_setting_up_authoring_twice_changes_nothing(index, reference_data):
    from wagtail.models import GroupPagePermission

    before = GroupPagePermission.objects.count()
    catalogue(reference_data)
    assert GroupPagePermission.objects.count() == before


def test_the_certificate_font_has_every_glyph_the_certificate_uses(db):
    from django.utils import translation
    from reportlab.pdfbase import pdfmetrics

    from config.pdf import cjk_font
    from learning.content import COURSES

    face = pdfmetrics.getFont(cjk_font()).face
    with translation.override("zh-hans"):
        from django.utils.translation import gettext as _

        text = "".join(
            [_("Certificate of completion"), _("has completed the course")]
            + [spec["title"] for spec in COURSES]
            + ["李小检王芳欧阳明轩年月日：验证码学时"]
        )
    missing = {
        ch for ch in text if not ch.isspace() and ord(ch) not in face.charToGlyph
    }
    assert not missing
