from insights.services import indicator_values_import
from organisation.importing import ImportCommand


class Command(ImportCommand):
    help = (
        "Import indicator values (unit_code, indicator_code, period, value "
        "[numerator, denominator]) from CSV or XLSX; all-or-nothing, upsert."
    )
    importer = staticmethod(indicator_values_import)
