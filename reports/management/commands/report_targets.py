"""`manage.py report_targets [--returns 90] [--inadequate-below 10] [--audits-per-team 2]
[--moderator-effect 10 15] [--actions-on-time 80] [--clear NAME ...]`.

Show the QA team's report targets, or set some of them (the others are kept; `--clear returns` blanks one). The
values are checked as the targets page checks them (`reports.forms.ReportTargetsForm`) and saved by the same
service, so the history records the change. A value refused ends with a one-line message and exit status 1.
The demo authority (`seed_demo`) sets its targets through this command.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from reports import services
from reports.forms import ReportTargetsForm
from reports.models import ReportTargets
from reports.targets import TARGET_FIELDS, report_targets

OPTIONS = {
    "returns": "returns_percent",
    "inadequate_below": "inadequate_below_percent",
    "audits_per_team": "audits_per_team_month",
    "actions_on_time": "actions_on_time_percent",
}
CLEARABLE = (*(name.replace("_", "-") for name in OPTIONS), "moderator-effect")


class Command(BaseCommand):
    help = "Show the report targets, or set some of them (the others are kept)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--returns", help="Return rate target, per cent (for example 90).")
        parser.add_argument("--inadequate-below", help="Inadequate should be below this share, per cent.")
        parser.add_argument("--audits-per-team", help="Returned audits each team should have a month.")
        parser.add_argument(
            "--moderator-effect", nargs=2, metavar=("FROM", "TO"), help="The moderator effect band, per cent."
        )
        parser.add_argument("--actions-on-time", help="Actions completed on time, per cent.")
        parser.add_argument("--clear", nargs="+", choices=CLEARABLE, default=[], help="Blank these targets.")

    def handle(self, *args, **options) -> None:
        current = report_targets()
        data = {name: "" if getattr(current, name) is None else str(getattr(current, name)) for name in TARGET_FIELDS}
        for option, name in OPTIONS.items():
            if options[option] is not None:
                data[name] = options[option]
        if options["moderator_effect"]:
            data["moderator_effect_low_percent"], data["moderator_effect_high_percent"] = options["moderator_effect"]
        for cleared in options["clear"]:
            if cleared == "moderator-effect":
                data["moderator_effect_low_percent"] = data["moderator_effect_high_percent"] = ""
            else:
                data[OPTIONS[cleared.replace("-", "_")]] = ""
        changing = any(options[option] is not None for option in (*OPTIONS, "moderator_effect")) or options["clear"]
        if changing:
            self._save(data)
        self._show()

    def _save(self, data: dict[str, str]) -> None:
        instance = ReportTargets.objects.filter(pk=ReportTargets.SINGLETON_PK).first()
        form = ReportTargetsForm(data, instance=instance or ReportTargets(pk=ReportTargets.SINGLETON_PK))
        if not form.is_valid():
            problems = "; ".join(
                f"{form.fields[name].label if name in form.fields else 'targets'}: {' '.join(errors)}"
                for name, errors in form.errors.items()
            )
            raise CommandError(problems)
        try:
            services.report_targets_save(by=None, **form.cleaned_data)
        except services.ReportError as error:
            raise CommandError(error.message) from None

    def _show(self) -> None:
        form = ReportTargetsForm()
        targets = report_targets()
        for name in TARGET_FIELDS:
            value = getattr(targets, name)
            self.stdout.write(f"{form.fields[name].label}: {'not set' if value is None else value}")
