"""Role checks of the assessment engine; built on organisation.permissions."""

from __future__ import annotations

from organisation.permissions import is_trainer


def can_preview_quiz(user) -> bool:
    """Trainers (and administrators) may open draft quizzes to preview them."""
    return is_trainer(user)


def can_mark(user) -> bool:
    """Seeing results of others and marking them: trainers only (scoped by unit)."""
    return is_trainer(user)


def can_see_statistics(user) -> bool:
    return is_trainer(user)


def can_edit_bank(user) -> bool:
    """Importing questions writes the bank: the rights to add and change questions
    and categories (trainers get them by migration), not the trainer role alone."""
    return bool(
        getattr(user, "is_authenticated", False)
        and user.has_perms(
            [
                "assessments.add_question",
                "assessments.change_question",
                "assessments.add_category",
            ]
        )
    )
