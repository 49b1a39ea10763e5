"""Read-only panels of the quiz editor."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import Panel


class QuizPreviewPanel(Panel):
    """A link that opens the quiz as a learner sees it; the attempt is a preview and
    never counts (see assessments.views.quiz_detail)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("heading", _("Preview"))
        super().__init__(**kwargs)

    class BoundPanel(Panel.BoundPanel):
        template_name = "assessments/admin/quiz_preview_panel.html"

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            context["quiz"] = self.instance if self.instance.pk else None
            return context
