"""export_questions --format gift|aiken|csv|xlsx [--category PATH] [--output FILE]"""

import io
import sys

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from ...formats.writing import write_questions
from ...services.transfer import question_records


class Command(BaseCommand):
    help = (
        "Export the question bank in a form import_questions reads back unchanged "
        "(Aiken: the plain single-choice questions of one category)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--format", choices=["gift", "aiken", "csv", "xlsx"], required=True
        )
        parser.add_argument("--category", default="")
        parser.add_argument("--output", default="")

    def handle(self, *args, **options):
        records = question_records(category=options["category"] or None)
        fmt = options["format"]
        left_out = []
        if fmt == "aiken":
            # Aiken has no categories: one file is one category, read back with
            # --category, so sub-categories are left out (and named).
            if not options["category"]:
                raise CommandError(
                    _("Aiken files have no categories: name one with --category.")
                )
            wanted = "/".join(
                p.strip() for p in options["category"].split("/") if p.strip()
            )
            left_out = [r for r in records if r.category != wanted]
            records = [r for r in records if r.category == wanted]
        if options["output"]:
            with open(options["output"], "wb") as target:
                skipped = write_questions(records, fmt, target)
            self.stderr.write(
                f"{len(records) - len(skipped)} questions → {options['output']}"
            )
        elif fmt == "xlsx":
            skipped = write_questions(records, "xlsx", sys.stdout.buffer)
        else:
            buffer = io.BytesIO()
            skipped = write_questions(records, fmt, buffer)
            self.stdout.write(buffer.getvalue().decode("utf-8-sig"), ending="")
        if skipped:
            # Aiken cannot say these; they are named so nothing goes missing unseen.
            self.stderr.write(
                _("Left out (Aiken holds only plain single-choice questions): %s")
                % ", ".join(rec.code for rec in skipped)
            )
        if left_out:
            self.stderr.write(
                _("Left out (in a sub-category; export each category on its own): %s")
                % ", ".join(rec.code for rec in left_out)
            )
