from importlib import import_module

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

# Each app builds its own part of the demo, in this order (later parts use earlier ones).
STEPS = [
    "organisation.demo",
    "cms.demo",
    "assessments.demo",
    "learning.demo",
    "learning.campaigns.demo",
    "hours.demo",
    "insights.demo",
    "practice.demo",
]


class Command(BaseCommand):
    help = "Load the demo province, courses, quizzes, campaigns and indicator data (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force", action="store_true", help="run even with DEBUG off"
        )

    def handle(self, *args, **options):
        if not settings.DEBUG and not options["force"]:
            raise CommandError(
                "seed_demo creates accounts with a known password; it refuses to run with "
                "DEBUG off. Use --force if this really is a demo installation."
            )
        for name in STEPS:
            try:
                module = import_module(name)
            except ModuleNotFoundError as exc:
                if exc.name == name:
                    continue
                raise
            with transaction.atomic():
                module.seed(stdout=self.stdout)
        self.stdout.write(
            self.style.SUCCESS(
                "Demo ready. Accounts: admin, trainer, leader, unitlead, staff "
                "(password demo12345)."
            )
        )
