import datetime as dt
import json
import sys

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone, translation

from organisation.models import StaffProfile, Unit
from organisation.selectors import staff_in_unit, unit_subtree

from ...exports import csv_stream, write_people_xlsx
from ...selectors import hours_report


class Command(BaseCommand):
    help = (
        "Training hours (学时) against the national plan for a year: JSON summary, "
        "units and people, or the people rows as CSV/XLSX."
    )

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--unit")
        parser.add_argument("--as-of", dest="as_of")
        parser.add_argument("--format", choices=["json", "csv", "xlsx"], default="json")
        parser.add_argument("--output")

    def handle(self, *args, **options):
        year = options["year"]
        if not 2000 <= year <= 2100:
            raise CommandError("--year must be a year such as 2026")
        as_of = min(timezone.localdate(), dt.date(year, 12, 31))
        if options["as_of"]:
            try:
                as_of = dt.date.fromisoformat(options["as_of"])
            except ValueError:
                raise CommandError("--as-of must be a date as YYYY-MM-DD")
        if options["unit"]:
            unit = Unit.objects.filter(code=options["unit"]).first()
            if unit is None:
                raise CommandError(f"no unit with code {options['unit']}")
            staff, units = staff_in_unit(unit), unit_subtree(unit)
        else:
            staff, units = StaffProfile.objects.all(), Unit.objects.all()
        with translation.override("zh-hans"):
            report = hours_report(
                year=year,
                as_of=as_of,
                staff=staff,
                units=units,
                whole_province=not options["unit"],
            )
            self._write(report, options["format"], options["output"])

    def _write(self, report, fmt: str, output: str | None) -> None:
        if fmt == "json":
            text = json.dumps(report.as_json(), ensure_ascii=False, indent=1)
            if output:
                with open(output, "w", encoding="utf-8") as handle:
                    handle.write(text + "\n")
            else:
                self.stdout.write(text)
        elif fmt == "csv":
            if output:
                with open(output, "w", encoding="utf-8", newline="") as handle:
                    handle.writelines(csv_stream(report))
            else:
                for line in csv_stream(report):
                    self.stdout.write(line, ending="")
        else:
            write_people_xlsx(output or sys.stdout.buffer, report)
