from organisation.importing import ImportCommand

from ...importers import attendance_import


class Command(ImportCommand):
    help = "Import paper sign-in sheets of centralised classes: staff_no, class_code, date."
    importer = staticmethod(attendance_import)
