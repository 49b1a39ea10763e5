from organisation.importers import units_import
from organisation.importing import ImportCommand


class Command(ImportCommand):
    help = "Import units from a CSV (UTF-8 or GB18030) or XLSX file; all-or-nothing, upsert by code."
    importer = staticmethod(units_import)
