from django.core.management.base import BaseCommand, CommandError

from ...packages import PackageError, export_course


class Command(BaseCommand):
    help = (
        "Write a course, its lessons, quizzes, questions and media to one course "
        "package (a zip with a JSON manifest)."
    )

    def add_arguments(self, parser):
        parser.add_argument("code", help="the course code, e.g. IND-101")
        parser.add_argument("--output", required=True, help="the package to write")

    def handle(self, *args, **options):
        try:
            manifest = export_course(options["code"], options["output"])
        except PackageError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"{manifest['course']['code']}: {len(manifest['lessons'])} lessons, "
            f"{len(manifest['quizzes'])} quizzes, {len(manifest['questions'])} "
            f"questions, {len(manifest['media'])} media files → {options['output']}"
        )
