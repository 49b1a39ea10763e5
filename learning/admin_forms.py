"""Admin forms of course and lesson pages: the checks that keep one review per course
understandable to a trainer."""

from __future__ import annotations

from django.utils.translation import gettext as _
from wagtail.admin.forms import WagtailAdminPageForm


class CourseAdminForm(WagtailAdminPageForm):
    class Media:
        # The filter boxes of the business line and indicator checkboxes.
        js = ["assessments/admin/question-editor.js"]
        css = {"all": ["assessments/admin/question-editor.css"]}

    def clean(self):
        cleaned = super().clean()
        if "action-submit" in self.data:
            from .review import course_lessons

            if self.instance.pk is None or not course_lessons(course=self.instance):
                # Approving would publish a course learners find empty.
                self.add_error(
                    None,
                    _(
                        "The course has no lessons yet. Save it as a draft, add its "
                        "lessons, then submit the course for review."
                    ),
                )
        return cleaned


class LessonAdminForm(WagtailAdminPageForm):
    def clean(self):
        cleaned = super().clean()
        slug = cleaned.get("slug") or self.data.get("slug")
        if "slug" in self.errors and slug and self.parent_page is not None:
            holder = (
                self.parent_page.get_children()
                .filter(slug=slug)
                .exclude(pk=self.instance.pk)
                .first()
            )
            if holder is not None:
                if holder.live:
                    message = _(
                        "The lesson “%(title)s” of this course already uses this "
                        "address. Choose another one."
                    )
                else:
                    message = _(
                        "An unpublished draft lesson “%(title)s” (perhaps saved "
                        "automatically) already uses this address. Continue that "
                        "draft from the course's page, delete it, or choose another "
                        "address."
                    )
                self.errors["slug"] = self.error_class(
                    [message % {"title": holder.title}]
                )
        return cleaned
