"""The main moderation journey in a real browser: the moderator downgrades, the auditor finalises."""

import datetime

import pytest

from audits.models import Audit
from audits.tests.factories import AreaGradeFactory, AuditFactory, PracticeAreaFactory, TemplateVersionFactory
from moderation.models import Moderation
from moderation.tests.factories import ModerationFactory
from people.tests.factories import AuditorFactory, ModeratorFactory, QualityFactory, TeamFactory


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_moderator_downgrades_and_auditor_finalises(page, sign_in, axe):
    moderator = ModeratorFactory(username="moderator", first_name="Mo", last_name="Derator")
    auditor = AuditorFactory(username="auditor", first_name="Audrey", last_name="Tor")
    QualityFactory(username="quality")
    template = TemplateVersionFactory(number=90, is_current=False)
    areas = [PracticeAreaFactory(template=template, name=name) for name in ("Planning", "Voice of the child")]
    audit = AuditFactory(
        returned=True,
        auditor=auditor,
        auditor_grade="good",
        template=template,
        month=datetime.date(2026, 11, 1),
        child__team=TeamFactory(name="Team East"),
        strengths="Warm relationships with the family.",
    )
    for area in areas:
        AreaGradeFactory(audit=audit, area=area, grade="good", evidence=f"{area.name} evidence", impact="Some impact")
    moderation = ModerationFactory(audit=audit, moderator=moderator)
    # Another audit still waiting, so the sample page shows its reassign and remove controls.
    ModerationFactory(moderator=moderator, audit__month=datetime.date(2026, 11, 1), audit__child__case_ref="C-WAIT")

    # The moderator finds the audit in their queue and opens it.
    sign_in("moderator")
    page.get_by_role("link", name="Moderation queue").click()
    axe(page, "moderation-queue")
    page.get_by_role("link", name=audit.child.case_ref).click()
    page.get_by_role("heading", name=f"Moderate the audit of {audit.child.case_ref}").wait_for()
    axe(page, "moderation-moderate")

    # A downgrade without a rationale is refused at the field, and nothing typed is lost.
    page.get_by_label("Requires Improvement").check()
    page.get_by_label("Feedback to the auditor").fill("Plans need timescales and named owners.")
    page.get_by_role("button", name="Record moderation").click()
    page.get_by_role("link", name="Give a rationale: your grade differs from the auditor's.").wait_for()
    axe(page, "moderation-moderate-error")
    assert page.get_by_label("Feedback to the auditor").input_value() == "Plans need timescales and named owners."

    page.get_by_label("Rationale").fill("The plan has no timescales; drift for the child.")
    page.get_by_role("combobox", name="Planning").select_option("inadequate")
    page.get_by_role("button", name="Record moderation").click()
    page.get_by_text("recorded; the auditor is told").wait_for()
    moderation.refresh_from_db()
    assert (moderation.status, moderation.outcome) == (Moderation.Status.COMPLETED, Moderation.Outcome.DOWNGRADED)
    page.get_by_role("button", name="Sign out").click()

    # The auditor sees the feedback on their home page and finalises the audit.
    sign_in("auditor")
    page.get_by_role("link", name="Moderation feedback to finalise").click()
    page.get_by_role("link", name=audit.child.case_ref).click()
    page.get_by_text("Plans need timescales and named owners.").wait_for()
    axe(page, "moderation-finalise")
    page.get_by_label("Planning: evidence").fill("Planning evidence, with the timescales now agreed.")
    page.get_by_label("I have read the moderator's feedback").check()
    page.get_by_role("button", name="Finalise audit").click()
    page.get_by_text(f"Audit of {audit.child.case_ref} finalised.").wait_for()

    audit = Audit.objects.get(pk=audit.pk)
    assert audit.finalised_on is not None
    assert (audit.auditor_grade, audit.final_grade) == ("good", "requires_improvement")
    assert audit.area_grades.get(area=areas[0]).evidence == "Planning evidence, with the timescales now agreed."
    page.get_by_role("button", name="Sign out").click()

    # The QA team sees the downgrade in the month's moderator effect.
    sign_in("quality")
    page.goto("/moderation/effect/?month=2026-11")
    row = page.get_by_role("row", name="Nov 2026")
    assert row.get_by_role("cell").nth(0).inner_text() == "1"
    assert row.get_by_role("cell").nth(2).inner_text() == "100.0%"
    axe(page, "moderation-effect")
    page.get_by_role("link", name="Sample").click()
    axe(page, "moderation-sample")
    # The waiting audit's row opens its own choice of moderator (the options are on the page once) and reassigns.
    other = ModeratorFactory(first_name="Nia", last_name="Other")
    page.get_by_role("link", name="Reassign C-WAIT").click()
    page.get_by_label("New moderator for C-WAIT").select_option(label=str(other))
    axe(page, "moderation-sample-reassign")
    page.get_by_role("button", name="Reassign C-WAIT").click()
    page.get_by_text(f"C-WAIT reassigned to {other}.").wait_for()
    assert Moderation.objects.get(audit__child__case_ref="C-WAIT").moderator == other
