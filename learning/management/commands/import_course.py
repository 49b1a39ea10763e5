from django.core.management.base import BaseCommand, CommandError

from ...packages import PackageError, import_course


class Command(BaseCommand):
    help = (
        "Import a course package under the course index, all or nothing. A course, "
        "question or quiz that already exists is refused unless --as-new-version."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the course package (.zip)")
        parser.add_argument(
            "--as-new-version",
            action="store_true",
            help="add new revisions and question versions to what already exists",
        )

    def handle(self, *args, **options):
        try:
            course = import_course(
                options["file"], as_new_version=options["as_new_version"]
            )
        except PackageError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"{course.code}: imported as {course.url_path}")
