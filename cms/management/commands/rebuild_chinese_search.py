from django.core.management.base import BaseCommand

from cms.search import rebuild_index


class Command(BaseCommand):
    help = "Segment every published course and lesson again (after the dictionary changed)."

    def handle(self, *args, **options):
        count = rebuild_index()
        self.stdout.write(f"indexed {count} page(s)")
