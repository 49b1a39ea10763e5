"""Services of the assessment engine (they write). See the modules for each area."""

from .attempts import (  # noqa: F401
    attempt_check_item,
    attempt_close_overdue,
    attempt_save,
    attempt_start,
    attempt_submit,
)
from .marking import response_mark  # noqa: F401
from .questions import (  # noqa: F401
    category_ensure,
    question_code_next,
    question_current_version,
    question_publish_version,
    question_upsert,
)
from .quizzes import quiz_add_questions  # noqa: F401,E402
