"""`python manage.py import_caseload CASELOAD.csv [--full] [--dry-run]` (contracts.md section 4)."""

from imports.management.commands._list_import import ListImportCommand


class Command(ListImportCommand):
    kind = "caseload"
    what = "CASELOAD"
    help = (
        "Import the caseload (one row per child; CSV UTF-8 or XLSX). Nothing is written unless every row is right; "
        "problems are listed as 'ROW N, COLUMN X: what is wrong' and the exit status is 1."
    )
