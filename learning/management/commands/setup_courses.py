from django.core.management.base import BaseCommand

from cms.services import site_ensure_home
from learning.authoring import course_catalogue_ensure


class Command(BaseCommand):
    help = (
        "Create the course catalogue page and the authoring rights and review "
        "workflow for trainers (idempotent)."
    )

    def handle(self, *args, **options):
        index = course_catalogue_ensure(home=site_ensure_home())
        self.stdout.write(f"course catalogue: {index.url_path}")
