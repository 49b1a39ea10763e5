import datetime as dt
import json
import sys

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone, translation

from learning.campaigns.models import Campaign
from organisation.models import Unit

from ...exports import csv_stream, write_people_xlsx
from ...selectors import campaign_people, campaign_report


class Command(BaseCommand):
    help = (
        "The completion report of a campaign (一个都不能少): JSON summary, units and "
        "people, or the people rows as CSV/XLSX."
    )

    def add_arguments(self, parser):
        parser.add_argument("--campaign", required=True)
        parser.add_argument("--unit")
        parser.add_argument("--as-of", dest="as_of")
        parser.add_argument("--format", choices=["json", "csv", "xlsx"], default="json")
        parser.add_argument("--output")

    def handle(self, *args, **options):
        campaign = Campaign.objects.filter(code=options["campaign"]).first()
        if campaign is None:
            raise CommandError(f"no campaign with code {options['campaign']}")
        unit = None
        if options["unit"]:
            unit = Unit.objects.filter(code=options["unit"]).first()
            if unit is None:
                raise CommandError(f"no unit with code {options['unit']}")
        as_of = timezone.localdate()
        if options["as_of"]:
            try:
                as_of = dt.date.fromisoformat(options["as_of"])
            except ValueError:
                raise CommandError("--as-of must be a date as YYYY-MM-DD")
        with translation.override("zh-hans"):
            report = campaign_report(campaign, unit=unit, as_of=as_of)
            people = campaign_people(report)
            fmt, output = options["format"], options["output"]
            if fmt == "json":
                text = json.dumps(
                    report.as_json(list(people)), ensure_ascii=False, indent=1
                )
                if output:
                    with open(output, "w", encoding="utf-8") as handle:
                        handle.write(text + "\n")
                else:
                    self.stdout.write(text)
            elif fmt == "csv":
                if output:
                    with open(output, "w", encoding="utf-8", newline="") as handle:
                        for line in csv_stream(report, people):
                            handle.write(line)
                else:
                    for line in csv_stream(report, people):
                        self.stdout.write(line, ending="")
            else:
                target = output or sys.stdout.buffer
                write_people_xlsx(target, report, people, unit=unit, show="all")
