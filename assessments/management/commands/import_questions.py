"""import_questions FILE --format gift|aiken|csv|xlsx [--category PATH] [--dry-run] [--json]"""

from pathlib import Path

from organisation.importing import ImportCommand

from ...formats.reading import FORMATS, guess_format, load_questions
from ...services.transfer import questions_import


class Command(ImportCommand):
    help = "Import questions into the bank (upsert by code; all or nothing)."
    importer = staticmethod(questions_import)

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--format", choices=FORMATS, default=None)
        parser.add_argument(
            "--category", default="", help="category path for files that name none"
        )

    def importer_options(self, options):
        return {"category": options["category"] or None}

    def load_table(self, path, options):
        data = Path(path).read_bytes()
        fmt = options["format"] or guess_format(path) or "csv"
        return load_questions(
            data, format=fmt, filename=path, category=options["category"]
        )
