"""The tracker and the Child of Concern list: sortable columns, days overdue from the database, folded filters."""

import datetime

import pytest
from django.urls import reverse

from actions.tests.factories import ActionFactory, ChildOfConcernFactory
from people.tests.factories import ManagerFactory, QualityFactory, TeamFactory, UserFactory
from qa_portal.tests.sorting import assert_each_column_sorts, query_counts_by_sort

pytestmark = pytest.mark.django_db

D = datetime.date
TRACKER = reverse("actions:list")
CONCERNS = reverse("actions:coc_list")
EVERYTHING = {"view": "", "status": ""}


def _action(team, owner, month, due, completed=None, ref="R000100"):
    return ActionFactory(
        audit__child__team=team,
        audit__child__case_ref=ref,
        audit__month=month,
        owner=owner,
        due_on=due,
        completed_on=completed,
    )


@pytest.fixture
def actions(today):
    """Five actions that differ in every sortable column (today is 21 Nov 2026)."""
    alpha, beta = TeamFactory(name="Alpha Safeguarding"), TeamFactory(name="Beta Safeguarding")
    adams = UserFactory(last_name="Adams", first_name="Ann")
    baker = UserFactory(last_name="Baker", first_name="Bob")
    return [
        _action(alpha, baker, D(2026, 9, 1), D(2026, 10, 1), ref="R000300"),  # 51 days overdue
        _action(beta, adams, D(2026, 10, 1), D(2026, 11, 11), ref="R000100"),  # 10 days overdue
        _action(alpha, adams, D(2026, 8, 1), D(2026, 12, 1), ref="R000500"),  # not yet due
        _action(beta, baker, D(2026, 10, 1), D(2026, 9, 30), completed=D(2026, 10, 3), ref="R000200"),
        _action(beta, adams, D(2026, 7, 1), D(2026, 8, 1), completed=D(2026, 7, 20), ref="R000400"),
    ]


def _actions_listed(response):
    return response.context["actions"]


ACTION_COLUMNS = {
    "child": lambda a: a.audit.child.case_ref,
    "team": lambda a: a.audit.team.name,
    "audit_month": lambda a: a.audit.month,
    "owner": lambda a: a.owner.last_name,
    "due": lambda a: a.due_on,
    "days_overdue": lambda a: a.days_overdue,
    "completed": lambda a: a.completed_on,
}


def test_every_tracker_column_sorts_both_ways(client, actions):
    client.force_login(QualityFactory())
    assert_each_column_sorts(client, TRACKER, ACTION_COLUMNS, _actions_listed, params=EVERYTHING)


def test_days_overdue_is_counted_by_the_database_as_of_the_day_asked(client, actions):
    client.force_login(QualityFactory())
    response = client.get(TRACKER, {**EVERYTHING, "sort": "-days_overdue"})
    days = [(a.audit.child.case_ref, a.days_overdue and a.days_overdue.days) for a in _actions_listed(response)]
    # Most overdue first; completed and not-yet-due actions have no days overdue and come last.
    assert days[:2] == [("R000300", 51), ("R000100", 10)]
    assert {ref for ref, d in days[2:] if d is None} == {"R000500", "R000200", "R000400"}
    # As of 1 Nov, the action due 11 Nov was not yet due and the other was 31 days overdue.
    response = client.get(TRACKER, {**EVERYTHING, "sort": "-days_overdue", "as_of": "2026-11-01"})
    assert [a.days_overdue.days for a in _actions_listed(response) if a.days_overdue] == [31]


def test_a_header_link_keeps_the_filters_and_starts_again_at_page_one(client, actions):
    team = actions[0].audit.team
    client.force_login(QualityFactory())
    body = client.get(TRACKER, {"status": "open", "team": team.pk, "sort": "due", "page": "1"}).content.decode()
    assert f'href="?status=open&amp;team={team.pk}&amp;sort=-due"' in body  # sorted by due: a click reverses it
    assert f'href="?status=open&amp;team={team.pk}&amp;sort=-days_overdue"' in body  # most overdue first
    assert 'aria-sort="ascending"' in body and body.count("aria-sort=") == 1


def test_the_pager_keeps_the_sort(client, today):
    owner = UserFactory()
    ActionFactory.create_batch(51, owner=owner, due_on=D(2026, 11, 1))
    client.force_login(owner)
    response = client.get(TRACKER, {"view": "mine", "status": "", "sort": "-due"})
    assert 'href="?view=mine&amp;status=&amp;sort=-due&amp;page=2"' in response.content.decode()


def test_an_unknown_sort_falls_back_to_the_default_order_without_an_error(client, actions):
    client.force_login(QualityFactory())
    response = client.get(TRACKER, {**EVERYTHING, "sort": "description;drop"})
    assert response.status_code == 200 and "There is a problem" not in response.content.decode()
    dues = [a.due_on for a in _actions_listed(response)]
    assert dues == sorted(dues)


def test_sorting_the_tracker_costs_no_extra_query_as_the_data_grows(client, actions):
    client.force_login(QualityFactory())
    client.get(TRACKER)  # warm the session
    sorts = [s for param in ACTION_COLUMNS for s in (param, f"-{param}")]
    small = query_counts_by_sort(client, TRACKER, sorts, params=EVERYTHING)
    assert len(set(small.values())) == 1, small  # every sort takes the same number of queries
    for _ in range(3):
        ActionFactory.create_batch(6, audit__child__team=TeamFactory(), owner=UserFactory())
    assert query_counts_by_sort(client, TRACKER, sorts, params=EVERYTHING) == small


# --- The folded filters -----------------------------------------------------------------------------------------


def test_the_tracker_folds_its_filters_behind_a_summary_of_the_active_ones(client, today):
    manager = ManagerFactory()
    team = TeamFactory(name="Cheltenham Safeguarding 2", manager=manager)
    ActionFactory(audit__child__team=team, due_on=D(2026, 11, 1))
    client.force_login(manager)
    body = client.get(TRACKER).content.decode()
    details = body[body.index("<details") : body.index("</details>")]
    assert "<details" in details and " open" not in details.split(">")[0]  # folded: no 13 fields before the rows
    summary = details[details.index("<summary") : details.index("</summary>")]
    assert "Whose actions: <strong>My teams&#x27; actions</strong>" in summary
    assert "Status: <strong>Overdue</strong>" in summary and "(change)" in summary
    assert body.index("</details>") < body.index("<table")

    body = client.get(TRACKER, {"view": "", "status": "overdue", "team": team.pk, "due_after": "2026-10-01"}).content
    summary = body.decode().split("<summary", 1)[1].split("</summary>", 1)[0]
    assert "Status: <strong>Overdue</strong>" in summary
    assert "Team: <strong>Cheltenham Safeguarding 2</strong>" in summary
    assert "Due on or after: <strong>1 Oct 2026</strong>" in summary
    assert "Whose actions" not in summary  # a filter left blank is not listed


def test_the_filters_open_when_one_needs_fixing(client, today):
    client.force_login(QualityFactory())
    body = client.get(TRACKER, {"due_after": "31/02/2026"}).content.decode()
    assert '<details class="card mb-4 list-filters" open>' in body


def test_the_filter_form_keeps_the_sort(client, actions):
    client.force_login(QualityFactory())
    body = client.get(TRACKER, {**EVERYTHING, "sort": "-owner"}).content.decode()
    form = body[body.index('id="form-filters"') : body.index("</form>", body.index('id="form-filters"'))]
    assert '<input type="hidden" name="sort" value="-owner">' in form
    assert 'name="sort"' not in form.replace('<input type="hidden" name="sort" value="-owner">', "")


# --- Children of Concern ----------------------------------------------------------------------------------------


@pytest.fixture
def concerns(today):
    alpha, beta = TeamFactory(name="Alpha Safeguarding"), TeamFactory(name="Beta Safeguarding")

    def concern(team, ref, month, raised, due, notified_hour):
        return ChildOfConcernFactory(
            audit__child__team=team,
            audit__child__case_ref=ref,
            audit__month=month,
            raised_on=raised,
            response_due_on=due,
            notified_at=datetime.datetime.combine(raised, datetime.time(notified_hour), tzinfo=datetime.UTC),
        )

    return [
        concern(alpha, "R000300", D(2026, 9, 1), D(2026, 11, 2), D(2026, 11, 9), 9),  # 12 days overdue
        concern(beta, "R000100", D(2026, 10, 1), D(2026, 11, 16), D(2026, 11, 23), 11),  # not yet due
        concern(alpha, "R000200", D(2026, 8, 1), D(2026, 11, 10), D(2026, 11, 17), 10),  # 4 days overdue
    ]


CONCERN_COLUMNS = {
    "child": lambda c: c.child.case_ref,
    "team": lambda c: c.audit.team.name,
    "audit_month": lambda c: c.audit.month,
    "raised": lambda c: c.raised_on,
    "notified": lambda c: c.notified_at,
    "response_due": lambda c: c.response_due_on,
    "days_overdue": lambda c: c.days_overdue,
}


def test_every_concern_column_sorts_both_ways(client, concerns):
    client.force_login(QualityFactory())
    assert_each_column_sorts(client, CONCERNS, CONCERN_COLUMNS, lambda r: r.context["concerns"])


def test_a_concerns_days_overdue_counts_from_the_response_deadline(client, concerns):
    client.force_login(QualityFactory())
    response = client.get(CONCERNS, {"sort": "-days_overdue"})
    listed = [(c.child.case_ref, c.days_overdue and c.days_overdue.days) for c in response.context["concerns"]]
    assert listed == [("R000300", 12), ("R000200", 4), ("R000100", None)]


def test_sorting_concerns_costs_no_extra_query_as_the_data_grows(client, concerns):
    client.force_login(QualityFactory())
    client.get(CONCERNS)
    sorts = [s for param in CONCERN_COLUMNS for s in (param, f"-{param}")]
    small = query_counts_by_sort(client, CONCERNS, sorts)
    assert len(set(small.values())) == 1, small
    ChildOfConcernFactory.create_batch(10)
    assert query_counts_by_sort(client, CONCERNS, sorts) == small


def test_the_tracker_keeps_its_rendered_rows_until_the_data_changes(client, actions, django_assert_max_num_queries):
    """The rows of a page are rendered once and kept (actions/views.py); a change to an action or to its owner's
    name shows on the next view, and a second view of unchanged data runs no query for the rows."""
    client.force_login(QualityFactory())
    first = client.get(TRACKER, EVERYTHING).content.decode()
    assert "Baker" in first and "Chronology brought up to date" not in first
    with django_assert_max_num_queries(20) as again:
        body = client.get(TRACKER, EVERYTHING).content.decode()
    assert body[body.index("<tbody>") :] == first[first.index("<tbody>") :]
    assert not any('FROM "actions_action"' in query["sql"] and "LIMIT" in query["sql"] for query in again)

    action = actions[0]
    action.description = "Chronology brought up to date"
    action.save()
    changed = client.get(TRACKER, EVERYTHING).content.decode()
    assert "Chronology brought up to date" in changed

    action.owner.last_name = "Baker-Smith"
    action.owner.save()
    assert "Baker-Smith" in client.get(TRACKER, EVERYTHING).content.decode()


def test_the_tracker_keeps_its_filter_form_until_the_data_changes(client, actions):
    """The folded filter form is kept per scope and filter values (common.versioned_cache.cached_filters_html):
    a team that gains an action is offered on the next view, and a form with errors is never kept."""
    client.force_login(QualityFactory())
    assert "Gamma Early Help" not in client.get(TRACKER, EVERYTHING).content.decode()
    ActionFactory(audit__child__team=TeamFactory(name="Gamma Early Help"), owner=actions[0].owner)
    assert '">Gamma Early Help</option>' in client.get(TRACKER, EVERYTHING).content.decode()

    bad = client.get(TRACKER, {**EVERYTHING, "due_after": "31/02/2026"}).content.decode()
    assert "There is a problem" in bad
    again = client.get(TRACKER, {**EVERYTHING, "due_after": "2026-10-01"}).content.decode()
    assert "There is a problem" not in again and 'value="2026-10-01"' in again


def test_the_concern_list_keeps_its_rows_and_count_until_the_data_changes(client, today):
    """Rows, count and filters kept (actions/views.py ConcernListView); a resolved concern shows on the next view."""
    concern = ChildOfConcernFactory()
    client.force_login(QualityFactory())
    everything = {"state": ""}
    first = client.get(CONCERNS, everything).content.decode()
    listed = first[first.index("Children of Concern matching") :]
    assert listed.count("<tr>") == 2 and "Awaiting response" in listed  # the header row and the concern
    concern.status = concern.Status.RESOLVED
    concern.save()
    resolved = client.get(CONCERNS, everything).content.decode()
    rows = resolved[resolved.index("Children of Concern matching") :]
    assert '<span class="badge text-bg-success">Resolved</span>' in rows
    assert client.get(CONCERNS, {"state": "open"}).context["page"].paginator.count == 0
