from organisation.importing import ImportCommand

from ...importers import campaigns_import


class Command(ImportCommand):
    help = "Import campaigns (a year's training plan): code, title, courses [units, …]."
    importer = staticmethod(campaigns_import)
