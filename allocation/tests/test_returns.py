"""The QA team's "this month" page: each auditor's and team's returns, overdue days, links to the audits, sorting,
a fixed number of queries, and a reminder that is sent once a day however often it is asked for."""

import datetime
import re
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from allocation.models import MonthPlan, ReturnReminder
from allocation.services import return_reminder_email
from allocation.tests.factories import MonthPlanFactory
from audits.models import Audit, Policy
from audits.tests.factories import AuditFactory
from caseload.tests.factories import ChildFactory
from people.tests.factories import (
    AuditorFactory,
    ManagerFactory,
    ModeratorFactory,
    QualityFactory,
    TeamFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

NOV = datetime.date(2026, 11, 1)
DUE = datetime.date(2026, 11, 25)
URL = "/audits/returns/"


@pytest.fixture(autouse=True)
def _today(time_machine):
    """Friday 27 Nov 2026, two days after November's audits were due."""
    time_machine.move_to(datetime.datetime(2026, 11, 27, 10, 0, tzinfo=ZoneInfo("Europe/London")), tick=False)


@pytest.fixture
def quality():
    return QualityFactory(first_name="Helen", last_name="Carter")


@pytest.fixture
def qa_client(client, quality):
    client.force_login(quality)
    return client


def audit(auditor, team, **fields):
    return AuditFactory(auditor=auditor, child=ChildFactory(team=team), month=NOV, **{"due_on": DUE, **fields})


@pytest.fixture
def month():
    """Two teams, three auditors, every kind of return."""
    north, south = TeamFactory(name="North"), TeamFactory(name="South")
    ann = AuditorFactory(first_name="Ann", last_name="Abbott", username="ann")
    bob = AuditorFactory(first_name="Bob", last_name="Brown", username="bob")
    cat = AuditorFactory(first_name="Cat", last_name="Cole", username="cat")
    audits = {
        "on_time": audit(ann, north, status=Audit.Status.SUBMITTED, submitted_on=datetime.date(2026, 11, 20)),
        "late": audit(ann, south, status=Audit.Status.SUBMITTED, submitted_on=datetime.date(2026, 11, 26)),
        "overdue": audit(bob, north),
        "sent_back": audit(bob, south, status=Audit.Status.SENT_BACK, submitted_on=datetime.date(2026, 11, 20)),
        "exempted": audit(cat, north, status=Audit.Status.EXEMPTED),
        "older_overdue": audit(cat, north, due_on=datetime.date(2026, 11, 17)),
    }
    # Another month's audits are not this month's business.
    AuditFactory(auditor=ann, month=datetime.date(2026, 10, 1))
    return {"ann": ann, "bob": bob, "cat": cat, "north": north, "south": south, **audits}


def rows(response, table):
    key = "team__name" if table == "by_team" else "auditor__username"
    return {row[key]: row for row in response.context[table]}


# --- Who may see it ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("factory", [AuditorFactory, ModeratorFactory, ManagerFactory, UserFactory])
def test_only_the_qa_team_sees_the_returns_or_sends_reminders(client, factory, month):
    client.force_login(factory())

    assert client.get(URL).status_code == 403
    response = client.post(reverse("allocation:returns_remind", args=[month["bob"].pk]), {"month": "2026-11"})
    assert response.status_code == 403
    assert not ReturnReminder.objects.exists()


def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = client.get(URL)

    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_the_qa_team_finds_it_in_the_navigation_and_on_the_home_page(qa_client, month):
    home = qa_client.get(reverse("home")).content.decode()

    assert f'<a class="nav-link" href="{URL}">This month</a>' in home
    assert f'<a href="{URL}">November 2026\'s returns</a>: 2 of 5 returned; 3 overdue' in home


def test_an_auditor_has_no_link_to_it(client, month):
    client.force_login(month["ann"])

    assert URL not in client.get(reverse("home")).content.decode()


# --- What it shows ------------------------------------------------------------------------------------------


def test_each_auditor_and_team_has_their_returns_counted(qa_client, month):
    response = qa_client.get(URL)

    assert response.status_code == 200
    auditors, teams = rows(response, "by_auditor"), rows(response, "by_team")
    wanted = ("allocated", "exempted", "returned", "late", "overdue", "days_overdue", "nil_returns", "sent_back")
    assert {name: tuple(row[key] for key in wanted) for name, row in auditors.items()} == {
        "ann": (2, 0, 2, 1, 0, 0, 0, 0),
        "bob": (2, 0, 0, 0, 2, 2, 0, 1),
        "cat": (2, 1, 0, 0, 1, 10, 0, 0),
    }
    assert {name: tuple(row[key] for key in wanted) for name, row in teams.items()} == {
        "North": (4, 1, 1, 0, 2, 10, 0, 0),
        "South": (2, 0, 1, 1, 1, 2, 0, 1),
    }
    summary = response.context["summary"]
    assert (summary["allocated"], summary["scheduled"], summary["returned"], summary["overdue"]) == (6, 5, 2, 3)
    assert summary["days_overdue"] == 10


def test_the_figures_are_kept_until_the_data_changes_and_a_change_shows_at_once(qa_client, month):
    Policy.current()  # made on first use: a write, which would move the data version on during the first view
    qa_client.get(URL)
    with CaptureQueriesContext(connection) as kept:
        again = qa_client.get(URL)
    assert rows(again, "by_auditor")["bob"]["overdue"] == 2
    assert again.context["summary"]["returned"] == 2
    # The next view reads the six counting queries' answer from the cache: none of them runs.
    assert not any("COUNT(" in query["sql"] for query in kept.captured_queries)

    overdue = month["overdue"]
    overdue.status, overdue.submitted_on = Audit.Status.SUBMITTED, datetime.date(2026, 11, 27)
    overdue.save()
    changed = qa_client.get(URL)
    assert rows(changed, "by_auditor")["bob"]["overdue"] == 1
    assert changed.context["summary"]["returned"] == 3
    bob = rows(changed, "by_auditor")["bob"]
    assert [a.status for a in bob["audits"] if a.pk == overdue.pk] == [Audit.Status.SUBMITTED]


def test_nil_returns_are_counted(qa_client, month):
    Audit.objects.filter(pk=month["overdue"].pk).update(status=Audit.Status.NIL_RETURN)

    auditors = rows(qa_client.get(URL), "by_auditor")

    assert auditors["bob"]["nil_returns"] == 1
    assert auditors["bob"]["overdue"] == 1  # the sent-back one is still to come


def test_each_child_links_to_its_audit_with_its_state(qa_client, month):
    page = qa_client.get(URL).content.decode()

    older = month["older_overdue"]
    assert f'<a href="{reverse("audits:audit_detail", args=[older.pk])}">{older.child.case_ref}</a>' in page
    assert "<strong>overdue 10 days</strong>" in page
    assert "<strong>overdue 2 days</strong>, sent back" in page
    assert "submitted, late" in page
    assert '<th scope="row" id="auditor-' in page


def test_another_month_can_be_chosen_and_a_bad_one_is_a_message_at_the_field(qa_client, month):
    october = qa_client.get(URL, {"month": "2026-10"})
    bad = qa_client.get(URL, {"month": "9999-12"})

    assert october.context["month"] == datetime.date(2026, 10, 1)
    assert list(rows(october, "by_auditor")) == ["ann"]
    assert bad.status_code == 200
    assert (
        '<a href="#id_month" class="alert-link">Enter a month from January 2000 to December 2099, for example '
        "2026-12.</a>" in bad.content.decode()
    )
    assert bad.context["month"] == NOV


# --- Sorting ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sort", "order"),
    [
        ("name", ["ann", "bob", "cat"]),
        ("-name", ["cat", "bob", "ann"]),
        ("-days", ["cat", "bob", "ann"]),
        ("days", ["ann", "bob", "cat"]),
        ("-returned", ["ann", "bob", "cat"]),
        ("-overdue", ["bob", "cat", "ann"]),
        ("-sent_back", ["bob", "ann", "cat"]),
        ("nonsense", ["bob", "cat", "ann"]),  # the default: most overdue first
    ],
)
def test_the_auditor_table_sorts_by_any_column(qa_client, month, sort, order):
    assert list(rows(qa_client.get(URL, {"sort": sort}), "by_auditor")) == order


def test_the_team_table_sorts_on_its_own(qa_client, month):
    response = qa_client.get(URL, {"sort": "-name", "team_sort": "-late"})

    assert list(rows(response, "by_auditor")) == ["cat", "bob", "ann"]
    assert list(rows(response, "by_team")) == ["South", "North"]


def test_the_sorted_heading_says_so_and_links_to_the_reverse_keeping_the_month(qa_client, month):
    page = qa_client.get(URL, {"month": "2026-11", "sort": "-days"}).content.decode()

    heading = re.search(r'<th scope="col" aria-sort="descending"[^>]*><a href="\?([^"]+)"', page)
    assert heading is not None
    assert "sort=days" in heading.group(1) and "month=2026-11" in heading.group(1)
    assert page.count('aria-sort="descending"') == 2  # this table by days, the team table by its default


# --- Queries ----------------------------------------------------------------------------------------------------


def test_every_programmes_audits_are_chased_and_split_by_programme_the_monthly_audit_first(qa_client, month):
    """The page counts every programme's audits of the month; the monthly report counts the monthly audit's
    alone, so the page shows each programme's row, the monthly audit's first, when there is more than one."""
    page = qa_client.get(URL).content.decode()
    assert "By programme" not in page  # the monthly audit alone: nothing to split

    from audits.tests.factories import ProgrammeFactory, TemplateVersionFactory

    themed = TemplateVersionFactory(programme=ProgrammeFactory(name="A themed audit", slug="a-themed"))
    audit(month["ann"], month["north"], template=themed)
    response = qa_client.get(URL)
    by_programme = response.context["by_programme"]
    assert [(row["programme__name"], row["allocated"]) for row in by_programme] == [
        ("Monthly audit", 6),
        ("A themed audit", 1),
    ]
    assert response.context["summary"]["allocated"] == 7
    page = " ".join(response.content.decode().split())
    assert "By programme" in page and "The monthly QA report counts the monthly audit's alone" in page


def test_the_page_takes_the_same_number_of_queries_however_many_auditors(qa_client, django_assert_max_num_queries):
    def allocate(count):
        team = TeamFactory()
        for _ in range(count):
            auditor = AuditorFactory()
            audit(auditor, team)
            audit(auditor, team, status=Audit.Status.SUBMITTED, submitted_on=DUE)
            ReturnReminder.objects.create(
                auditor=auditor, month=NOV, sent_on=datetime.date(2026, 11, 27), outstanding=1
            )

    Policy.current()
    allocate(2)
    qa_client.get(reverse("home"))  # the session's idle expiry refreshed, as on any page in a minute
    with django_assert_max_num_queries(12) as small:
        qa_client.get(URL)
    allocate(30)
    with django_assert_max_num_queries(12) as large:
        response = qa_client.get(URL)

    assert len(large.captured_queries) == len(small.captured_queries)
    assert len(response.context["by_auditor"]) == 32


# --- Reminders --------------------------------------------------------------------------------------------------


def remind(client, auditor, month="2026-11"):
    return client.post(reverse("allocation:returns_remind", args=[auditor.pk]), {"month": month}, follow=True)


def test_a_reminder_lists_what_is_still_to_return_and_a_second_click_sends_nothing(
    qa_client, month, mailoutbox, django_capture_on_commit_callbacks
):
    bob = month["bob"]

    with django_capture_on_commit_callbacks(execute=True):
        first = remind(qa_client, bob)
    with django_capture_on_commit_callbacks(execute=True) as again:
        second = remind(qa_client, bob)

    assert first.redirect_chain[-1][0] == f"{URL}?month=2026-11#auditor-{bob.pk}"
    assert escape(f"Reminder sent to {bob} about 2 audits for November 2026 not yet returned.") in (
        first.content.decode()
    )
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == [bob.email]
    assert message.subject == "Reminder: 2 case-file audits for November 2026 to return"
    assert f"{month['overdue'].child.case_ref}, North: due 25 Nov 2026, 2 days overdue." in message.body
    assert "2 days overdue, sent back to be revised." in message.body
    assert again == []
    assert escape(f"{bob} was already reminded today, at 10:00 by Helen Carter. Nothing was sent again") in (
        second.content.decode()
    )
    assert ReturnReminder.objects.count() == 1
    assert "Reminded today at 10:00 by Helen Carter." in second.content.decode()


def test_a_reminder_can_be_sent_again_the_next_day(qa_client, quality, month, time_machine):
    remind(qa_client, month["bob"])
    time_machine.move_to(datetime.datetime(2026, 11, 30, 9, 0, tzinfo=ZoneInfo("Europe/London")), tick=False)
    qa_client.force_login(quality)  # the idle session has expired over the weekend
    remind(qa_client, month["bob"])

    assert ReturnReminder.objects.count() == 2


def test_after_a_reminder_the_page_comes_back_sorted_as_it_was(qa_client, month):
    response = qa_client.post(
        reverse("allocation:returns_remind", args=[month["bob"].pk]),
        {"month": "2026-11", "sort": "-days", "team_sort": "bogus"},
    )

    assert response.url == f"{URL}?month=2026-11&sort=-days&team_sort=-overdue#auditor-{month['bob'].pk}"


def test_an_auditor_with_nothing_to_return_is_not_reminded(qa_client, month, mailoutbox):
    response = remind(qa_client, month["ann"])

    assert "has no audits for November 2026 waiting to be returned" in response.content.decode()
    assert not ReturnReminder.objects.exists() and mailoutbox == []
    assert "Nothing to chase" in response.content.decode()


def test_an_auditor_without_an_email_address_is_not_reminded_and_the_page_says_why(qa_client, month, mailoutbox):
    month["bob"].email = ""
    month["bob"].save()

    response = remind(qa_client, month["bob"])

    assert "cannot be e-mailed: their account has no e-mail address" in response.content.decode()
    assert not ReturnReminder.objects.exists()


@pytest.mark.parametrize("value", ["", "9999-12", "nonsense"])
def test_a_reminder_for_no_month_is_not_found(qa_client, month, value):
    response = qa_client.post(reverse("allocation:returns_remind", args=[month["bob"].pk]), {"month": value})

    assert response.status_code == 404
    assert not ReturnReminder.objects.exists()


def test_the_reminder_task_emails_once_however_often_it_runs(month, mailoutbox):
    reminder = ReturnReminder.objects.create(
        auditor=month["bob"], month=NOV, sent_on=datetime.date(2026, 11, 27), outstanding=2
    )

    assert return_reminder_email(reminder_id=reminder.pk) is True
    assert return_reminder_email(reminder_id=reminder.pk) is False
    assert len(mailoutbox) == 1


# --- Overdue on the allocation page --------------------------------------------------------------------------------


def test_the_allocation_page_flags_overdue_audits_with_their_days(qa_client, month):
    plan = MonthPlanFactory(month=NOV, status=MonthPlan.Status.CONFIRMED)
    Audit.objects.filter(month=NOV).update(plan=plan)

    page = qa_client.get(reverse("allocation:month", args=[NOV])).content.decode()

    assert page.count('<span class="badge text-bg-danger">Overdue by 2 days</span>') == 2
    assert page.count('<span class="badge text-bg-danger">Overdue by 10 days</span>') == 1
    assert 'data-count="overdue">3</dd>' in page
    assert f'href="{URL}?month=2026-11">Chase the returns for November 2026</a>' in page
