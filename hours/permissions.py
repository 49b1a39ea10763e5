"""Who may do what with hours; views ask these, never role names."""

from __future__ import annotations

from organisation.permissions import can_view_reports, is_trainer


def can_run_sign_in(user) -> bool:
    """Trainers (the training office) and unit leaders run their classes' sign-in."""
    return is_trainer(user) or can_view_reports(user)
