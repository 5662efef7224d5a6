"""What `import_caseload` and `import_staff` share (contracts.md section 4): read the file, run the one import
pipeline, print warnings and counts, or every problem as `ROW N, COLUMN X: ...` and exit with status 1."""

from django.core.management.base import BaseCommand, CommandError

from imports.services import import_list_file


class ListImportCommand(BaseCommand):
    kind = ""
    what = ""

    def add_arguments(self, parser):
        parser.add_argument("file", help=f"{self.what} file: CSV UTF-8 or XLSX (first sheet)")
        parser.add_argument(
            "--full",
            action="store_true",
            help="the file is the whole list: "
            + (
                "open children missing from it are closed today"
                if self.kind == "caseload"
                else "people missing from it can no longer sign in"
            ),
        )
        parser.add_argument("--dry-run", action="store_true", help="check and count, write nothing")

    def handle(self, *args, **options):
        path = options["file"]
        try:
            with open(path, "rb") as handle:
                data = handle.read()
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror or exc}.") from None
        result = import_list_file(self.kind, data, name=path, full=options["full"], dry_run=options["dry_run"])
        for line in result.warning_lines():
            self.stdout.write(line)
        if not result.ok:
            for problem in result.problems:
                self.stderr.write(str(problem))
            count = len(result.problems)
            raise CommandError(
                f"Nothing was imported: {count} problem{'s' if count != 1 else ''} (listed above).", returncode=1
            )
        for line in result.summary_lines():
            self.stdout.write(line)
