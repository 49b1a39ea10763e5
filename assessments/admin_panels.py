"""The question editor's panels: each type's fields in a panel of its own, shown or
hidden by ``question-editor.js`` as the type is chosen (all are in the form, so a
trainer who switches type and back loses nothing)."""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import (
    FieldPanel,
    FieldRowPanel,
    InlinePanel,
    MultiFieldPanel,
    ObjectList,
)

from .admin_forms import QuestionAdminForm
from .models import Question

T = Question.Type


def _for(*types: str) -> dict:
    return {"data-question-types": " ".join(types)}


question_edit_handler = ObjectList(
    [
        FieldRowPanel([FieldPanel("code"), FieldPanel("category")]),
        FieldRowPanel(
            [FieldPanel("type"), FieldPanel("points"), FieldPanel("difficulty")]
        ),
        FieldPanel("text"),
        FieldPanel("text_format"),
        FieldPanel("figure"),
        MultiFieldPanel(
            [
                InlinePanel("options", label=_("Options")),
                FieldPanel("option_order"),
                FieldPanel("multiple_grading", attrs=_for(T.MULTIPLE)),
            ],
            heading=_("Options and their scores"),
            attrs=_for(T.SINGLE, T.MULTIPLE),
        ),
        MultiFieldPanel(
            [FieldPanel("correct_bool")],
            heading=_("Right answer"),
            attrs=_for(T.TRUE_FALSE),
        ),
        MultiFieldPanel(
            [FieldRowPanel([FieldPanel("numeric_answer"), FieldPanel("tolerance")])],
            heading=_("Right answer"),
            attrs=_for(T.NUMERIC),
        ),
        MultiFieldPanel(
            [FieldPanel("accepted_answers")],
            heading=_("Accepted answers"),
            attrs=_for(T.SHORT),
        ),
        MultiFieldPanel(
            [FieldPanel("marking_guide")],
            heading=_("Marking guide"),
            attrs=_for(T.ESSAY),
        ),
        FieldPanel("explanation"),
        FieldPanel("indicators"),
        FieldPanel("business_lines"),
        MultiFieldPanel(
            [FieldPanel("answers"), FieldPanel("idnumber"), FieldPanel("tags")],
            heading=_("Imported from Moodle"),
            help_text=_(
                "Graded answers with partial credit and feedback, as imported; when "
                "present they decide the marks of short, numeric and true/false "
                "questions."
            ),
            classname="collapsed",
        ),
        FieldPanel("active"),
    ],
    base_form_class=QuestionAdminForm,
)
