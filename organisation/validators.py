"""Validators shared by every model, form, admin screen and importer that takes a code.

Codes (units, campaigns, courses, questions, classes…) end up in URLs, in the unit
``path`` used for subtree lookups (``GD/GZ/``) and in file names. One rule, kept here,
so that a code accepted in one place never breaks another: letters (any script) and
digits, plus ``-``, ``_`` and ``.``; it starts with a letter or a digit; no ``/``, no
spaces, no control characters.
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

CODE_MAX_LENGTH = 64

# ``\w`` on ``str`` is Unicode-aware: letters and digits of any script and ``_``. The
# first character may not be ``.``, ``-`` or ``_`` so that ``.``/``..`` never look
# like path segments and a code never reads as a command-line option.
_CODE_RE = re.compile(r"[^\W_][\w.-]*")


def validate_code(value: str) -> None:
    """Refuse a code that is not slug-like (see the module docstring).

    Raises ``ValidationError`` with code ``invalid_code`` (or ``code_too_long``).
    """
    if not isinstance(value, str) or not value:
        raise ValidationError(_("Enter a code."), code="invalid_code")
    if len(value) > CODE_MAX_LENGTH:
        raise ValidationError(
            _("A code has at most %(limit)d characters."),
            code="code_too_long",
            params={"limit": CODE_MAX_LENGTH},
        )
    if not _CODE_RE.fullmatch(value):
        raise ValidationError(
            _(
                "Use only letters, digits, “-”, “_” and “.”, starting with a letter or digit."
            ),
            code="invalid_code",
        )
