from django.apps import AppConfig


class CommonConfig(AppConfig):
    """Months, quarters, working days, percentages, list pages and text limits: no models, imports no app."""

    name = "common"
    verbose_name = "Shared helpers"

    def ready(self) -> None:
        # `<month:month>` in any app's URLs, a month written YYYY-MM. Registered at start-up, before any URL
        # module is imported, so an app's urls.py works whichever module imports it first.
        from django.urls import register_converter

        from common.converters import MonthConverter

        register_converter(MonthConverter, "month")
