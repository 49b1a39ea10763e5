"""Admin form for quizzes: the practice/exam pool rule (see assessments.pools)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext as _
from wagtail.admin.forms import WagtailAdminModelForm

from .pools import SlotSpec, pool_conflicts


class QuizAdminForm(WagtailAdminModelForm):
    def _slot_specs(self) -> list[SlotSpec] | None:
        """The slots as they will be saved, or None while a slot form is invalid."""
        formset = self.formsets.get("slots")
        if formset is None or not formset.is_valid():
            return None
        specs = []
        for form in formset.forms:
            data = form.cleaned_data
            if not data or data.get("DELETE"):
                continue
            question = data.get("question")
            indicator = data.get("draw_indicator")
            line = data.get("draw_business_line")
            specs.append(
                SlotSpec(
                    question_id=question.pk if question else None,
                    category=data.get("draw_category"),
                    indicator_id=indicator.pk if indicator else None,
                    business_line_id=line.pk if line else None,
                )
            )
        if not specs and self.cleaned_data.get("category"):
            specs = [SlotSpec(category=self.cleaned_data["category"])]
        return specs

    def clean(self):
        cleaned = super().clean()
        specs = self._slot_specs()
        if not specs:
            return cleaned
        exam = bool(cleaned.get("exam_paper"))
        clashes = pool_conflicts(exam=exam, specs=specs, quiz_id=self.instance.pk)
        if clashes:
            names = "、".join(f"“{title}”" for title in clashes)
            if exam:
                message = _(
                    "These questions are also used by the practice quizzes %(names)s. "
                    "An exam may not share questions with practice: move the practice "
                    "questions to a category of their own."
                ) % {"names": names}
            else:
                message = _(
                    "A practice quiz may not use questions of the exams %(names)s "
                    "(their fixed questions or the categories they draw from). Draw "
                    "practice questions from a category of their own."
                ) % {"names": names}
            raise forms.ValidationError(message)
        return cleaned
