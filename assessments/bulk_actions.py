"""Bulk actions of the question bank list: select questions, add them to a quiz."""

from __future__ import annotations

from django import forms
from django.shortcuts import redirect
from django.utils.functional import classproperty
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from wagtail.admin import messages
from wagtail.snippets.bulk_actions.snippet_bulk_action import SnippetBulkAction

from .errors import AssessmentError
from .models import Question, Quiz
from .services import quiz_add_questions


class AddToQuizForm(forms.Form):
    quiz = forms.ModelChoiceField(
        label=_("Add them to the quiz"),
        queryset=Quiz.objects.order_by("title"),
        empty_label=_("Choose a quiz"),
    )


class AddToQuizBulkAction(SnippetBulkAction):
    display_name = _("Add to quiz…")
    action_type = "add_to_quiz"
    aria_label = _("Add the selected questions to a quiz")
    template_name = "assessments/admin/bulk_add_to_quiz.html"
    action_priority = 10
    form_class = AddToQuizForm

    @classmethod
    def get_default_model(cls):
        return Question

    @classproperty
    def models(cls):
        return [Question]

    def check_perm(self, obj):
        return self.request.user.has_perm("assessments.change_quiz")

    def get_all_objects_in_listing_query(self, parent_id):
        """“Select all N” means the N questions the trainer's filtered, searched list
        shows, not the whole bank. The listing's filters and search words come along
        in the address; the bank's own index view applies them, so the two can never
        disagree."""
        index = Question.snippet_viewset.index_view
        view = index.view_class(**index.view_initkwargs)
        view.setup(self.request)
        return view.get_queryset().values_list("pk", flat=True)

    @classmethod
    def execute_action(cls, objects, quiz=None, **kwargs):
        added, _skipped = quiz_add_questions(quiz=quiz, questions=list(objects))
        return added, 0

    def form_valid(self, form):
        questions, _without_access = self.get_actionable_objects()
        quiz = form.cleaned_data["quiz"]
        try:
            added, skipped = quiz_add_questions(quiz=quiz, questions=questions)
        except AssessmentError as error:
            form.add_error("quiz", error.message)
            return self.form_invalid(form)
        message = ngettext(
            "%(added)d question added to “%(quiz)s”.",
            "%(added)d questions added to “%(quiz)s”.",
            added,
        ) % {"added": added, "quiz": quiz.title}
        if skipped:
            message += " " + ngettext(
                "%(skipped)d was already in it.",
                "%(skipped)d were already in it.",
                skipped,
            ) % {"skipped": skipped}
        messages.success(self.request, message)
        return redirect(self.next_url)
