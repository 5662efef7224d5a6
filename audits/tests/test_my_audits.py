"""The auditor's My audits page: only their own allocations, due dates in UK style, late and overdue in words."""

import datetime
import re
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils.html import escape, strip_tags

from audits.models import Audit
from audits.tests.factories import AuditFactory
from caseload.tests.factories import ChildFactory
from moderation.models import Moderation
from moderation.tests.factories import ModerationFactory
from people.tests.factories import AuditorFactory, ManagerFactory, ModeratorFactory, QualityFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = "/audits/mine/"


@pytest.fixture(autouse=True)
def _today(time_machine):
    time_machine.move_to(datetime.datetime(2026, 11, 28, 10, 0, tzinfo=ZoneInfo("Europe/London")), tick=False)


@pytest.fixture
def auditor():
    return AuditorFactory()


@pytest.fixture
def auditor_client(client, auditor):
    client.force_login(auditor)
    return client


def test_the_url_is_named():
    assert reverse("audits:my_audits") == URL


@pytest.mark.parametrize("factory", [QualityFactory, ModeratorFactory, ManagerFactory, UserFactory])
def test_people_who_are_not_auditors_are_refused(client, factory):
    client.force_login(factory())
    assert client.get(URL).status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")


def test_an_auditor_sees_only_their_own_allocations(auditor_client, auditor):
    mine = AuditFactory(auditor=auditor, month=datetime.date(2026, 11, 1), child=ChildFactory(case_ref="MINE-1"))
    AuditFactory(month=datetime.date(2026, 11, 1), child=ChildFactory(case_ref="THEIRS-1"))
    content = auditor_client.get(URL).content.decode()
    assert "MINE-1" in content and "THEIRS-1" not in content
    assert escape(mine.team.name) in content
    assert "25 Nov 2026" in content  # UK date style


def test_an_auditor_who_also_manages_a_team_sees_only_their_own_here(client):
    person = AuditorFactory(is_manager=True)
    other = AuditFactory(child=ChildFactory(case_ref="TEAM-1"))
    other.team.manager = person
    other.team.save()
    AuditFactory(auditor=person, child=ChildFactory(case_ref="OWN-1"))
    client.force_login(person)
    content = client.get(URL).content.decode()
    assert "OWN-1" in content and "TEAM-1" not in content


def test_overdue_and_late_are_said_in_words(auditor_client, auditor):
    AuditFactory(auditor=auditor, month=datetime.date(2026, 11, 1), child=ChildFactory(case_ref="OVERDUE-1"))
    AuditFactory(
        auditor=auditor,
        month=datetime.date(2026, 10, 1),
        child=ChildFactory(case_ref="LATE-1"),
        status=Audit.Status.SUBMITTED,
        submitted_on=datetime.date(2026, 10, 27),
    )
    AuditFactory(auditor=auditor, month=datetime.date(2026, 12, 1), child=ChildFactory(case_ref="FUTURE-1"))
    content = auditor_client.get(URL).content.decode()
    rows = {
        ref: next(row for row in content.split("<tr>") if ref in row) for ref in ("OVERDUE-1", "LATE-1", "FUTURE-1")
    }
    assert "Overdue" in rows["OVERDUE-1"] and "Submitted late" not in rows["OVERDUE-1"]
    assert "Submitted late" in rows["LATE-1"] and "Overdue" not in rows["LATE-1"]
    assert "Overdue" not in rows["FUTURE-1"] and "In progress" in rows["FUTURE-1"]


def test_each_allocation_links_to_the_audit(auditor_client, auditor):
    draft = AuditFactory(auditor=auditor)
    submitted = AuditFactory(auditor=auditor, returned=True)
    content = auditor_client.get(URL).content.decode()
    assert f'href="{reverse("audits:audit_edit", args=[draft.pk])}"' in content
    assert f'href="{reverse("audits:audit_detail", args=[submitted.pk])}"' in content


def test_who_to_contact_is_listed(auditor_client, auditor):
    AuditFactory(auditor=auditor, legal_status="CP", contact_iro=True)
    assert "Social worker, manager, child, parents or carers, CP chair" in auditor_client.get(URL).content.decode()


def test_the_list_filters_by_status(auditor_client, auditor):
    AuditFactory(auditor=auditor, child=ChildFactory(case_ref="DRAFT-1"))
    AuditFactory(auditor=auditor, child=ChildFactory(case_ref="DONE-1"), returned=True)
    content = auditor_client.get(URL, {"status": "submitted"}).content.decode()
    assert "DONE-1" in content and "DRAFT-1" not in content


def test_the_query_count_does_not_grow_with_the_number_of_audits(
    auditor_client, auditor, django_assert_max_num_queries
):
    AuditFactory(auditor=auditor)
    with django_assert_max_num_queries(7):
        assert auditor_client.get(URL).status_code == 200
    for month in range(1, 13):
        AuditFactory(auditor=auditor, month=datetime.date(2026, month, 1))
        AuditFactory(auditor=auditor, month=datetime.date(2025, month, 1), returned=True)
    with django_assert_max_num_queries(7):
        response = auditor_client.get(URL)
    assert response.content.decode().count("<tr>") == 26  # header + 25 on the first page


def test_past_audits_show_the_auditors_grade_the_final_grade_and_what_moderation_made_of_it(auditor_client, auditor):
    AuditFactory(auditor=auditor, child=ChildFactory(case_ref="DRAFT-1"), auditor_grade="good")
    AuditFactory(auditor=auditor, child=ChildFactory(case_ref="KEPT-1"), returned=True, final_grade="good")
    ModerationFactory(
        audit__auditor=auditor,
        audit__child=ChildFactory(case_ref="WAITING-1"),
        audit__final_grade="good",
    )
    ModerationFactory(
        audit__auditor=auditor,
        audit__child=ChildFactory(case_ref="DOWN-1"),
        audit__final_grade="requires_improvement",
        completed=True,
        grade="requires_improvement",
        outcome=Moderation.Outcome.DOWNGRADED,
    )
    content = auditor_client.get(URL).content.decode()
    rows = {
        ref: next(row for row in content.split("<tr>") if ref in row)
        for ref in ("DRAFT-1", "KEPT-1", "WAITING-1", "DOWN-1")
    }

    def text(html: str) -> str:
        return re.sub(r"\s+", " ", strip_tags(html)).strip()

    headers = [text(cell) for cell in re.findall(r'<th scope="col"[^>]*>(.*?)</th>', content, re.S)]

    def cells(row: str) -> list[str]:
        row_cells = [text(cell) for cell in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S)]
        by_header = dict(zip(headers, row_cells, strict=True))
        return [by_header["Your grade"], by_header["Final grade"]]

    # A draft's grade is not a judgement yet: neither column shows one.
    assert cells(rows["DRAFT-1"]) == ["Not submitted", "None yet"]
    assert cells(rows["KEPT-1"]) == ["Good", "Good"]
    assert cells(rows["WAITING-1"]) == ["Good", "Good Awaiting moderation"]
    assert cells(rows["DOWN-1"]) == ["Good", "Requires Improvement Moderated: downgraded"]
    # Grades are words; the colour only repeats them.
    assert '<span class="grade grade-requires_improvement">Requires Improvement</span>' in rows["DOWN-1"]
