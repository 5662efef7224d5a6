"""Finalising after moderation, in a real browser: a new action's owner is found by typing part of a
surname, the due date and the learning theme survive an error on the page, and axe-core passes with the list
open."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from actions.models import Action
from audits.models import Theme
from audits.tests.factories import AreaGradeFactory, PracticeAreaFactory, TemplateVersionFactory
from moderation.tests.factories import ModerationFactory
from people.tests.factories import AuditorFactory, UserFactory


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_auditor_finds_an_owner_by_surname_and_the_due_date_survives_an_error(page, sign_in, axe):
    auditor = AuditorFactory(username="auditor")
    for number in range(40):
        UserFactory(first_name=f"Person{number:02d}", last_name=f"Staff{number:02d}")
    UserFactory(first_name="Omar", last_name="Siddiqui", job_title="Team Manager")
    template = TemplateVersionFactory(number=91, is_current=False)
    moderation = ModerationFactory(audit__auditor=auditor, audit__template=template, completed=True)
    AreaGradeFactory(audit=moderation.audit, area=PracticeAreaFactory(template=template, name="Planning"))
    due = timezone.localdate() + datetime.timedelta(days=30)
    chronologies = Theme.objects.get(name="Chronologies")

    sign_in("auditor")
    page.goto(f"/moderation/{moderation.pk}/finalise/")
    new_action = page.get_by_role("group", name="New action 1 (optional)")
    new_action.get_by_label("Action").fill("Supervision on the plan's progress")
    new_action.get_by_role("combobox", name="Owner").fill("sidd")
    # Within the type-ahead's list: each new action's learning-theme select has options of its own.
    expect(page.get_by_role("listbox").get_by_role("option")).to_have_count(1)
    axe(page, "moderation-finalise-owner-type-ahead")
    page.get_by_role("option", name="Siddiqui, Omar — Team Manager").click()
    new_action.get_by_label("Due date").fill(due.isoformat())
    new_action.get_by_label("Learning theme (optional)").select_option(label="Chronologies")

    # Forgetting the acknowledgement: the page comes back with the owner and the due date still there.
    page.get_by_role("button", name="Finalise audit").click()
    expect(page.get_by_role("alert")).to_contain_text("Confirm that you have read the moderator's feedback.")
    new_action = page.get_by_role("group", name="New action 1 (optional)")
    expect(new_action.get_by_label("Due date")).to_have_value(due.isoformat())
    expect(new_action.get_by_role("combobox", name="Owner")).to_have_value("Siddiqui, Omar — Team Manager")
    expect(new_action.get_by_label("Learning theme (optional)")).to_have_value(str(chronologies.pk))
    axe(page, "moderation-finalise-error")

    page.get_by_label("I have read the moderator's feedback").check()
    page.get_by_role("button", name="Finalise audit").click()
    expect(page.get_by_text("finalised.")).to_be_visible()
    action = Action.objects.select_related("owner", "theme").get(audit=moderation.audit)
    assert (action.owner.last_name, action.due_on, action.theme) == ("Siddiqui", due, chronologies)
