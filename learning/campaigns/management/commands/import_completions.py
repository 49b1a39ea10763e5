from organisation.importing import ImportCommand

from ...importers import completions_import


class Command(ImportCommand):
    help = "Import training completed offline: staff_no, course_code, completed_on."
    importer = staticmethod(completions_import)
