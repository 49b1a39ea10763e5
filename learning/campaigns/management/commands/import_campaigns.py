from organisation.importing import ImportCommand

from ...services import campaigns_import


class Command(ImportCommand):
    help = "Import campaigns (a year's training plan): code, title, courses [units, …]."
    importer = staticmethod(campaigns_import)
