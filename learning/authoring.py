"""Who may author courses, and the review every course goes through before publishing.

Trainers ("Trainers") may add and edit pages under the course catalogue and nothing
else in the page tree; they cannot publish. Heads of the training office ("Training
office heads") approve in the "course review" workflow, which publishes the course
with its changed lessons and draft quizzes (see learning.review).
Both groups may upload and choose images and documents (covers, videos, handouts).
"""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from wagtail.models import (
    Collection,
    GroupCollectionPermission,
    GroupPagePermission,
    Page,
    Workflow,
    WorkflowPage,
    WorkflowTask,
)

from .models import CourseIndexPage, CourseReviewTask

TRAINERS = "Trainers"
HEADS = "Training office heads"
WORKFLOW_NAME = "课程发布审核"
TASK_NAME = "教育培训处负责人审核"
CATALOGUE_TITLE = "课程中心"

PAGE_PERMISSIONS = {
    TRAINERS: ["add_page", "change_page"],
    HEADS: ["add_page", "change_page", "publish_page", "lock_page", "unlock_page"],
}
MEDIA_PERMISSIONS = [
    ("wagtailimages", ["add_image", "change_image", "choose_image"]),
    ("wagtaildocs", ["add_document", "change_document", "choose_document"]),
]


@transaction.atomic
def course_catalogue_ensure(*, home: Page) -> CourseIndexPage:
    """The course catalogue under the home page, with authoring rights (idempotent)."""
    index = CourseIndexPage.objects.child_of(home).first()
    if index is None:
        index = home.add_child(
            instance=CourseIndexPage(
                title=CATALOGUE_TITLE,
                slug="courses",
                intro="<p>法治教育与业务培训课程。可按业务条线、评价指标和必修/选修筛选。</p>",
            )
        )
        index.save_revision().publish()
    course_authoring_setup(index=index)
    return index


@transaction.atomic
def course_authoring_setup(*, index: CourseIndexPage) -> Workflow:
    groups = {
        name: Group.objects.get_or_create(name=name)[0] for name in PAGE_PERMISSIONS
    }
    for name, codenames in PAGE_PERMISSIONS.items():
        for codename in codenames:
            permission = Permission.objects.get(
                content_type__app_label="wagtailcore", codename=codename
            )
            GroupPagePermission.objects.get_or_create(
                group=groups[name], page=index, permission=permission
            )
    # A database that lost Wagtail's initial data (a flushed test database) has no
    # root collection yet; permissions need one.
    root = Collection.get_first_root_node() or Collection.add_root(name="Root")
    for group in groups.values():
        for app_label, codenames in MEDIA_PERMISSIONS:
            for codename in codenames:
                permission = Permission.objects.get(
                    content_type__app_label=app_label, codename=codename
                )
                GroupCollectionPermission.objects.get_or_create(
                    group=group, collection=root, permission=permission
                )
        access = Permission.objects.filter(
            content_type__app_label="wagtailadmin", codename="access_admin"
        ).first()
        if access is not None:
            group.permissions.add(access)
    workflow, _created = Workflow.objects.get_or_create(
        name=WORKFLOW_NAME, defaults={"active": True}
    )
    task = CourseReviewTask.objects.filter(name=TASK_NAME).first()
    if task is None:
        task = CourseReviewTask.objects.create(name=TASK_NAME)
    task.groups.add(groups[HEADS])
    WorkflowTask.objects.get_or_create(
        workflow=workflow, task=task.task_ptr, defaults={"sort_order": 0}
    )
    # The plain approval step of earlier installations published a course without
    # its lessons; the course review replaces it.
    WorkflowTask.objects.filter(workflow=workflow).exclude(task=task.task_ptr).delete()
    WorkflowPage.objects.update_or_create(page=index, defaults={"workflow": workflow})
    return workflow
