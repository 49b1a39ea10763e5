from organisation.importing import ImportCommand
from organisation.services import staff_import


class Command(ImportCommand):
    help = "Import staff from a CSV (UTF-8 or GB18030) or XLSX file; all-or-nothing, upsert by code."
    importer = staticmethod(staff_import)
