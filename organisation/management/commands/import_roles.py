from organisation.importing import ImportCommand
from organisation.role_import import roles_import


class Command(ImportCommand):
    help = (
        "Import role grants (staff_no, role, unit_code [valid_from, valid_to]) from a "
        "CSV or XLSX file; all-or-nothing, upsert by staff number, role and unit."
    )
    importer = staticmethod(roles_import)
