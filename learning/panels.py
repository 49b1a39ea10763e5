"""The course editor's review panel: what submitting the course sends for review."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import Panel


class CourseReviewPanel(Panel):
    """Lists the lessons that are new or have unpublished changes (autosaved drafts
    too) with links to continue, preview and compare them, and the draft quizzes:
    the author sees what one submission covers, the reviewer the whole change."""

    def __init__(self, **kwargs):
        kwargs.setdefault("heading", _("Drafts and changes reviewed with the course"))
        super().__init__(**kwargs)

    class BoundPanel(Panel.BoundPanel):
        template_name = "learning/admin/course_review_panel.html"

        def get_context_data(self, parent_context=None):
            from .review import course_bundle

            context = super().get_context_data(parent_context)
            course = self.instance
            context["bundle"] = course_bundle(course=course) if course.pk else None
            return context
