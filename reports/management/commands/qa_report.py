"""`manage.py qa_report --month YYYY-MM --format json|pdf [--as-of YYYY-MM-DD] [--output FILE]`.

contracts.md section 2. JSON goes to standard output (or --output); the PDF is made in this process by
the same code as the Celery job and written to --output. Bad arguments end with
a one-line message and exit status 1 (or 2 for arguments argparse rejects).
"""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from reports.periods import month_end, parse_day, parse_month
from reports.selectors import report_figures


class Command(BaseCommand):
    help = "Print the monthly QA report's figures as JSON, or write the report as a PDF."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--month", required=True, help="The report month, YYYY-MM.")
        parser.add_argument("--format", choices=["json", "pdf"], default="json", dest="output_format")
        parser.add_argument(
            "--as-of", dest="as_of", help="Count the figures to this date, YYYY-MM-DD (default: month end)."
        )
        parser.add_argument(
            "--output", help="File to write (required for pdf; json goes to standard output without it)."
        )

    def handle(self, *args, **options) -> None:
        try:
            month = parse_month(options["month"])
            as_of = parse_day(options["as_of"]) if options["as_of"] else month_end(month)
        except ValueError as error:
            raise CommandError(str(error)) from None
        if as_of < month:
            raise CommandError("--as-of cannot be before the first day of the report month.")
        output = Path(options["output"]) if options["output"] else None
        if output is not None and not output.parent.is_dir():
            raise CommandError(f"Cannot write {output}: the folder {output.parent} does not exist.")

        if options["output_format"] == "json":
            text = json.dumps(report_figures(month, as_of), indent=2)
            if output is None:
                self.stdout.write(text)
            else:
                output.write_text(text + "\n", encoding="utf-8")
            return

        if output is None:
            raise CommandError("--format pdf needs --output FILE.pdf.")
        from reports.pdf import report_pdf

        output.write_bytes(report_pdf(month=month, as_of=as_of, requested_by="manage.py qa_report"))
        self.stderr.write(f"Wrote {output} ({output.stat().st_size} bytes).")
