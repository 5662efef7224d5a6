"""Builders shared by the audit-form tests: an audit with a known number of practice areas, and
complete form data / service input that a test then spoils one field at a time."""

from __future__ import annotations

import datetime
import itertools

from audits.completion import ActionInput, AreaInput, AuditInput, audit_areas_ensure
from audits.models import Audit
from audits.tests.factories import AuditFactory, PracticeAreaFactory, TemplateVersionFactory
from people.tests.factories import UserFactory

# Template numbers away from the migration's version 1, one per test audit.
_template_numbers = itertools.count(500)

COMPLETE_FIELDS = {
    "auditor_grade": "good",
    "at_risk": False,
    "immediate_concern": False,
    "immediate_concern_detail": "",
    "sw_participated": True,
    "manager_participated": True,
    "iro_views": "na",
    "child_spoken_to": True,
    "child_feedback": "positive",
    "child_feedback_comment": "Likes her social worker.",
    "parent_spoken_to": False,
    "parent_feedback": "",
    "parent_feedback_comment": "",
    "strengths": "Visits are regular and purposeful.",
    "improvements": "Chronology needs updating.",
}


def audit_with_areas(*, areas: int = 3, **kwargs) -> Audit:
    """An allocation whose template version has exactly `areas` practice areas."""
    template = TemplateVersionFactory(number=next(_template_numbers), is_current=False)
    for order in range(areas):
        PracticeAreaFactory(template=template, order=order)
    return AuditFactory(template=template, **kwargs)


def complete_input(audit: Audit, *, actions: list[ActionInput] | None = None, **fields) -> AuditInput:
    """Service input that passes every submission rule (grade Good, no action needed)."""
    areas = [
        AreaInput(area_id=ag.area_id, grade="good", evidence="Seen in the file.", impact="The child is safer.")
        for ag in audit_areas_ensure(audit=audit)
    ]
    return AuditInput(fields={**COMPLETE_FIELDS, **fields}, areas=areas, actions=list(actions or []))


def an_action(row: int = 0, *, owner=None, due_on: datetime.date | None = None, **kwargs) -> ActionInput:
    return ActionInput(
        row=row,
        description=kwargs.pop("description", "Update the chronology."),
        owner=owner if owner is not None else UserFactory(),
        due_on=due_on or datetime.date(2026, 12, 31),
        **kwargs,
    )


def _yes_no(value):
    return "" if value is None else ("yes" if value else "no")


def form_data(audit: Audit, *, editor: str = "tab-a", actions: list[dict] | None = None, **fields) -> dict:
    """POST data for the audit form, complete unless a test overrides a field."""
    values = {**COMPLETE_FIELDS, **fields}
    data = {"version": str(audit.version), "editor": editor}
    for name, value in values.items():
        if name in ("sw_participated", "manager_participated", "child_spoken_to", "parent_spoken_to"):
            data[name] = _yes_no(value)
        elif isinstance(value, bool):
            if value:
                data[name] = "on"
        else:
            data[name] = value
    for ag in audit_areas_ensure(audit=audit):
        data[f"area-{ag.area_id}-grade"] = "good"
        data[f"area-{ag.area_id}-evidence"] = "Seen in the file."
        data[f"area-{ag.area_id}-impact"] = "The child is safer."
    rows = actions or []
    data["actions-TOTAL_FORMS"] = str(len(rows))
    data["actions-INITIAL_FORMS"] = str(sum(1 for row in rows if row.get("id")))
    data["actions-MIN_NUM_FORMS"] = "0"
    data["actions-MAX_NUM_FORMS"] = "30"
    for index, row in enumerate(rows):
        for key, value in row.items():
            if value is True:
                value = "on"
            if value is False or value is None:
                continue
            data[f"actions-{index}-{key}"] = str(value)
    return {key: value for key, value in data.items() if value is not None}
