"""The moderation lists sort by their column headers; the panel and effect pages open on a month with moderations."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from moderation.models import Moderation
from moderation.tests.factories import ModerationFactory
from people.tests.factories import AuditorFactory, ModeratorFactory, QualityFactory, TeamFactory
from qa_portal.tests.sorting import assert_each_column_sorts, query_counts_by_sort

pytestmark = pytest.mark.django_db

D = datetime.date
UTC = datetime.UTC


@pytest.fixture
def frozen(time_machine):
    time_machine.move_to(datetime.datetime(2026, 11, 21, 10, 0, tzinfo=UTC), tick=False)
    return D(2026, 11, 21)


def _moderation(moderator, ref, team, month, auditor, assigned_day, due, **extra):
    return ModerationFactory(
        moderator=moderator,
        audit__child__case_ref=ref,
        audit__child__team=team,
        audit__month=month,
        audit__auditor=auditor,
        assigned_at=datetime.datetime.combine(assigned_day, datetime.time(9), tzinfo=UTC),
        due_on=due,
        **extra,
    )


@pytest.fixture
def queue(frozen):
    moderator = ModeratorFactory()
    alpha, beta = TeamFactory(name="Alpha"), TeamFactory(name="Beta")
    adams, baker = AuditorFactory(last_name="Adams"), AuditorFactory(last_name="Baker")
    _moderation(moderator, "R000300", alpha, D(2026, 9, 1), baker, D(2026, 10, 2), D(2026, 11, 1))  # 20 days
    _moderation(moderator, "R000100", beta, D(2026, 10, 1), adams, D(2026, 11, 2), D(2026, 11, 30))
    _moderation(moderator, "R000200", beta, D(2026, 8, 1), adams, D(2026, 10, 20), D(2026, 11, 16))  # 5 days
    return moderator


QUEUE_COLUMNS = {
    "child": lambda m: m.audit.child.case_ref,
    "team": lambda m: m.audit.team.name,
    "month": lambda m: m.audit.month,
    "auditor": lambda m: m.audit.auditor.last_name,
    "assigned": lambda m: m.assigned_at,
    "due": lambda m: m.due_on,
    "days_overdue": lambda m: m.days_overdue,
}


def test_every_queue_column_sorts_both_ways(client, queue):
    client.force_login(queue)
    assert_each_column_sorts(client, reverse("moderation:queue"), QUEUE_COLUMNS, lambda r: r.context["queue"])


def test_the_queue_shows_days_overdue_from_the_database(client, queue):
    client.force_login(queue)
    response = client.get(reverse("moderation:queue"), {"sort": "-days_overdue"})
    days = [(m.audit.child.case_ref, m.days_overdue and m.days_overdue.days) for m in response.context["queue"]]
    assert days == [("R000300", 20), ("R000200", 5), ("R000100", None)]


@pytest.fixture
def reviews(frozen):
    alpha, beta = TeamFactory(name="Alpha"), TeamFactory(name="Beta")
    moderators = ModeratorFactory(last_name="Adams"), ModeratorFactory(last_name="Baker")
    auditor = AuditorFactory()
    for ref, team, month, moderator, moderated_on in [
        ("R000300", alpha, D(2026, 9, 1), moderators[1], D(2026, 10, 5)),
        ("R000100", beta, D(2026, 10, 1), moderators[0], D(2026, 11, 3)),
        ("R000200", beta, D(2026, 8, 1), moderators[0], D(2026, 9, 12)),
    ]:
        _moderation(
            moderator, ref, team, month, auditor, D(2026, 9, 1), None, completed=True, moderated_on=moderated_on
        )
    return auditor


REVIEW_COLUMNS = {
    "child": lambda m: m.audit.child.case_ref,
    "month": lambda m: m.audit.month,
    "team": lambda m: m.audit.team.name,
    "moderator": lambda m: m.moderator.last_name,
    "moderated": lambda m: m.moderated_on,
}


def test_every_third_check_column_sorts_both_ways(client, reviews):
    client.force_login(QualityFactory())
    rows = lambda r: list(r.context["moderations"])  # noqa: E731
    assert_each_column_sorts(client, reverse("moderation:review_list"), REVIEW_COLUMNS, rows)


def test_the_third_checks_pager_keeps_the_sort(client, frozen):
    ModerationFactory.create_batch(51, completed=True)
    client.force_login(QualityFactory())
    body = client.get(reverse("moderation:review_list"), {"sort": "-month"}).content.decode()
    assert 'href="?sort=-month&amp;page=2"' in body


FEEDBACK_COLUMNS = {
    "child": lambda m: m.audit.child.case_ref,
    "month": lambda m: m.audit.month,
    "moderated": lambda m: m.moderated_on,
    "finalised": lambda m: m.audit.finalised_on,
}


def test_every_feedback_column_sorts_both_ways_and_to_finalise_comes_first_by_default(client, reviews):
    auditor = reviews
    for ref, day in [("R000100", D(2026, 11, 10)), ("R000200", D(2026, 10, 2))]:
        finalised = Moderation.objects.filter(audit__child__case_ref=ref).get()
        finalised.audit.finalised_on = day
        finalised.audit.save()
        finalised.acknowledged_at = timezone.now()
        finalised.save()
    client.force_login(auditor)
    url = reverse("moderation:feedback")
    assert_each_column_sorts(client, url, FEEDBACK_COLUMNS, lambda r: r.context["moderations"])
    default = client.get(url)
    assert [m.audit.child.case_ref for m in default.context["moderations"]][0] == "R000300"  # still to finalise
    assert "aria-sort" not in default.content.decode()  # no column claims an order it does not have


@pytest.mark.parametrize(
    ("name", "who", "columns"),
    [
        ("moderation:queue", "moderator", QUEUE_COLUMNS),
        ("moderation:review_list", "quality", REVIEW_COLUMNS),
        ("moderation:feedback", "auditor", FEEDBACK_COLUMNS),
    ],
)
def test_sorting_a_moderation_list_costs_no_extra_query_as_the_data_grows(client, frozen, name, who, columns):
    moderator, auditor = ModeratorFactory(), AuditorFactory()
    people = {"moderator": moderator, "auditor": auditor, "quality": QualityFactory()}

    def add(n):
        for _ in range(n):
            ModerationFactory(moderator=moderator, audit__auditor=auditor)
            ModerationFactory(moderator=moderator, audit__auditor=auditor, completed=True)

    add(1)
    client.force_login(people[who])
    client.get(reverse(name))
    sorts = [s for param in columns for s in (param, f"-{param}")]
    small = query_counts_by_sort(client, reverse(name), sorts)
    assert len(set(small.values())) == 1, small
    add(6)
    assert query_counts_by_sort(client, reverse(name), sorts) == small


# --- The month the panel and the effect pages open on ----------------------------------------------------------


@pytest.mark.parametrize("name", ["moderation:panel", "moderation:effect"])
def test_the_qa_pages_open_on_the_latest_month_with_moderations(client, frozen, name):
    ModerationFactory(completed=True, audit__month=D(2026, 8, 1))
    ModerationFactory(completed=True, audit__month=D(2026, 9, 1), audit__auditor_grade="inadequate", grade="good")
    ModerationFactory(audit__month=D(2026, 11, 1))  # assigned, not moderated yet: does not count
    client.force_login(QualityFactory())
    response = client.get(reverse(name))
    assert response.context["month"] == D(2026, 9, 1)
    assert "Showing September 2026, the latest month with moderated audits" in response.content.decode()
    assert response.context["summary"]["moderated"] == 1
    # A month asked for is shown as asked, even an empty one.
    asked = client.get(reverse(name), {"month": "2026-11"})
    assert asked.context["month"] == D(2026, 11, 1)
    assert "the latest month with moderated audits" not in asked.content.decode()


@pytest.mark.parametrize("name", ["moderation:panel", "moderation:effect"])
def test_with_nothing_moderated_the_qa_pages_open_on_this_month(client, frozen, name):
    client.force_login(QualityFactory())
    response = client.get(reverse(name))
    assert response.context["month"] == D(2026, 11, 1)
    assert "the latest month with moderated audits" not in response.content.decode()


# --- The QA team's sample page -------------------------------------------------------------------------------

GRADE_RANK_OF = {"outstanding": 4, "good": 3, "requires_improvement": 2, "inadequate": 1}

SAMPLE_COLUMNS = {
    "child": lambda m: m.audit.child.case_ref,
    "team": lambda m: m.audit.team.name,
    "auditor": lambda m: m.audit.auditor.last_name,
    "grade": lambda m: GRADE_RANK_OF[m.audit.auditor_grade],
    "reason": lambda m: m.sample_reason,
    "status": lambda m: m.status,
    "moderator": lambda m: m.moderator.last_name,
    "due": lambda m: m.due_on,
}


@pytest.fixture
def sample(frozen):
    month = D(2026, 10, 1)
    alpha, beta = TeamFactory(name="Alpha"), TeamFactory(name="Beta")
    adams, baker = AuditorFactory(last_name="Adams"), AuditorFactory(last_name="Baker")
    cole, dunn = ModeratorFactory(last_name="Cole"), ModeratorFactory(last_name="Dunn")
    rows = [
        ("R000300", alpha, baker, cole, "good", Moderation.SampleReason.RANDOM, D(2026, 11, 20)),
        ("R000100", beta, adams, dunn, "inadequate", Moderation.SampleReason.MANUAL, D(2026, 11, 30)),
        ("R000200", beta, adams, cole, "outstanding", Moderation.SampleReason.RANDOM, D(2026, 11, 10)),
    ]
    for ref, team, auditor, moderator, grade, reason, due in rows:
        _moderation(
            moderator, ref, team, month, auditor, D(2026, 11, 1), due, audit__auditor_grade=grade, sample_reason=reason
        )
    Moderation.objects.filter(audit__child__case_ref="R000100").update(status=Moderation.Status.COMPLETED)
    return month


def test_every_sample_column_sorts_both_ways_with_grades_worst_first(client, sample):
    client.force_login(QualityFactory())
    url = reverse("moderation:sample")
    assert_each_column_sorts(client, url, SAMPLE_COLUMNS, lambda r: r.context["moderations"], {"month": "2026-10"})
    by_grade = client.get(url, {"month": "2026-10", "sort": "grade"}).context["moderations"]
    assert [m.audit.auditor_grade for m in by_grade] == ["inadequate", "good", "outstanding"]
