import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from insights.services import InsightsError, analysis_compute, gap_report


class Command(BaseCommand):
    help = (
        "Rank capability gaps (unit × indicator) for one period and print the "
        "correlations between training and indicator standing (association, not cause)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--period", required=True, help="2025, 2025H1, 2025Q3, 2025-07"
        )
        parser.add_argument("--format", choices=["json"], default="json")
        parser.add_argument("--output", help="write to this file instead of stdout")

    def handle(self, *args, **options):
        try:
            report = gap_report(analysis_compute(options["period"]))
        except InsightsError as exc:
            raise CommandError(str(exc))
        text = json.dumps(report, ensure_ascii=False, indent=1)
        if options["output"]:
            Path(options["output"]).write_text(text + "\n", encoding="utf-8")
        else:
            self.stdout.write(text)
