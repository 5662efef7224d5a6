"""`python manage.py import_tracker AUDITS.csv [--actions ACTIONS.csv] [--dry-run]` (contracts.md section 1)."""

from django.core.management.base import BaseCommand, CommandError

from imports.services import import_tracker_files


class Command(BaseCommand):
    help = (
        "Import a spreadsheet tracker (CSV UTF-8 or XLSX, first sheet). Nothing is written unless every "
        "row is right; problems are listed as 'ROW N, COLUMN X: what is wrong' and the exit status is 1."
    )

    def add_arguments(self, parser):
        parser.add_argument("audits", help="AUDITS file: one row per allocation (CSV or XLSX)")
        parser.add_argument("--actions", help="ACTIONS file: one row per action (CSV or XLSX)")
        parser.add_argument("--dry-run", action="store_true", help="check and count, write nothing")

    def handle(self, *args, **options):
        audits_path, actions_path = options["audits"], options["actions"]
        sources = {}
        for label, path in (("audits", audits_path), ("actions", actions_path)):
            if path is None:
                continue
            try:
                with open(path, "rb") as handle:
                    sources[label] = handle.read()
            except OSError as exc:
                raise CommandError(f"Cannot read {path}: {exc.strerror or exc}.") from None
        result = import_tracker_files(
            sources["audits"],
            sources.get("actions"),
            audits_name=audits_path,
            actions_name=actions_path or "",
            dry_run=options["dry_run"],
        )
        for line in result.warning_lines():
            self.stdout.write(line)
        if not result.ok:
            current_file = None
            for problem in result.problems:
                if problem.file != current_file:
                    current_file = problem.file
                    self.stderr.write(f"Problems in {current_file}:")
                self.stderr.write(str(problem))
            count = len(result.problems)
            raise CommandError(
                f"Nothing was imported: {count} problem{'s' if count != 1 else ''} (listed above).", returncode=1
            )
        for line in result.summary_lines():
            self.stdout.write(line)
