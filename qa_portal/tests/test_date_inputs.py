"""Every date input in the product keeps its value through a save or an error: it is rendered ISO.

`<input type="date">` reads only YYYY-MM-DD and shows nothing for 15/01/2027, so a saved date that
came back in UK style looked blank and was lost on the next save. The formats module
(qa_portal/formats) puts ISO first for every widget; this test renders every date field of every form
and filter in the project, so a new form cannot bring the bug back.
"""

from __future__ import annotations

import datetime
import importlib
import inspect
import pkgutil
import re

import django_filters
import pytest
from django import forms
from django.template import Context, Template
from django.utils import formats

PROJECT_PACKAGES = (
    "common",
    "people",
    "caseload",
    "audits",
    "allocation",
    "moderation",
    "actions",
    "imports",
    "reports",
    "demo",
    "qa_portal",
)
DAY = datetime.date(2027, 1, 15)
MOMENT = datetime.datetime(2027, 1, 15, 14, 30)
# A date input must show YYYY-MM-DD and a month picker YYYY-MM; a plain text box (a month typed as
# YYYY-MM in the reports' filters) or a hidden field must at least carry an ISO date, never a UK one.
EXPECTED_VALUES = {
    "date": ["2027-01-15"],
    "month": ["2027-01"],
    "hidden": ["2027-01-15"],
    "text": ["2027-01-15", "2027-01"],
}


def _project_modules():
    for package_name in PROJECT_PACKAGES:
        package = importlib.import_module(package_name)
        for info in pkgutil.walk_packages(package.__path__, prefix=f"{package_name}."):
            if any(part in info.name.split(".") for part in ("tests", "migrations", "wsgi")):
                continue
            yield importlib.import_module(info.name)


def _date_fields() -> dict[str, forms.Field]:
    """Every date field declared on a form or filter set in the project, by dotted name."""
    found: dict[str, forms.Field] = {}
    for module in _project_modules():
        for _name, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ != module.__name__:
                continue
            if issubclass(cls, forms.BaseForm):
                fields = cls.base_fields.items()
            elif issubclass(cls, django_filters.FilterSet):
                fields = [
                    (name, flt.field)
                    for name, flt in cls.base_filters.items()
                    if issubclass(flt.field_class, forms.DateField)
                ]
            else:
                continue
            for name, field in fields:
                if isinstance(field, forms.DateField):
                    found[f"{cls.__module__}.{cls.__qualname__}.{name}"] = field
    return found


DATE_FIELDS = _date_fields()


def test_the_scan_finds_the_date_fields_people_reported():
    # Guards the scan itself: if it found nothing, every test below would pass vacuously.
    assert {
        "audits.completion_forms.ActionForm.due_on",
        "moderation.forms.NewActionForm.due_on",
        "actions.forms.ActionCompleteForm.on",
        "actions.forms.ActionMoveDueForm.new_due_on",
        "reports.forms.ReportPeriodForm.as_of",
        "allocation.forms.ExemptionForm.starts_on",
    } <= set(DATE_FIELDS)


@pytest.mark.parametrize("dotted", sorted(DATE_FIELDS))
def test_every_date_input_renders_its_value_as_the_browser_reads_it(dotted):
    field = DATE_FIELDS[dotted]
    html = field.widget.render("when", DAY)
    input_type = re.search(r'type="([^"]+)"', html).group(1)
    value = re.search(r'value="([^"]*)"', html).group(1)
    assert value in EXPECTED_VALUES.get(input_type, []), f"{dotted} (type={input_type}): {html}"


@pytest.mark.parametrize("typed", ["2027-01-15", "15/01/2027", "15/01/27"])
def test_a_date_field_reads_what_browsers_send_and_uk_dates_typed_into_a_text_box(typed):
    assert forms.DateField().clean(typed) == DAY


def test_iso_is_the_first_input_format():
    assert formats.get_format("DATE_INPUT_FORMATS")[0] == "%Y-%m-%d"


def test_dates_and_times_on_screen_follow_the_settings_not_djangos_en_gb_defaults():
    # Django's en_GB module would show "15/01/2027" and "2:30 p.m."; settings.py asks for these.
    page = Template('{{ day|date:"SHORT_DATE_FORMAT" }} | {{ day }} | {{ moment }}').render(
        Context({"day": DAY, "moment": MOMENT})
    )
    assert page == "15 Jan 2027 | 15 Jan 2027 | 15 Jan 2027, 14:30"
