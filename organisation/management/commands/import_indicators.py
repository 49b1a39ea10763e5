from organisation.importing import ImportCommand
from organisation.indicator_import import indicators_import


class Command(ImportCommand):
    help = "Import indicators from a CSV (UTF-8 or GB18030) or XLSX file; all-or-nothing, upsert by code."
    importer = staticmethod(indicators_import)
