"""import_results FILE: results of exams sat outside the platform."""

from organisation.importing import ImportCommand

from ...services.transfer import results_import


class Command(ImportCommand):
    help = "Import external results: staff_no, question_code, score (0–1), answered_on."
    importer = staticmethod(results_import)
