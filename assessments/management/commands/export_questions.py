"""export_questions --format gift|csv|xlsx [--category PATH] [--output FILE]"""

import sys

from django.core.management.base import BaseCommand

from ...formats.writing import write_questions
from ...services.transfer import question_records


class Command(BaseCommand):
    help = "Export the question bank in a form import_questions reads back unchanged."

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=["gift", "csv", "xlsx"], required=True)
        parser.add_argument("--category", default="")
        parser.add_argument("--output", default="")

    def handle(self, *args, **options):
        records = question_records(category=options["category"] or None)
        if options["output"]:
            with open(options["output"], "wb") as target:
                write_questions(records, options["format"], target)
            self.stderr.write(f"{len(records)} questions → {options['output']}")
            return
        if options["format"] == "xlsx":
            write_questions(records, "xlsx", sys.stdout.buffer)
            return
        import io

        buffer = io.BytesIO()
        write_questions(records, options["format"], buffer)
        self.stdout.write(buffer.getvalue().decode("utf-8-sig"), ending="")
