from organisation.importers import staff_import
from organisation.importing import ImportCommand


class Command(ImportCommand):
    help = (
        "Import staff from a CSV (UTF-8 or GB18030) or XLSX file; all-or-nothing, "
        "upsert by staff number; absent columns are left as they are."
    )
    importer = staticmethod(staff_import)

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--deactivate-missing",
            action="store_true",
            help="the file is the full roster: deactivate active people not in it "
            "(preview with --dry-run first)",
        )
        parser.add_argument(
            "--bind-existing-accounts",
            action="store_true",
            help="link a new person to an existing account of the same name that "
            "has no staff profile (refused by default)",
        )
        parser.add_argument(
            "--confirm-large-changes",
            action="store_true",
            help="apply even when more than a tenth of the roster leaves or loses "
            "the leader flag",
        )

    def importer_options(self, options):
        return {
            "deactivate_missing": options["deactivate_missing"],
            "bind_accounts": options["bind_existing_accounts"],
            "confirm_large": options["confirm_large_changes"],
        }
