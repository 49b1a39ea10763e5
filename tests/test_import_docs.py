"""docs/imports.md lists every importer's columns and their Chinese headers."""

from pathlib import Path

DOC = Path(__file__).resolve().parent.parent / "docs" / "imports.md"


def test_the_import_docs_list_every_column_and_header():
    from assessments.formats.tabular import SCHEMA as QUESTIONS
    from assessments.services.transfer import RESULT_SCHEMA
    from hours.importers import ATTENDANCE_SCHEMA
    from insights.services import VALUE_SCHEMA
    from learning.campaigns.importers import CAMPAIGN_SCHEMA, COMPLETION_SCHEMA
    from organisation.importers import STAFF_SCHEMA, UNIT_SCHEMA
    from organisation.indicator_import import INDICATOR_SCHEMA
    from organisation.role_import import ROLE_SCHEMA

    text = DOC.read_text(encoding="utf-8")
    missing = []
    for schema in (
        UNIT_SCHEMA,
        STAFF_SCHEMA,
        ROLE_SCHEMA,
        INDICATOR_SCHEMA,
        VALUE_SCHEMA,
        CAMPAIGN_SCHEMA,
        COMPLETION_SCHEMA,
        RESULT_SCHEMA,
        QUESTIONS,
        ATTENDANCE_SCHEMA,
    ):
        for column in schema.columns:
            row = f"| `{column.name}` | {column.zh} | {', '.join(column.aliases) or '—'} |"
            if row not in text:
                missing.append(row)
    assert not missing, "\n".join(missing)
