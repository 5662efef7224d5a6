"""The tracker, an action's page, the Child of Concern pages and the CSV export, as each role sees them."""

import csv
import datetime
import io
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from actions.models import Action, ActionChange, ChildOfConcern
from actions.tests.factories import ActionFactory, ChildOfConcernFactory
from actions.views import csv_safe
from people.selectors import teams_managed_by
from people.tests.factories import (
    AuditorFactory,
    ManagerFactory,
    ModeratorFactory,
    QualityFactory,
    ServiceAreaFactory,
    TeamFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

D = datetime.date
TRACKER = reverse("actions:list")


@pytest.fixture
def world(today):
    """A managed team with an overdue and a not-yet-due action, another team's action, and a concern in each."""
    manager = ManagerFactory(username="manager")
    team = TeamFactory(name="Hillside", manager=manager)
    other_team = TeamFactory(name="Riverside")
    owner = UserFactory(username="owner")
    auditor = AuditorFactory(username="auditor")
    overdue = ActionFactory(
        audit__child__team=team, audit__auditor=auditor, owner=owner, due_on=D(2026, 11, 2), description="Visit"
    )
    older = ActionFactory(audit__child__team=team, due_on=D(2026, 10, 12), description="Chronology")
    pending = ActionFactory(audit__child__team=team, due_on=D(2026, 12, 1), description="Plan")
    elsewhere = ActionFactory(audit__child__team=other_team, due_on=D(2026, 11, 1), description="Elsewhere")
    concern = ChildOfConcernFactory(audit__child__team=team, audit__auditor=auditor)
    other_concern = ChildOfConcernFactory(audit__child__team=other_team)
    return {
        "manager": manager,
        "team": team,
        "owner": owner,
        "auditor": auditor,
        "overdue": overdue,
        "older": older,
        "pending": pending,
        "elsewhere": elsewhere,
        "concern": concern,
        "other_concern": other_concern,
        "quality": QualityFactory(username="quality"),
        "moderator": ModeratorFactory(username="moderator"),
        "nobody": UserFactory(username="nobody"),
    }


def listed(response):
    return [a.description for a in response.context["actions"]]


# --- The tracker --------------------------------------------------------------------------------------------------


def test_a_manager_lands_on_their_teams_overdue_actions_oldest_first(client, world):
    client.force_login(world["manager"])
    response = client.get(TRACKER)
    assert response.status_code == 200
    assert listed(response) == ["Chronology", "Visit"]
    assert "your teams' overdue actions" in response.content.decode()


def test_an_owner_without_a_role_lands_on_their_own_open_actions(client, world):
    client.force_login(world["owner"])
    assert listed(client.get(TRACKER)) == ["Visit"]


def test_the_qa_team_lands_on_every_overdue_action(client, world):
    client.force_login(world["quality"])
    assert listed(client.get(TRACKER)) == ["Chronology", "Elsewhere", "Visit"]


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("quality", {"Visit", "Chronology", "Plan", "Elsewhere"}),
        ("manager", {"Visit", "Chronology", "Plan"}),
        ("owner", {"Visit"}),
        ("auditor", {"Visit"}),  # the actions of the audits they wrote
        ("moderator", set()),
        ("nobody", set()),
    ],
)
def test_everything_i_can_see_is_scoped_by_role(client, world, who, expected):
    client.force_login(world[who])
    response = client.get(TRACKER, {"view": "", "status": ""})
    assert response.status_code == 200
    assert set(listed(response)) == expected


def test_filters_narrow_the_list(client, world, today):
    area = ServiceAreaFactory(name="Early Help")
    early = ActionFactory(
        audit__child__team=TeamFactory(service_area=area),
        audit__service_area=area,
        audit__month=D(2026, 8, 1),
        due_on=D(2026, 9, 30),
        in_care_plan=True,
        description="Early help plan",
    )
    client.force_login(world["quality"])

    def only(**params):
        return set(listed(client.get(TRACKER, {"view": "", "status": "", **params})))

    assert only(team=world["team"].pk) == {"Visit", "Chronology", "Plan"}
    assert only(service_area=area.pk) == {"Early help plan"}
    assert only(owner=world["owner"].pk) == {"Visit"}
    assert only(status="not_yet_due") == {"Plan"}
    assert only(status="open", team=world["team"].pk) == {"Visit", "Chronology", "Plan"}
    assert only(due_after="2026-11-01", due_before="2026-11-02") == {"Visit", "Elsewhere"}
    assert only(audit_month_from="2026-08", audit_month_to="2026-08") == {"Early help plan"}
    assert only(audit_month_before="2026-10") == {"Early help plan"}
    assert only(in_care_plan="true") == {"Early help plan"}
    # Status as of an earlier day: on 1 Nov the visit due 2 Nov was not yet due.
    assert "Visit" in only(status="not_yet_due", as_of="2026-11-01")
    early.completed_on = D(2026, 10, 5)
    early.save()
    assert only(status="completed_late") == {"Early help plan"}
    assert only(status="completed") == {"Early help plan"}


def test_the_summary_counts_the_filtered_list_by_status(client, world):
    client.force_login(world["manager"])
    response = client.get(TRACKER, {"view": "teams", "status": ""})
    summary = response.context["summary"]
    assert (summary["total"], summary["overdue"], summary["not_yet_due"]) == (3, 2, 1)
    assert str(summary["overdue_percent"]) == "66.7"


def test_bad_filter_input_gets_a_message_at_the_field_not_an_error_page(client, world):
    client.force_login(world["quality"])
    response = client.get(TRACKER, {"audit_month_from": "October", "due_after": "31/02/2026", "status": "lost"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "There is a problem" in body
    assert 'href="#id_audit_month_from"' in body and 'href="#id_due_after"' in body and 'href="#id_status"' in body
    assert response.context.get("actions") is None


def test_tracker_query_count_does_not_grow_with_the_data(client, world, django_assert_max_num_queries):
    client.force_login(world["quality"])
    client.get(TRACKER)  # warm the session
    with django_assert_max_num_queries(12) as small:
        client.get(TRACKER, {"view": "", "status": ""})
    for _ in range(3):
        team = TeamFactory()
        ActionFactory.create_batch(8, audit__child__team=team, owner=UserFactory())
    # The first view after a write finds the summary and the pickers' options (teams, owners, service areas:
    # common.forms.KeptChoicesField) afresh, in a constant number of queries too; the next ones read them from
    # the cache, as the first measure did.
    with django_assert_max_num_queries(len(small.captured_queries) + 4):
        client.get(TRACKER, {"view": "", "status": ""})
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(TRACKER, {"view": "", "status": ""})
    assert len(response.context["actions"]) == 28


# --- CSV ------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("http://evil")', '\'=HYPERLINK("http://evil")'),
        ("+44 1234", "'+44 1234"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tTab", "'\tTab"),
        ("\rCR", "'\rCR"),
        ("Plain text", "Plain text"),
        ("", ""),
        (None, ""),
    ],
)
def test_csv_cells_that_a_spreadsheet_would_run_are_quoted(value, expected):
    assert csv_safe(value) == expected


def test_csv_export_of_the_filtered_list_is_safe_and_uses_iso_dates(client, world):
    world["overdue"].description = "=cmd|' /C calc'!A0"
    world["overdue"].completion_note = ""
    world["overdue"].save()
    client.force_login(world["manager"])
    response = client.get(reverse("actions:export"), {"view": "teams", "status": "overdue"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [r["description"] for r in rows] == ["Chronology", "'=cmd|' /C calc'!A0"]
    visit = rows[1]
    assert visit["due_on"] == "2026-11-02" and visit["audit_month"] == "2026-10"
    assert visit["status"] == "overdue" and visit["status_as_of"] == "2026-11-21"
    assert visit["team"] == "Hillside" and visit["in_care_plan"] == "no"


def test_csv_export_is_scoped_like_the_list(client, world):
    client.force_login(world["owner"])
    response = client.get(reverse("actions:export"), {"view": "", "status": ""})
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [r["description"] for r in rows] == ["Visit"]


# --- One action ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [("quality", 200), ("manager", 200), ("owner", 200), ("auditor", 200), ("moderator", 404), ("nobody", 404)],
)
def test_an_actions_page_is_found_only_within_scope(client, world, who, status):
    client.force_login(world[who])
    assert client.get(reverse("actions:detail", args=[world["overdue"].pk])).status_code == status


def test_another_teams_action_is_not_found_by_a_guessed_url(client, world):
    client.force_login(world["manager"])
    assert client.get(reverse("actions:detail", args=[world["elsewhere"].pk])).status_code == 404
    response = client.post(
        reverse("actions:complete", args=[world["elsewhere"].pk]), {"complete-on": "2026-11-21", "complete-note": "x"}
    )
    assert response.status_code == 404


def test_the_manager_completes_an_overdue_action_and_the_history_shows_it(client, world):
    client.force_login(world["manager"])
    url = reverse("actions:complete", args=[world["overdue"].pk])
    response = client.post(url, {"complete-on": "2026-11-21", "complete-note": "Child seen alone; plan updated."})
    assert response.status_code == 302
    page = client.get(reverse("actions:detail", args=[world["overdue"].pk])).content.decode()
    assert "Completed late" in page and "Child seen alone; plan updated." in page


def test_a_completion_with_errors_shows_the_summary_linked_to_the_field(client, world):
    client.force_login(world["owner"])
    url = reverse("actions:complete", args=[world["overdue"].pk])
    response = client.post(url, {"complete-on": "2026-11-30", "complete-note": ""})
    assert response.status_code == 200
    body = response.content.decode()
    assert 'href="#id_complete-note"' in body and "Say what changed for the child." in body
    response = client.post(url, {"complete-on": "2026-11-30", "complete-note": "Done"})
    assert 'href="#id_complete-on"' in response.content.decode()
    assert "cannot be in the future" in response.content.decode()
    world["overdue"].refresh_from_db()
    assert world["overdue"].completed_on is None


def test_the_auditor_may_read_but_not_complete_and_only_the_qa_team_reopens(client, world):
    client.force_login(world["auditor"])
    url = reverse("actions:complete", args=[world["overdue"].pk])
    assert client.post(url, {"complete-on": "2026-11-21", "complete-note": "x"}).status_code == 403
    world["overdue"].completed_on = D(2026, 11, 20)
    world["overdue"].save()
    reopen = reverse("actions:reopen", args=[world["overdue"].pk])
    client.force_login(world["manager"])
    assert client.post(reopen, {"reopen-reason": "x"}).status_code == 403
    client.force_login(world["quality"])
    assert client.post(reopen, {"reopen-reason": "Nothing changed for the child"}).status_code == 302
    world["overdue"].refresh_from_db()
    assert world["overdue"].completed_on is None


def test_moving_the_due_date_through_the_page_needs_a_reason(client, world):
    client.force_login(world["owner"])
    url = reverse("actions:move_due", args=[world["overdue"].pk])
    response = client.post(url, {"move-new_due_on": "2026-12-10", "move-reason": ""})
    assert 'href="#id_move-reason"' in response.content.decode()
    assert client.post(url, {"move-new_due_on": "2026-12-10", "move-reason": "Court delayed"}).status_code == 302
    page = client.get(reverse("actions:detail", args=[world["overdue"].pk])).content.decode()
    assert "From 2 Nov 2026 to 10 Dec 2026. Reason: Court delayed" in page


def test_action_page_query_count_is_constant(client, world, django_assert_max_num_queries):
    client.force_login(world["manager"])
    url = reverse("actions:detail", args=[world["overdue"].pk])
    client.get(url)
    with django_assert_max_num_queries(10):
        client.get(url)


# --- Children of Concern ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [("quality", 200), ("manager", 200), ("owner", 403), ("auditor", 403), ("moderator", 403), ("nobody", 403)],
)
def test_the_concern_list_is_for_the_qa_team_and_managers(client, world, who, status):
    client.force_login(world[who])
    assert client.get(reverse("actions:coc_list")).status_code == status


@pytest.mark.parametrize(
    ("who", "status"),
    [("quality", 200), ("manager", 200), ("owner", 404), ("auditor", 404), ("moderator", 404), ("nobody", 404)],
)
def test_a_childs_concerns_are_seen_by_nobody_else(client, world, who, status):
    client.force_login(world[who])
    assert client.get(reverse("actions:coc_detail", args=[world["concern"].pk])).status_code == status


def test_a_manager_cannot_open_another_teams_concern(client, world):
    client.force_login(world["manager"])
    assert client.get(reverse("actions:coc_detail", args=[world["other_concern"].pk])).status_code == 404
    url = reverse("actions:coc_respond", args=[world["other_concern"].pk])
    assert (
        client.post(url, {"respond-safety": "a", "respond-service_offer": "b", "respond-next_steps": "c"}).status_code
        == 404
    )


def test_the_list_counts_open_awaiting_overdue_and_resolved_this_month(client, world, today):
    ChildOfConcernFactory(audit__child__team=world["team"], response_due_on=D(2026, 11, 18))
    ChildOfConcernFactory(audit__child__team=world["team"], status="resolved", resolved_on=D(2026, 11, 3))
    client.force_login(world["manager"])
    response = client.get(reverse("actions:coc_list"))
    assert response.context["counts"] == {
        "open": 2,
        "awaiting": 2,
        "overdue": 1,
        "under_review": 0,
        "resolved_this_month": 1,
    }
    assert len(response.context["concerns"]) == 2  # lands on the open ones
    overdue_only = client.get(reverse("actions:coc_list"), {"state": "overdue"})
    assert [c.response_due_on for c in overdue_only.context["concerns"]] == [D(2026, 11, 18)]


def test_the_concern_page_shows_the_audits_concerns_and_when_the_email_went(client, world):
    audit = world["concern"].audit
    audit.improvements = "No direct work with the child since June."
    audit.save()
    client.force_login(world["manager"])
    body = client.get(reverse("actions:coc_detail", args=[world["concern"].pk])).content.decode()
    assert "No direct work with the child since June." in body
    assert "16 Nov 2026, 09:30" in body  # notified_at, shown in London time
    assert "(a) What is being done to make sure the child is safe" in body


def test_the_concern_page_shows_only_the_weak_practice_areas(client, world):
    from audits.tests.factories import AreaGradeFactory, PracticeAreaFactory

    audit = world["concern"].audit
    weak = AreaGradeFactory(
        audit=audit, area=PracticeAreaFactory(name="Planning"), grade="inadequate", evidence="No plan since June."
    )
    AreaGradeFactory(audit=audit, area=PracticeAreaFactory(name="Voice of the child"), grade="good")
    client.force_login(world["manager"])
    body = client.get(reverse("actions:coc_detail", args=[world["concern"].pk])).content.decode()
    assert weak.evidence in body and "Planning" in body
    assert "Voice of the child" not in body
    assert "The audit recorded no further detail" not in body


def test_the_manager_responds_and_the_qa_team_returns_it_then_resolves_it(client, world):
    concern = world["concern"]
    client.force_login(world["manager"])
    respond = reverse("actions:coc_respond", args=[concern.pk])
    response = client.post(
        respond, {"respond-safety": "Seen today", "respond-service_offer": "", "respond-next_steps": ""}
    )
    body = response.content.decode()
    assert 'href="#id_respond-service_offer"' in body and 'href="#id_respond-next_steps"' in body
    response = client.post(
        respond,
        {"respond-safety": "Seen today", "respond-service_offer": "CP plan fits", "respond-next_steps": "RCPC 3 Dec"},
    )
    assert response.status_code == 302
    review = reverse("actions:coc_review", args=[concern.pk])
    assert client.post(review, {"review-decision": "resolved"}).status_code == 403  # a manager does not review
    client.force_login(world["quality"])
    response = client.post(review, {"review-decision": "returned", "review-note": ""})
    assert 'href="#id_review-note"' in response.content.decode()
    assert client.post(review, {"review-decision": "returned", "review-note": "Who saw the child?"}).status_code == 302
    concern.refresh_from_db()
    assert concern.status == ChildOfConcern.Status.AWAITING_RESPONSE
    client.force_login(world["manager"])
    page = client.get(reverse("actions:coc_detail", args=[concern.pk])).content.decode()
    assert "Who saw the child?" in page and "Update the team's response" in page
    client.post(
        respond,
        {"respond-safety": "SW saw her alone", "respond-service_offer": "CP plan fits", "respond-next_steps": "3 Dec"},
    )
    client.force_login(world["quality"])
    assert client.post(review, {"review-decision": "resolved", "review-note": ""}).status_code == 302
    concern.refresh_from_db()
    assert concern.status == ChildOfConcern.Status.RESOLVED


def test_a_lifted_grade_is_shown_and_the_qa_team_may_close_it(client, world):
    concern = world["concern"]
    concern.grade_lifted_at = concern.notified_at
    concern.save()
    client.force_login(world["quality"])
    body = client.get(reverse("actions:coc_detail", args=[concern.pk])).content.decode()
    assert "Moderation has lifted the grade" in body and 'id="form-review"' in body


def test_concern_pages_query_counts_are_constant(client, world, django_assert_max_num_queries):
    client.force_login(world["quality"])
    client.get(reverse("actions:coc_list"))
    with django_assert_max_num_queries(10) as small:
        client.get(reverse("actions:coc_list"))
    budget = len(small.captured_queries)  # counted now: the query log keeps only the last 9,000
    for _ in range(12):
        ChildOfConcernFactory()
    client.get(reverse("actions:coc_list"))  # the first view after a write finds the team picker's options afresh
    with django_assert_max_num_queries(budget):
        response = client.get(reverse("actions:coc_list"))
    assert len(response.context["concerns"]) == 14
    with django_assert_max_num_queries(10):
        client.get(reverse("actions:coc_detail", args=[world["concern"].pk]))


def test_home_panels_show_the_figures_in_a_constant_number_of_queries(client, world, django_assert_max_num_queries):
    world["quality"].is_manager = True
    world["quality"].save()
    client.force_login(world["manager"])
    body = client.get(reverse("home")).content.decode()
    assert "Your teams' overdue actions</a>: 2" in body
    assert "Children of Concern awaiting your response</a>: 1" in body
    client.force_login(world["quality"])
    # Counted on views that find nothing kept (the first, and the first after a write): the figures afresh.
    with django_assert_max_num_queries(20) as small:
        client.get(reverse("home"))
    ActionFactory.create_batch(10, due_on=D(2026, 1, 1))
    with django_assert_max_num_queries(len(small.captured_queries)):
        body = client.get(reverse("home")).content.decode()
    assert "Overdue actions</a>: 13" in body


def test_home_panel_figures_are_kept_until_the_data_changes(client, world, django_assert_max_num_queries):
    client.force_login(world["manager"])
    with django_assert_max_num_queries(30) as first:
        assert "Your teams' overdue actions</a>: 2" in client.get(reverse("home")).content.decode()
    with django_assert_max_num_queries(30) as second:
        assert "Your teams' overdue actions</a>: 2" in client.get(reverse("home")).content.decode()
    assert len(second.captured_queries) < len(first.captured_queries)
    # Completing one is a write: the next view counts afresh, never the kept figure.
    teams = teams_managed_by(world["manager"])
    overdue = Action.objects.filter(audit__team__in=teams, completed_on__isnull=True, due_on__lt=timezone.localdate())
    overdue = overdue.first()
    overdue.completed_on = timezone.localdate()
    overdue.save()
    assert "Your teams' overdue actions</a>: 1" in client.get(reverse("home")).content.decode()


# --- From a report figure to the list behind it -------------------------------------------------------------------


def test_each_action_figure_links_to_a_tracker_listing_exactly_those_actions(client, today):
    from actions.links import ACTION_FIGURE_KEYS, action_figure_url
    from actions.selectors import action_figures

    nov, as_of = D(2026, 11, 1), D(2026, 11, 30)
    for audit_month, due_on, completed_on in [
        (D(2026, 9, 1), D(2026, 10, 15), None),
        (D(2026, 10, 1), D(2026, 10, 31), D(2026, 11, 2)),
        (D(2026, 10, 1), D(2026, 11, 30), D(2026, 11, 30)),
        (D(2026, 11, 1), D(2026, 12, 20), D(2026, 12, 5)),
        (D(2026, 11, 1), D(2026, 12, 2), None),
        (D(2026, 4, 1), D(2026, 5, 1), None),
        (D(2026, 8, 1), D(2026, 9, 1), D(2026, 12, 1)),
        (D(2026, 12, 1), D(2026, 12, 31), None),
    ]:
        ActionFactory(audit__month=audit_month, due_on=due_on, completed_on=completed_on)
    figures = action_figures(nov, as_of)
    client.force_login(QualityFactory())
    for key in ACTION_FIGURE_KEYS:
        response = client.get(action_figure_url(nov, as_of, key))
        assert response.context["summary"]["total"] == figures[key], key
    assert figures["older_open"] == 2 and figures["total"] == 5


def test_each_concern_figure_links_to_a_list_of_exactly_those_concerns(client, today):
    from actions.links import CONCERN_FIGURE_KEYS, concern_figure_url
    from actions.selectors import children_of_concern_figures

    oct_, as_of = D(2026, 10, 1), D(2026, 10, 31)
    ChildOfConcernFactory(audit__month=oct_, status="resolved", resolved_on=D(2026, 10, 20))
    ChildOfConcernFactory(audit__month=oct_, status="resolved", resolved_on=D(2026, 11, 3))
    ChildOfConcernFactory(audit__month=oct_)
    ChildOfConcernFactory(audit__month=D(2026, 9, 1))
    figures = children_of_concern_figures(oct_, as_of)
    assert figures == {"raised": 3, "resolved": 1, "open": 2}
    client.force_login(QualityFactory())
    for key in CONCERN_FIGURE_KEYS:
        response = client.get(concern_figure_url(oct_, as_of, key))
        assert len(response.context["concerns"]) == figures[key], key
    by_month = client.get(reverse("actions:coc_list")).context["by_month"]
    october = next(row for row in by_month if row["month"] == oct_)
    assert [count for count, _ in october["cells"]] == [3, 2, 1]  # resolved as of today, 21 Nov


def test_the_by_month_figures_count_only_the_managers_teams(client, world):
    client.force_login(world["manager"])
    by_month = client.get(reverse("actions:coc_list")).context["by_month"]
    october = next(row for row in by_month if row["month"] == D(2026, 10, 1))
    assert [count for count, _ in october["cells"]] == [1, 0, 1]  # not Riverside's concern
    client.force_login(world["quality"])
    by_month = client.get(reverse("actions:coc_list")).context["by_month"]
    october = next(row for row in by_month if row["month"] == D(2026, 10, 1))
    assert [count for count, _ in october["cells"]] == [2, 0, 2]


TOO_LONG = "x" * 12_345
TOO_LONG_MESSAGE = "Keep this to 10,000 characters or fewer: it has 12,345."


@pytest.mark.parametrize(
    ("page", "who", "target", "data", "field"),
    [
        ("actions:complete", "owner", "overdue", {"complete-on": "2026-11-21"}, "complete-note"),
        ("actions:move_due", "owner", "overdue", {"move-new_due_on": "2026-12-10"}, "move-reason"),
        ("actions:reopen", "quality", "completed", {}, "reopen-reason"),
        (
            "actions:coc_respond",
            "manager",
            "concern",
            {"respond-service_offer": "a", "respond-next_steps": "b"},
            "respond-safety",
        ),
        (
            "actions:coc_respond",
            "manager",
            "concern",
            {"respond-safety": "a", "respond-next_steps": "b"},
            "respond-service_offer",
        ),
        (
            "actions:coc_respond",
            "manager",
            "concern",
            {"respond-safety": "a", "respond-service_offer": "b"},
            "respond-next_steps",
        ),
        ("actions:coc_review", "quality", "responded", {"review-decision": "returned"}, "review-note"),
    ],
)
def test_free_text_over_the_limit_is_refused_at_the_field_and_nothing_is_saved(
    client, world, page, who, target, data, field
):
    action, concern = world["overdue"], world["concern"]
    if target == "completed":
        action.completed_on = D(2026, 11, 20)
        action.save()
    if target == "responded":
        concern.status = ChildOfConcern.Status.RESPONDED
        concern.save()
    before = [*ActionChange.objects.values_list("pk", flat=True)], ChildOfConcern.objects.get(pk=concern.pk).status
    client.force_login(world[who])
    pk = concern.pk if page.startswith("actions:coc_") else action.pk
    response = client.post(reverse(page, args=[pk]), {**data, field: TOO_LONG})
    body = response.content.decode()
    assert f'href="#id_{field}"' in body
    assert body.count(TOO_LONG_MESSAGE) == 2  # in the summary and at the field
    assert not re.search(r"<textarea[^>]*maxlength", body)  # a browser would cut a paste short without saying so
    assert before == (
        [*ActionChange.objects.values_list("pk", flat=True)],
        ChildOfConcern.objects.get(pk=concern.pk).status,
    )
    action.refresh_from_db()
    assert action.completion_note == "" and action.due_on == D(2026, 11, 2)


def test_the_tracker_owner_filter_is_surname_first_and_marked_for_the_type_ahead(client, world):
    world["owner"].first_name, world["owner"].last_name, world["owner"].job_title = "Omar", "Siddiqui", "TM"
    world["owner"].save()
    world["owner"].teams.add(world["team"])
    client.force_login(world["quality"])
    html = client.get(TRACKER).content.decode()
    select = html[html.index('<select name="owner"') : html.index("</select>", html.index('<select name="owner"'))]
    assert 'data-autocomplete="staff"' in select
    assert f'<option value="{world["owner"].pk}">Siddiqui, Omar — TM (Hillside)</option>' in select
    assert "js/staff-autocomplete.js" in html
