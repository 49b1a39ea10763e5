"""Admin widgets of the question bank."""

from django import forms


class FilterableCheckboxes(forms.CheckboxSelectMultiple):
    """A checkbox list with a box that narrows it as one types: forty indicators are
    ticked by name, not Ctrl-clicked in a list box. The filtering is done by
    ``question-editor.js``; without it the full list still works."""

    template_name = "assessments/widgets/filterable_checkboxes.html"

    def __init__(self, attrs=None, choices=()):
        attrs = {"class": "filterable-checkboxes__list", **(attrs or {})}
        super().__init__(attrs=attrs, choices=choices)
