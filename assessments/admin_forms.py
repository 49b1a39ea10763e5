"""Admin forms: the question editor (generated codes, each type's own checks) and
quizzes (the practice/exam pool rule, see assessments.pools)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from wagtail.admin.forms import WagtailAdminModelForm

from .models import Question
from .pools import SlotSpec, pool_conflicts
from .services import question_code_next
from .widgets import FilterableCheckboxes

CHOICE_TYPES = (Question.Type.SINGLE, Question.Type.MULTIPLE)


def _truth(value) -> bool | None:
    return {"true": True, "false": False}.get(value)


class QuestionAdminForm(WagtailAdminModelForm):
    """Only the chosen type's answer is checked; the code is made when left empty."""

    correct_bool = forms.TypedChoiceField(
        label=gettext_lazy("The statement is"),
        choices=[
            ("true", pgettext_lazy("true/false answer", "Correct")),
            ("false", pgettext_lazy("true/false answer", "Wrong")),
        ],
        coerce=_truth,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
    )

    class Media:
        js = ["assessments/admin/question-editor.js"]
        css = {"all": ["assessments/admin/question-editor.css"]}

    class Meta:
        widgets = {
            "indicators": FilterableCheckboxes,
            "business_lines": FilterableCheckboxes,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].required = False
        self.fields["code"].help_text = _(
            "Leave empty to number the question automatically, e.g. Q-DX-00012."
        )
        value = self.instance.correct_bool
        if not self.is_bound and value is not None:
            self.initial["correct_bool"] = "true" if value else "false"

    def clean_code(self):
        code = (self.cleaned_data.get("code") or "").strip()
        if code:
            return code
        return question_code_next(type=self.data.get("type") or Question.Type.SINGLE)

    def _options(self) -> list[dict]:
        formset = self.formsets.get("options")
        if formset is None or not formset.is_valid():
            return []
        return [
            form.cleaned_data
            for form in formset.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]

    def _answer_errors(self, cleaned: dict) -> dict[str, str]:
        kind = cleaned.get("type")
        imported = bool(cleaned.get("answers"))
        if kind in CHOICE_TYPES and self.formsets["options"].is_valid():
            options = self._options()
            if len(options) < 2:
                return {"type": _("A choice question needs at least two options.")}
            if not any((o.get("fraction") or 0) > 0 for o in options):
                return {"type": _("Mark at least one option as correct (score 1).")}
        if imported:
            return {}
        if kind == Question.Type.TRUE_FALSE and cleaned.get("correct_bool") is None:
            return {"correct_bool": _("Choose whether the statement is correct.")}
        if kind == Question.Type.NUMERIC and cleaned.get("numeric_answer") is None:
            return {"numeric_answer": _("Enter the right number.")}
        if (
            kind == Question.Type.SHORT
            and not (cleaned.get("accepted_answers") or "").strip()
        ):
            return {"accepted_answers": _("Enter at least one accepted answer.")}
        return {}

    def clean(self):
        cleaned = super().clean()
        for field, message in self._answer_errors(cleaned).items():
            self.add_error(field, message)
        return cleaned


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
