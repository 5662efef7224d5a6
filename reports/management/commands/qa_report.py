"""`manage.py qa_report --month YYYY-MM --format json|pdf [--as-of YYYY-MM-DD] [--output FILE]
[--programme SLUG|all] [--service-area NAME]`, and `manage.py qa_report --from YYYY-MM --to YYYY-MM
--format json|pdf [--programme SLUG|all] [--service-area NAME] [--output FILE]`.

contracts.md sections 2 (a month) and 3 (a period, as of the last day of `--to`). JSON goes to standard
output (or --output); the PDF is made in this process by the same code as the Celery job and written to
--output. Bad arguments end with a one-line message and exit status 1 (or 2 for arguments argparse rejects).
"""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from audits.models import MONTHLY_SLUG
from audits.selectors import report_scope_from
from common.periods import month_end, month_from_key, parse_day, parse_month, sensible_month_message
from reports.periods import check_as_of, check_report_month
from reports.selectors import report_figures


class Command(BaseCommand):
    help = "Print the monthly QA report's figures as JSON, or write the report as a PDF."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--month", help="The report month, YYYY-MM (the monthly report).")
        parser.add_argument("--from", dest="from_month", help="The period's first month, YYYY-MM (a period report).")
        parser.add_argument("--to", dest="to_month", help="The period's last month, YYYY-MM, included.")
        parser.add_argument("--format", choices=["json", "pdf"], default="json", dest="output_format")
        parser.add_argument(
            "--as-of", dest="as_of", help="Count the figures to this date, YYYY-MM-DD (default: month end)."
        )
        parser.add_argument(
            "--output", help="File to write (required for pdf; json goes to standard output without it)."
        )
        parser.add_argument(
            "--programme",
            help="The programme's slug, or all (default: monthly, the monthly audit; for a period, all).",
        )
        parser.add_argument("--service-area", dest="service_area", help="One service area's name (default: all).")

    def handle(self, *args, **options) -> None:
        if options["from_month"] or options["to_month"]:
            return self.handle_period(options)
        if not options["month"]:
            # Exit status 2, as argparse gives for a missing argument.
            raise CommandError(
                "the following arguments are required: --month YYYY-MM for a month's report, "
                "or --from YYYY-MM --to YYYY-MM for a period",
                returncode=2,
            )
        today = timezone.localdate()
        try:
            month = parse_month(options["month"])
            check_report_month(month, today)
            as_of = parse_day(options["as_of"]) if options["as_of"] else month_end(month)
            scope = report_scope_from(
                programme=options["programme"], service_area=options["service_area"], default=MONTHLY_SLUG
            )
        except ValueError as error:
            raise CommandError(str(error)) from None
        if as_of < month:
            raise CommandError("--as-of cannot be before the first day of the report month.")
        try:
            check_as_of(month, as_of, today)
        except ValueError as error:
            raise CommandError(f"--as-of: {error}") from None
        output = Path(options["output"]) if options["output"] else None
        if output is not None and not output.parent.is_dir():
            raise CommandError(f"Cannot write {output}: the folder {output.parent} does not exist.")

        if options["output_format"] == "json":
            text = json.dumps(report_figures(month, as_of, scope), indent=2)
            if output is None:
                self.stdout.write(text)
            else:
                output.write_text(text + "\n", encoding="utf-8")
            return

        if output is None:
            raise CommandError("--format pdf needs --output FILE.pdf.")
        from reports.pdf import report_pdf

        output.write_bytes(report_pdf(month=month, as_of=as_of, requested_by="manage.py qa_report", scope=scope))
        self.stderr.write(f"Wrote {output} ({output.stat().st_size} bytes).")

    def handle_period(self, options) -> None:
        from reports.period import ALL_PROGRAMMES, check_period, period_figures

        if options["month"] or options["as_of"]:
            raise CommandError(
                "A period report takes --from and --to, not --month or --as-of (it is as of --to's end)."
            )
        if not (options["from_month"] and options["to_month"]):
            raise CommandError("A period report needs both --from YYYY-MM and --to YYYY-MM.")
        months = {}
        for option in ("from", "to"):
            text = options[f"{option}_month"]
            months[option] = month_from_key(text)
            if months[option] is None:
                raise CommandError(f"--{option}: '{text}' is not a month. {sensible_month_message()}")
        first, last = months["from"], months["to"]
        try:
            check_period(first, last)
            scope = report_scope_from(
                programme=options["programme"], service_area=options["service_area"], default=ALL_PROGRAMMES
            )
        except ValueError as error:
            raise CommandError(str(error)) from None
        output = Path(options["output"]) if options["output"] else None
        if output is not None and not output.parent.is_dir():
            raise CommandError(f"Cannot write {output}: the folder {output.parent} does not exist.")
        if options["output_format"] == "json":
            figures = period_figures(first, last, scope)
            text = json.dumps(figures, indent=2)
            if output is None:
                self.stdout.write(text)
            else:
                output.write_text(text + "\n", encoding="utf-8")
            return
        if output is None:
            raise CommandError("--format pdf needs --output FILE.pdf.")
        from reports.period_pdf import period_pdf

        pdf = period_pdf(first=first, last=last, scope=scope, requested_by="manage.py qa_report")
        output.write_bytes(pdf)
        self.stderr.write(f"Wrote {output} ({output.stat().st_size} bytes).")
