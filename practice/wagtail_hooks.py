"""Wagtail admin: trainers open categories or questions of the bank to daily practice.

Opening never refuses: a source that shares questions with an exam's pool is saved
with a warning naming the exams (and the listing keeps saying so), and daily practice
leaves those questions out (see ``selectors.practice_pool_ids``).
"""

from django.contrib import messages
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin.ui.tables import Column
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import PracticeSource
from .selectors import exam_overlap


def _overlap_text(source: PracticeSource) -> str:
    titles = exam_overlap(
        category_id=source.category_id, question_id=source.question_id
    )
    return "、".join(titles) if titles else "—"


class PracticeSourceViewSet(SnippetViewSet):
    model = PracticeSource
    icon = "tick-inverse"
    menu_label = gettext_lazy("Open to daily practice")
    menu_order = 265
    add_to_admin_menu = True
    list_display = [
        "category",
        "question",
        "note",
        Column(
            "exams",
            label=gettext_lazy("Also in exams (left out of practice)"),
            accessor=_overlap_text,
        ),
    ]


register_snippet(PracticeSourceViewSet)


def _warn_overlap(request, instance):
    if not isinstance(instance, PracticeSource):
        return
    titles = exam_overlap(
        category_id=instance.category_id, question_id=instance.question_id
    )
    if titles:
        messages.warning(
            request,
            _(
                "Some of these questions are also in the pools of the exams %(names)s. "
                "Daily practice leaves them out; keep practice questions in a "
                "category of their own."
            )
            % {"names": "、".join(f"“{t}”" for t in titles)},
        )


hooks.register("after_create_snippet", _warn_overlap)
hooks.register("after_edit_snippet", _warn_overlap)
