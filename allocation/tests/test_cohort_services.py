"""A themed audit's cohort, sample and allocation through the services, and one of its audits through every
journey (the form, submit, moderation by the programme's rule, actions, history)."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from actions.models import Action
from allocation.cohort_services import (
    cohort_confirm,
    cohort_draw_sample,
    cohort_save_rules,
    sample_line_add,
    sample_line_reassign,
    sample_line_remove,
    sample_line_swap_child,
)
from allocation.models import Cohort, SampleLine
from allocation.services import AllocationError
from audits.models import Audit, AuditKind, Programme, monthly_programme
from audits.tests.completion_helpers import form_data
from audits.tests.factories import AuditFactory, PracticeAreaFactory, ProgrammeFactory, TemplateVersionFactory
from caseload.models import Flag, LegalStatus
from caseload.tests.factories import ChildFactory
from moderation.models import Moderation
from people.tests.factories import AuditorFactory, ManagerFactory, QualityFactory, TeamFactory, UserFactory

LONDON = ZoneInfo("Europe/London")

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(datetime.datetime(2026, 11, 21, 10, 0, tzinfo=LONDON), tick=False):
        yield


@pytest.fixture
def world():
    """Two teams with an auditor each, 20 children with no plan and 10 without the flag, a themed audit with its
    own two questions, moderated in full."""
    north, south = TeamFactory(name="North"), TeamFactory(name="South")
    no_plan, _ = Flag.objects.get_or_create(name="no_plan")
    auditors = [
        AuditorFactory(username="north_auditor", teams=[north]),
        AuditorFactory(username="south_auditor", teams=[south]),
    ]
    children = []
    for i in range(30):
        child = ChildFactory(case_ref=f"T{i:03d}", team=north if i % 2 else south, legal_status=LegalStatus.CIN)
        if i < 20:
            child.flags.add(no_plan)
        children.append(child)
    programme = ProgrammeFactory(
        name="Children open with no current plan",
        slug="no-plan",
        kind=Programme.Kind.DIP_SAMPLE,
        starts_on=datetime.date(2026, 12, 1),
        ends_on=datetime.date(2026, 12, 18),
        moderation_rule=Programme.ModerationRule.ALL,
    )
    template = TemplateVersionFactory(programme=programme, number=1, is_current=True)
    for order in range(2):
        PracticeAreaFactory(template=template, order=order)
    return {
        "north": north,
        "south": south,
        "no_plan": no_plan,
        "auditors": auditors,
        "children": children,
        "programme": programme,
        "quality": QualityFactory(),
    }


def drawn(world, **kwargs) -> Cohort:
    cohort = cohort_save_rules(programme=world["programme"], by=world["quality"], flags=[world["no_plan"]])
    return cohort_draw_sample(cohort=cohort, by=world["quality"], **kwargs)


def test_the_sample_comes_from_the_cohort_is_reproducible_and_keeps_auditors_out_of_their_own_team(world):
    cohort = drawn(world, count=8, seed=77)
    lines = list(cohort.lines.select_related("child", "auditor"))
    assert len(lines) == 8 and cohort.size_when_drawn == 20 and cohort.seed == 77
    assert all(world["no_plan"] in line.child.flags.all() for line in lines)
    for line in lines:
        assert line.auditor is not None
        assert line.child.team_id not in set(line.auditor.teams.values_list("id", flat=True))
    first = sorted(line.child_id for line in lines)
    again = cohort_draw_sample(cohort=cohort, by=world["quality"], count=8, seed=77)
    assert sorted(again.lines.values_list("child_id", flat=True)) == first
    other = cohort_draw_sample(cohort=cohort, by=world["quality"], count=8, seed=78)
    assert sorted(other.lines.values_list("child_id", flat=True)) != first


def test_a_sample_by_percentage(world):
    cohort = drawn(world, percent=25, seed=1)
    assert cohort.lines.count() == 5


def test_changing_the_rules_drops_the_sample_and_a_monthly_programme_has_no_cohort(world):
    cohort = drawn(world, count=4, seed=1)
    cohort_save_rules(programme=world["programme"], by=world["quality"], flags=[world["no_plan"]])
    assert cohort.lines.count() == 4  # the same rules keep it
    cohort_save_rules(programme=world["programme"], by=world["quality"], legal_statuses=[LegalStatus.CP])
    assert not cohort.lines.exists()
    with pytest.raises(AllocationError):
        cohort_save_rules(programme=monthly_programme(), by=world["quality"])


def test_editing_lines_keeps_the_conflict_rules(world):
    cohort = drawn(world, count=4, seed=3)
    north_auditor, south_auditor = world["auditors"]
    line = cohort.lines.select_related("child").filter(child__team=world["north"]).first()
    with pytest.raises(AllocationError, match="own team"):
        sample_line_reassign(line=line, auditor=north_auditor, by=world["quality"])
    with pytest.raises(AllocationError, match="not an active auditor"):
        sample_line_reassign(line=line, auditor=ManagerFactory(), by=world["quality"])
    outside = next(c for c in world["children"] if c.flags.count() == 0)
    with pytest.raises(AllocationError, match="not in the cohort"):
        sample_line_swap_child(line=line, child=outside, by=world["quality"])
    in_sample = set(cohort.lines.values_list("child_id", flat=True))
    spare = next(c for c in world["children"][:20] if c.pk not in in_sample and c.team == world["north"])
    line = sample_line_swap_child(line=line, child=spare, by=world["quality"])
    assert line.child == spare and line.kind == AuditKind.MANUAL
    with pytest.raises(AllocationError, match="already in the sample"):
        sample_line_add(programme=world["programme"], auditor=south_auditor, child=spare, by=world["quality"])
    sample_line_remove(line=line, by=world["quality"])
    assert cohort.lines.count() == 3


def test_a_practice_week_gives_children_to_anyone_active_senior_leaders_included(world):
    week = ProgrammeFactory(kind=Programme.Kind.PRACTICE_WEEK, slug="prw")
    director = UserFactory(username="director")  # no role at all
    child = world["children"][25]
    line = sample_line_add(programme=week, auditor=director, child=child, by=world["quality"])
    assert line.cohort.programme == week and line.auditor == director


def test_confirming_creates_the_programmes_audits_once(world):
    cohort = drawn(world, count=6, seed=5)
    audits = cohort_confirm(cohort=cohort, by=world["quality"])
    assert len(audits) == 6
    rows = Audit.objects.filter(programme=world["programme"])
    assert rows.count() == 6
    audit = rows.select_related("template").first()
    assert audit.month == datetime.date(2026, 12, 1) and audit.due_on == datetime.date(2026, 12, 18)
    assert audit.template.programme == world["programme"] and audit.plan is None
    assert audit.history.count() == 1
    with pytest.raises(AllocationError, match="already confirmed"):
        cohort_confirm(cohort=cohort, by=world["quality"])
    with pytest.raises(AllocationError, match="already confirmed"):
        sample_line_remove(line=SampleLine.objects.filter(cohort=cohort).first(), by=world["quality"])
    assert rows.count() == 6


def test_confirming_refuses_lines_that_cannot_become_audits_and_writes_nothing(world):
    cohort = drawn(world, count=3, seed=5)
    line = cohort.lines.select_related("child").first()
    # The same auditor already audits the same child that month in the monthly audit.
    AuditFactory(month=datetime.date(2026, 12, 1), child=line.child, auditor=line.auditor)
    SampleLine.objects.filter(pk=cohort.lines.exclude(pk=line.pk).first().pk).update(auditor=None)
    with pytest.raises(AllocationError) as refused:
        cohort_confirm(cohort=cohort, by=world["quality"])
    text = " ".join(refused.value.messages)
    assert "already audits" in text and "has no auditor" in text
    cohort.refresh_from_db()
    assert cohort.status == Cohort.Status.DRAFT
    assert not Audit.objects.filter(programme=world["programme"]).exists()


def test_confirming_needs_the_programmes_own_template(world):
    world["programme"].templates.update(is_current=False)
    cohort = drawn(world, count=2, seed=5)
    with pytest.raises(AllocationError, match="no published practice-area template"):
        cohort_confirm(cohort=cohort, by=world["quality"])


def test_a_themed_audit_goes_through_the_audit_form_submit_moderation_actions_and_history(world, client):
    cohort = drawn(world, count=2, seed=9)
    cohort_confirm(cohort=cohort, by=world["quality"])
    audit = Audit.objects.filter(programme=world["programme"]).select_related("auditor").first()
    client.force_login(audit.auditor)
    mine = client.get(reverse("audits:my_audits"))
    assert audit.child.case_ref in mine.content.decode()
    assert client.get(reverse("audits:audit_edit", args=[audit.pk])).status_code == 200
    owner = UserFactory()
    data = form_data(audit, auditor_grade="requires_improvement")
    data.update(
        {
            "actions-TOTAL_FORMS": "1",
            "actions-INITIAL_FORMS": "0",
            "actions-0-description": "Write the child's plan.",
            "actions-0-owner": str(owner.pk),
            "actions-0-due_on": "2026-12-31",
        }
    )
    response = client.post(reverse("audits:audit_submit", args=[audit.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    audit.refresh_from_db()
    assert audit.status == Audit.Status.SUBMITTED and audit.final_grade == "requires_improvement"
    # The programme moderates every returned audit, so this one is in the moderation sample.
    assert Moderation.objects.filter(audit=audit).exists()
    assert Action.objects.filter(audit=audit, owner=owner).exists()
    assert client.get(reverse("audits:audit_history", args=[audit.pk])).status_code == 200
    assert audit.history.count() >= 2


def test_confirming_e_mails_each_auditor_their_audits_of_the_programme_once(world, django_capture_on_commit_callbacks):
    from django.core import mail

    from allocation.services import allocation_notify_programme

    cohort = drawn(world, count=4, seed=5)
    with django_capture_on_commit_callbacks(execute=True):
        cohort_confirm(cohort=cohort, by=world["quality"])
    people = set(Audit.objects.filter(programme=world["programme"]).values_list("auditor__email", flat=True))
    assert sorted(message.to[0] for message in mail.outbox) == sorted(people)
    assert all("Children open with no current plan" in message.subject for message in mail.outbox)
    assert not Audit.objects.filter(programme=world["programme"], allocation_notified_at__isnull=True).exists()
    assert allocation_notify_programme(programme_id=world["programme"].pk) == 0  # a rerun sends nothing
