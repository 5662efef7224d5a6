"""Moderation pages through the test client, signed in as each role."""

import datetime
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from actions.tests.factories import ActionFactory
from audits.models import Audit, Theme
from audits.tests.factories import AreaGradeFactory, AuditFactory, PracticeAreaFactory, TemplateVersionFactory
from audits.theme_services import theme_set_active
from moderation import forms as moderation_forms
from moderation.models import ModeratedAreaGrade, Moderation
from moderation.services import moderation_record
from moderation.tests.factories import ModerationFactory
from people.tests.factories import AuditorFactory, ManagerFactory, ModeratorFactory, QualityFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    return {
        "quality": QualityFactory(username="q"),
        "auditor": AuditorFactory(username="a"),
        "moderator": ModeratorFactory(username="m"),
        "manager": ManagerFactory(username="mgr"),
        "none": UserFactory(username="nobody"),
    }


@pytest.fixture
def world(people):
    """One assigned and one completed moderation, both of the auditor's audits, moderated by `moderator`."""
    team = people["manager"].managed_teams.create(name="Team North", service_area=_service_area())
    assigned = ModerationFactory(
        moderator=people["moderator"], audit__auditor=people["auditor"], audit__child__team=team
    )
    completed = ModerationFactory(
        moderator=people["moderator"], audit__auditor=people["auditor"], audit__child__team=team
    )
    moderation_record(
        moderation=completed,
        moderator=people["moderator"],
        grade="requires_improvement",
        rationale="Plans drift.",
        feedback="Tighten the plan.",
        expected_version=0,
    )
    return {"assigned": assigned, "completed": Moderation.objects.get(pk=completed.pk)}


def _service_area():
    from people.tests.factories import ServiceAreaFactory

    return ServiceAreaFactory()


def _as(client, user):
    client.force_login(user)
    return client


ROLES = ["quality", "auditor", "moderator", "manager", "none"]


@pytest.mark.parametrize(
    ("name", "args", "allowed"),
    [
        ("moderation:queue", None, {"moderator"}),
        ("moderation:moderate", "assigned", {"moderator"}),
        ("moderation:moderate", "completed", {"moderator"}),
        ("moderation:feedback", None, {"auditor"}),
        ("moderation:finalise", "completed", {"auditor"}),
        ("moderation:review", "completed", {"quality"}),
        ("moderation:review_list", None, {"quality"}),
        ("moderation:sample", None, {"quality"}),
        ("moderation:panel", None, {"quality"}),
        ("moderation:effect", None, {"quality"}),
    ],
)
def test_each_page_answers_each_role(client, people, world, name, args, allowed):
    url = reverse(name, args=[world[args].pk] if args else None)
    for role in ROLES:
        response = _as(client, people[role]).get(url)
        expected = 200 if role in allowed else 403
        assert response.status_code == expected, (role, response.status_code)


def test_signed_out_visitors_are_sent_to_sign_in(client, world):
    response = client.get(reverse("moderation:moderate", args=[world["assigned"].pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_moderator_cannot_open_an_audit_assigned_to_someone_else(client, world):
    other = ModeratorFactory()
    response = _as(client, other).get(reverse("moderation:moderate", args=[world["assigned"].pk]))
    assert response.status_code == 404


def test_an_auditor_cannot_open_feedback_on_someone_elses_audit_or_before_moderation(client, people, world):
    response = _as(client, AuditorFactory()).get(reverse("moderation:finalise", args=[world["completed"].pk]))
    assert response.status_code == 404
    response = _as(client, people["auditor"]).get(reverse("moderation:finalise", args=[world["assigned"].pk]))
    assert response.status_code == 404


def test_queue_lists_only_my_open_audits_oldest_first_with_due_dates(client, people, world):
    older = ModerationFactory(
        moderator=people["moderator"], assigned_at=world["assigned"].assigned_at.replace(year=2025)
    )
    ModerationFactory()  # someone else's

    response = _as(client, people["moderator"]).get(reverse("moderation:queue"))

    assert [m.pk for m in response.context["queue"]] == [older.pk, world["assigned"].pk]
    assert world["assigned"].due_on.strftime("%-d %b %Y").encode() in response.content


def test_moderation_page_shows_the_audit_beside_the_form(client, people):
    template = TemplateVersionFactory(number=70, is_current=False)
    area = PracticeAreaFactory(template=template, name="Voice of the child")
    moderation = ModerationFactory(moderator=people["moderator"], audit__template=template)
    AreaGradeFactory(audit=moderation.audit, area=area, grade="good", evidence="Wishes recorded", impact="Heard")

    response = _as(client, people["moderator"]).get(reverse("moderation:moderate", args=[moderation.pk]))

    html = response.content.decode()
    assert "Wishes recorded" in html
    assert 'name="grade"' in html
    assert f'name="area_{area.pk}"' in html


def test_moderator_records_a_downgrade_with_area_grades(client, people, mailoutbox, django_capture_on_commit_callbacks):
    template = TemplateVersionFactory(number=71, is_current=False)
    area = PracticeAreaFactory(template=template)
    moderation = ModerationFactory(
        moderator=people["moderator"], audit__template=template, audit__auditor=people["auditor"]
    )
    url = reverse("moderation:moderate", args=[moderation.pk])

    with django_capture_on_commit_callbacks(execute=True):
        response = _as(client, people["moderator"]).post(
            url,
            {
                "grade": "requires_improvement",
                "rationale": "Plans lack timescales.",
                "feedback": "Add timescales.",
                "version": "0",
                f"area_{area.pk}": "inadequate",
            },
        )

    assert response.status_code == 302
    moderation.refresh_from_db()
    assert (moderation.status, moderation.outcome) == ("completed", "downgraded")
    assert ModeratedAreaGrade.objects.get(moderation=moderation).grade == "inadequate"
    assert Audit.objects.get(pk=moderation.audit_id).final_grade == "requires_improvement"
    assert len(mailoutbox) == 1


def test_missing_rationale_is_shown_at_the_field_and_in_the_summary(client, people, world):
    response = _as(client, people["moderator"]).post(
        reverse("moderation:moderate", args=[world["assigned"].pk]),
        {"grade": "outstanding", "rationale": "", "feedback": "Great work", "version": "0"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'href="#id_rationale"' in html
    assert "Give a rationale" in html
    assert "Great work" in html
    assert Moderation.objects.get(pk=world["assigned"].pk).status == Moderation.Status.ASSIGNED


def test_missing_grade_links_to_the_first_radio(client, people, world):
    response = _as(client, people["moderator"]).post(
        reverse("moderation:moderate", args=[world["assigned"].pk]), {"feedback": "x", "version": "0"}
    )
    assert response.status_code == 400
    assert 'href="#id_grade_0"' in response.content.decode()


def test_second_moderator_is_told_and_their_text_is_shown_again(client, people, world):
    moderation = world["assigned"]
    other = ModeratorFactory()
    # The QA team gives the audit to `other`, who records it, while `moderator` still has the old form open.
    _as(client, people["quality"]).post(
        reverse("moderation:sample_reassign", args=[moderation.pk]),
        {"moderator": other.pk, "version": "0", "month": "2026-10"},
    )
    moderation_record(
        moderation=Moderation.objects.get(pk=moderation.pk),
        moderator=other,
        grade="good",
        rationale="",
        feedback="Fine.",
        expected_version=1,
    )
    # The old moderator can no longer open it (it is not theirs); the conflict shows on their stale form for
    # the case where the audit is still theirs but changed, e.g. reassigned away and back.
    back = ModerationFactory(moderator=people["moderator"])
    Moderation.objects.filter(pk=back.pk).update(version=5)

    response = _as(client, people["moderator"]).post(
        reverse("moderation:moderate", args=[back.pk]),
        {"grade": "inadequate", "rationale": "My long rationale", "feedback": "My feedback", "version": "0"},
    )

    assert response.status_code == 409
    html = response.content.decode()
    assert "My long rationale" in html and "My feedback" in html
    assert "was not saved" in html
    assert 'value="5"' in html  # the fresh version, so they can send it again
    assert Moderation.objects.get(pk=back.pk).status == Moderation.Status.ASSIGNED


def test_conflict_after_another_moderator_recorded_keeps_the_losers_text(client, people):
    moderation = ModerationFactory(moderator=people["moderator"], audit__auditor_grade="good")
    # Someone recorded it first (same person in another tab, or a race the database resolved).
    moderation_record(
        moderation=moderation,
        moderator=people["moderator"],
        grade="good",
        rationale="",
        feedback="First",
        expected_version=0,
    )
    response = _as(client, people["moderator"]).post(
        reverse("moderation:moderate", args=[moderation.pk]),
        {"grade": "inadequate", "rationale": "Second rationale", "feedback": "Second", "version": "0"},
    )
    assert response.status_code == 409
    assert "Second rationale" in response.content.decode()
    assert Moderation.objects.get(pk=moderation.pk).feedback == "First"


def test_auditor_finalises_from_the_feedback_page(client, people, world):
    completed = world["completed"]
    row = AreaGradeFactory(audit=completed.audit, grade="good", evidence="old")
    url = reverse("moderation:finalise", args=[completed.pk])

    page = _as(client, people["auditor"]).get(url)
    assert b"Tighten the plan." in page.content
    assert f'name="evidence_{row.pk}"'.encode() in page.content
    assert b'name="grade"' not in page.content

    response = client.post(
        url,
        {
            "acknowledge": "on",
            f"evidence_{row.pk}": "new",
            f"impact_{row.pk}": "i",
            "actions-TOTAL_FORMS": "2",
            "actions-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 302
    row.refresh_from_db()
    assert row.evidence == "new"
    assert Audit.objects.get(pk=completed.audit_id).finalised_on is not None


def test_finalising_without_acknowledging_is_refused(client, people, world):
    response = _as(client, people["auditor"]).post(reverse("moderation:finalise", args=[world["completed"].pk]), {})
    assert response.status_code == 400
    assert 'href="#id_acknowledge"' in response.content.decode()
    assert Audit.objects.get(pk=world["completed"].audit_id).finalised_on is None


def test_head_of_quality_records_a_third_check(client, people, world):
    url = reverse("moderation:review", args=[world["completed"].pk])
    response = _as(client, people["quality"]).post(url, {"agrees": "no", "note": ""})
    assert response.status_code == 400
    assert 'href="#id_note"' in response.content.decode()

    response = client.post(url, {"agrees": "no", "note": "Should be Inadequate."})
    assert response.status_code == 302
    moderation = Moderation.objects.get(pk=world["completed"].pk)
    assert (moderation.review_agrees, moderation.review_note) == (False, "Should be Inadequate.")


def test_qa_team_adds_removes_and_reassigns(client, people):
    month = datetime.date(2026, 10, 1)
    audit = AuditFactory(returned=True, month=month)
    qa = _as(client, people["quality"])

    response = qa.post(reverse("moderation:sample_add"), {"audit": audit.pk, "month": "2026-10"})
    assert response.status_code == 302
    assert "month=2026-10" in response["Location"]
    moderation = Moderation.objects.get(audit=audit)
    assert moderation.sample_reason == Moderation.SampleReason.MANUAL

    other = ModeratorFactory()
    qa.post(
        reverse("moderation:sample_reassign", args=[moderation.pk]),
        {"moderator": other.pk, "version": moderation.version, "month": "2026-10"},
    )
    moderation.refresh_from_db()
    assert moderation.moderator == other

    qa.post(
        reverse("moderation:sample_remove", args=[moderation.pk]), {"version": moderation.version, "month": "2026-10"}
    )
    assert Moderation.objects.get(pk=moderation.pk).status == Moderation.Status.REMOVED


def test_the_sample_writes_the_moderators_options_once_for_the_row_being_reassigned(client, people):
    """Each assigned row links to its reassignment; only that row then shows the select, without any script."""
    month = datetime.date(2026, 10, 1)
    rows = [ModerationFactory(moderator=people["moderator"], audit__month=month) for _ in range(3)]
    other = ModeratorFactory(first_name="Otto", last_name="Other")
    qa = _as(client, people["quality"])
    url = reverse("moderation:sample")

    page = qa.get(url, {"month": "2026-10", "sort": "child"}).content.decode()
    assert 'name="moderator"' not in page.split("<tbody>")[1]
    for row in rows:
        assert f'href="?month=2026-10&amp;sort=child&amp;reassign={row.pk}#reassign-{row.pk}"' in page

    chosen = rows[1]
    page = qa.get(url, {"month": "2026-10", "sort": "child", "reassign": chosen.pk}).content.decode()
    table = page.split("<tbody>")[1].split("</tbody>")[0]
    assert table.count('<select name="moderator"') == 1
    assert f'id="reassign-{chosen.pk}"' in table
    assert table.count(f'<option value="{other.pk}">') == 1
    assert f'action="{reverse("moderation:sample_reassign", args=[chosen.pk])}"' in table
    assert 'href="?month=2026-10&amp;sort=child"' in table  # Cancel: the same list, no row open
    for row in (rows[0], rows[2]):
        assert f"reassign={row.pk}#reassign-{row.pk}" in table

    # A hand-made or stale `reassign` opens no row.
    page = qa.get(url, {"month": "2026-10", "reassign": "x"}).content.decode()
    assert '<select name="moderator"' not in page.split("<tbody>")[1]


def test_the_sample_pickers_are_kept_until_the_data_changes(client, people):
    """The audits that may be added and the moderators to filter by: read once, then from the cache until a write."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from audits.models import Policy

    Policy.current()  # made on first use: a write, which would move the data version on during the first view
    month = datetime.date(2026, 10, 1)
    AuditFactory(returned=True, month=month, child__case_ref="ADD-1")
    qa = _as(client, people["quality"])
    url = reverse("moderation:sample")
    assert "ADD-1" in qa.get(url, {"month": "2026-10"}).content.decode()

    with CaptureQueriesContext(connection) as again:
        assert "ADD-1" in qa.get(url, {"month": "2026-10"}).content.decode()
    assert not any(query["sql"].startswith('SELECT "audits_audit"."id"') for query in again.captured_queries)
    assert not any('WHERE "people_user"."is_moderator"' in query["sql"] for query in again.captured_queries)

    assert not any("COUNT(" in query["sql"] for query in again.captured_queries)  # the moderators' load, kept

    AuditFactory(returned=True, month=month, child__case_ref="ADD-2")
    assert "ADD-2" in qa.get(url, {"month": "2026-10"}).content.decode()
    # A moderation given to the moderator shows in their load on the next view.
    ModerationFactory(moderator=people["moderator"], audit__month=month)
    load = {m.pk: m.month_audits for m in qa.get(url, {"month": "2026-10"}).context["moderators"]}
    assert load[people["moderator"].pk] == 1


def test_adding_an_audit_already_in_the_sample_shows_a_message(client, people, world):
    response = _as(client, people["quality"]).post(
        reverse("moderation:sample_add"), {"audit": world["assigned"].audit_id, "month": "2026-10"}, follow=True
    )
    assert response.status_code == 200
    assert "cannot be added" in response.content.decode()


def test_reassigning_to_a_conflicted_moderator_names_the_audit(client, people, world):
    response = _as(client, people["quality"]).post(
        reverse("moderation:sample_reassign", args=[world["assigned"].pk]),
        {"moderator": people["manager"].pk, "version": "0", "month": "2026-10"},
        follow=True,
    )
    assert world["assigned"].audit.child.case_ref in response.content.decode()
    assert Moderation.objects.get(pk=world["assigned"].pk).moderator == people["moderator"]


def test_managers_and_moderators_cannot_change_the_sample(client, people, world):
    for role in ("manager", "moderator", "auditor"):
        response = _as(client, people[role]).post(
            reverse("moderation:sample_remove", args=[world["assigned"].pk]), {"version": "0"}
        )
        assert response.status_code == 403
    assert Moderation.objects.get(pk=world["assigned"].pk).status == Moderation.Status.ASSIGNED


def test_bad_month_is_reported_not_a_500(client, people):
    response = _as(client, people["quality"]).get(reverse("moderation:effect"), {"month": "October"})
    assert response.status_code == 200
    assert "Enter a month from January 2000 to December 2099, for example 2026-12." in response.content.decode()


def test_panel_filters_disagreements_by_auditor(client, people, world):
    month = world["completed"].audit.month
    other = ModerationFactory(audit__month=month, audit__auditor_grade="good")
    moderation_record(
        moderation=other,
        moderator=other.moderator,
        grade="outstanding",
        rationale="Exceptional.",
        feedback="Well done",
        expected_version=0,
    )
    qa = _as(client, people["quality"])

    everything = qa.get(reverse("moderation:panel"), {"month": month.strftime("%Y-%m")})
    filtered = qa.get(reverse("moderation:panel"), {"month": month.strftime("%Y-%m"), "auditor": people["auditor"].pk})

    assert {m.pk for m in everything.context["disagreements"]} == {world["completed"].pk, other.pk}
    assert [m.pk for m in filtered.context["disagreements"]] == [world["completed"].pk]
    assert "Plans drift." in filtered.content.decode()


def test_home_panels_show_moderation_counts(client, people, world):
    moderator_home = _as(client, people["moderator"]).get(reverse("home")).content.decode()
    assert "Audits to moderate</a>: 1" in moderator_home
    auditor_home = _as(client, people["auditor"]).get(reverse("home")).content.decode()
    assert "Moderation feedback to finalise</a>: 1" in auditor_home
    quality_home = _as(client, people["quality"]).get(reverse("home")).content.decode()
    assert "third checks to do</a>: 1" in quality_home


# Query budgets: each page's count does not grow with the data.


def _grow(people, n):
    month = datetime.date(2026, 10, 1)
    for _ in range(n):
        moderation = ModerationFactory(
            moderator=people["moderator"],
            audit__month=month,
            audit__auditor=people["auditor"],
            audit__auditor_grade="good",
        )
        done = ModerationFactory(moderator=people["moderator"], audit__month=month, audit__auditor=people["auditor"])
        moderation_record(
            moderation=done,
            moderator=people["moderator"],
            grade="inadequate",
            rationale="r",
            feedback="f",
            expected_version=0,
        )
        AuditFactory(returned=True, month=month)
    return moderation


PAGES = [
    ("moderator", "moderation:queue", {}),
    ("auditor", "moderation:feedback", {}),
    ("quality", "moderation:sample", {"month": "2026-10"}),
    ("quality", "moderation:panel", {"month": "2026-10"}),
    ("quality", "moderation:effect", {"month": "2026-10"}),
    ("quality", "moderation:review_list", {}),
    ("moderator", "home", {}),
    ("quality", "home", {}),
    ("auditor", "home", {}),
]


@pytest.mark.parametrize(("role", "name", "params"), PAGES)
def test_query_count_does_not_grow_with_the_data(client, people, role, name, params, django_assert_max_num_queries):
    _as(client, people[role])
    _grow(people, 1)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        assert client.get(reverse(name), params).status_code == 200
    _grow(people, 12)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(reverse(name), params).status_code == 200


def test_moderation_page_query_budget(client, people, django_assert_max_num_queries):
    moderation = _grow(people, 1)
    for _ in range(8):
        AreaGradeFactory(audit=moderation.audit, area=PracticeAreaFactory())
    _as(client, people["moderator"])
    with django_assert_max_num_queries(16):
        assert client.get(reverse("moderation:moderate", args=[moderation.pk])).status_code == 200


def test_the_admin_shows_moderations_to_the_qa_team_but_never_changes_them(client, people, world):
    qa = _as(client, people["quality"])
    assert qa.get(reverse("admin:moderation_moderation_changelist")).status_code == 200
    url = reverse("admin:moderation_moderation_change", args=[world["completed"].pk])
    assert qa.get(url).status_code == 200
    qa.post(url, {"grade": "outstanding"})
    assert Moderation.objects.get(pk=world["completed"].pk).grade == "requires_improvement"
    assert _as(client, people["moderator"]).get(reverse("admin:moderation_moderation_changelist")).status_code == 302


def test_auditor_adds_an_action_when_finalising(client, people, world, time_machine):
    time_machine.move_to(datetime.datetime(2026, 11, 21, 12, 0, tzinfo=datetime.UTC), tick=False)
    url = reverse("moderation:finalise", args=[world["completed"].pk])
    management = {"actions-TOTAL_FORMS": "2", "actions-INITIAL_FORMS": "0"}
    qa = _as(client, people["auditor"])

    half_done = qa.post(url, {**management, "acknowledge": "on", "actions-0-description": "Add timescales"})
    assert half_done.status_code == 400
    html = half_done.content.decode()
    assert 'href="#id_actions-0-owner"' in html and 'href="#id_actions-0-due_on"' in html
    assert "Add timescales" in html

    done = qa.post(
        url,
        {
            **management,
            "acknowledge": "on",
            "actions-0-description": "Add timescales",
            "actions-0-owner": people["manager"].pk,
            "actions-0-due_on": "2026-12-18",
        },
    )
    assert done.status_code == 302
    assert world["completed"].audit.actions.get().owner == people["manager"]


def _theme(name: str):

    return Theme.objects.get(name=name)


def _new_action_row(owner, **extra) -> dict:
    return {
        **FINALISE,
        "actions-0-description": "Bring the chronology up to date",
        "actions-0-owner": owner.pk,
        "actions-0-due_on": "2030-01-31",
        **extra,
    }


def test_auditor_gives_a_new_action_a_learning_theme_when_finalising(client, people, world):

    chron, life_story = _theme("Chronologies"), _theme("Life story work")
    theme_set_active(theme=life_story, active=False, by=None)
    url = reverse("moderation:finalise", args=[world["completed"].pk])
    auditor = _as(client, people["auditor"])
    page = auditor.get(url).content.decode()
    select = page[page.index('<select name="actions-0-theme"') : page.index("</select>", page.index("actions-0-theme"))]
    assert "Learning theme (optional)" in page
    assert f'<option value="{chron.pk}">Chronologies</option>' in select
    assert f'value="{life_story.pk}"' not in select  # retired: not offered for a new action

    response = auditor.post(url, _new_action_row(people["manager"], **{"actions-0-theme": chron.pk}))

    assert response.status_code == 302
    action = world["completed"].audit.actions.get()
    assert (action.theme, action.owner) == (chron, people["manager"])
    detail = auditor.get(reverse("actions:detail", args=[action.pk])).content.decode()
    assert ">Chronologies</dd>" in detail
    finalised = auditor.get(url).content.decode()  # the read-only audit's actions table
    assert "<td>Chronologies</td>" in finalised


def test_a_new_action_without_a_theme_has_none(client, people, world):
    url = reverse("moderation:finalise", args=[world["completed"].pk])
    response = _as(client, people["auditor"]).post(url, _new_action_row(people["manager"], **{"actions-0-theme": ""}))
    assert response.status_code == 302
    assert world["completed"].audit.actions.get().theme is None


@pytest.mark.parametrize("which", ["retired", "unknown"])
def test_a_forged_theme_on_a_new_action_is_refused_at_the_field_and_nothing_is_saved(client, people, world, which):

    if which == "retired":
        forged = _theme("Life story work")
        theme_set_active(theme=forged, active=False, by=None)
        forged_id = forged.pk
    else:
        forged_id = 987_654
    moderation = world["completed"]
    url = reverse("moderation:finalise", args=[moderation.pk])

    response = _as(client, people["auditor"]).post(
        url, _new_action_row(people["manager"], **{"actions-0-theme": forged_id})
    )

    assert response.status_code == 400
    body = response.content.decode()
    assert 'href="#id_actions-0-theme"' in body  # the summary links to the field
    assert body.count("Select a valid choice.") == 2  # in the summary and at the field
    assert 'aria-describedby="id_actions-0-theme_error"' in body and 'id="id_actions-0-theme_error"' in body
    assert "Bring the chronology up to date" in body  # the row is kept to correct
    after = Moderation.objects.select_related("audit").get(pk=moderation.pk)
    assert (after.acknowledged_at, after.audit.finalised_on) == (None, None)
    assert not after.audit.actions.exists()


def test_a_theme_retired_while_the_page_was_open_is_refused_by_the_service_at_the_field(
    client, people, world, monkeypatch
):
    """The form offered the theme, but it was retired before the finalisation reached the service."""

    stale = _theme("Life story work")
    Theme.objects.filter(pk=stale.pk).update(is_active=False)
    monkeypatch.setattr(moderation_forms, "themes_offered", lambda: [stale])  # the page as it was when opened
    moderation = world["completed"]
    url = reverse("moderation:finalise", args=[moderation.pk])
    blank_first = {
        **FINALISE,
        "actions-1-description": "Bring the chronology up to date",
        "actions-1-owner": people["manager"].pk,
        "actions-1-due_on": "2030-01-31",
        "actions-1-theme": stale.pk,
    }

    response = _as(client, people["auditor"]).post(url, blank_first)

    assert response.status_code == 400
    body = response.content.decode()
    message = "That learning theme has been retired or removed. Choose another, or no theme."
    assert 'href="#id_actions-1-theme"' in body and body.count(message) == 2
    after = Moderation.objects.select_related("audit").get(pk=moderation.pk)
    assert (after.acknowledged_at, after.audit.finalised_on) == (None, None)
    assert not after.audit.actions.exists()


def test_the_finalise_page_query_count_does_not_grow_with_themes_or_actions(
    client, people, world, django_assert_max_num_queries
):

    moderation = world["completed"]
    url = reverse("moderation:finalise", args=[moderation.pk])
    _as(client, people["auditor"])
    ActionFactory(audit=moderation.audit, theme=_theme("Chronologies"))
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    for number in range(15):
        theme = Theme.objects.create(name=f"Theme {number}")
        ActionFactory(audit=moderation.audit, theme=theme)
        AreaGradeFactory(audit=moderation.audit, grade="good")
    with django_assert_max_num_queries(len(small.captured_queries)):
        page = client.get(url)
    assert page.status_code == 200
    assert "learning theme: Theme 14" in page.content.decode()


def test_moderator_whose_audit_was_reassigned_meanwhile_is_told_and_keeps_their_text(client, people, world):
    moderation = world["assigned"]
    url = reverse("moderation:moderate", args=[moderation.pk])
    _as(Client(), people["quality"]).post(
        reverse("moderation:sample_reassign", args=[moderation.pk]),
        {"moderator": ModeratorFactory().pk, "version": "0", "month": "2026-10"},
    )

    response = _as(client, people["moderator"]).post(
        url, {"grade": "inadequate", "rationale": "My careful rationale", "feedback": "My feedback", "version": "0"}
    )

    assert response.status_code == 409
    html = response.content.decode()
    assert "My careful rationale" in html and "My feedback" in html and "Inadequate" in html
    assert moderation.audit.child.case_ref not in html  # no longer theirs to read
    assert Moderation.objects.get(pk=moderation.pk).status == Moderation.Status.ASSIGNED


def test_a_moderation_reassigned_while_being_recorded_shows_only_the_moderators_text(
    client, people, world, monkeypatch
):
    """The race the first scope check cannot see: reassigned between opening the row and recording it."""
    from moderation import views
    from moderation.services import ModerationConflict, moderation_reassign

    moderation = world["assigned"]

    def reassigned_meanwhile(**kwargs):
        moderation_reassign(moderation=kwargs["moderation"], moderator=ModeratorFactory(), by=people["quality"])
        raise ModerationConflict("Someone else changed this moderation first.")

    monkeypatch.setattr(views, "moderation_record", reassigned_meanwhile)
    response = _as(client, people["moderator"]).post(
        reverse("moderation:moderate", args=[moderation.pk]),
        {"grade": "inadequate", "rationale": "My careful rationale", "feedback": "My feedback", "version": "0"},
    )

    assert response.status_code == 409
    html = response.content.decode()
    assert "My careful rationale" in html
    assert moderation.audit.child.case_ref not in html


def test_a_moderator_who_never_had_the_audit_gets_404_on_post(client, people, world):
    response = _as(client, ModeratorFactory()).post(
        reverse("moderation:moderate", args=[world["assigned"].pk]), {"grade": "good", "feedback": "x", "version": "0"}
    )
    assert response.status_code == 404


def test_a_notification_that_cannot_be_queued_does_not_turn_the_recorded_moderation_into_an_error(
    client, people, world, django_capture_on_commit_callbacks, monkeypatch
):
    from moderation import tasks

    def broker_down(*args, **kwargs):
        raise OSError("broker unreachable")

    monkeypatch.setattr(tasks.notify_auditor_of_moderation, "delay", broker_down)
    url = reverse("moderation:moderate", args=[world["assigned"].pk])

    with django_capture_on_commit_callbacks(execute=True):
        response = _as(client, people["moderator"]).post(
            url, {"grade": "good", "rationale": "", "feedback": "Clear plan.", "version": "0"}
        )

    assert response.status_code == 302
    assert Moderation.objects.get(pk=world["assigned"].pk).status == Moderation.Status.COMPLETED


TOO_LONG = "x" * 12_345
TOO_LONG_MESSAGE = "Keep this to 10,000 characters or fewer: it has 12,345."
FINALISE = {"acknowledge": "on", "actions-TOTAL_FORMS": "2", "actions-INITIAL_FORMS": "0"}


@pytest.mark.parametrize(
    ("page", "who", "which", "data", "field"),
    [
        (
            "moderation:moderate",
            "moderator",
            "assigned",
            {"grade": "good", "feedback": "Fine", "version": "0"},
            "rationale",
        ),
        (
            "moderation:moderate",
            "moderator",
            "assigned",
            {"grade": "good", "rationale": "Why", "version": "0"},
            "feedback",
        ),
        ("moderation:finalise", "auditor", "completed", FINALISE, "strengths"),
        ("moderation:finalise", "auditor", "completed", FINALISE, "improvements"),
        ("moderation:finalise", "auditor", "completed", FINALISE, "evidence_{row}"),
        ("moderation:finalise", "auditor", "completed", FINALISE, "impact_{row}"),
        ("moderation:review", "quality", "completed", {"agrees": "no"}, "note"),
    ],
)
def test_free_text_over_the_limit_is_refused_at_the_field_and_nothing_is_saved(
    client, people, world, page, who, which, data, field
):
    moderation = world[which]
    row = AreaGradeFactory(audit=moderation.audit, grade="good", evidence="old")
    field = field.format(row=row.pk)
    response = _as(client, people[who]).post(reverse(page, args=[moderation.pk]), {**data, field: TOO_LONG})
    assert response.status_code == 400
    body = response.content.decode()
    assert f'href="#id_{field}"' in body
    assert body.count(TOO_LONG_MESSAGE) == 2  # in the summary and at the field
    assert not re.search(r"<textarea[^>]*maxlength", body)  # a browser would cut a paste short without saying so
    after = Moderation.objects.select_related("audit").get(pk=moderation.pk)
    assert (after.version, after.review_note, after.audit.finalised_on) == (moderation.version, "", None)


def test_a_new_action_over_the_limit_is_refused_when_finalising(client, people, world):
    data = {**FINALISE, "actions-0-description": "x" * 2_001, "actions-0-owner": people["manager"].pk}
    url = reverse("moderation:finalise", args=[world["completed"].pk])
    response = _as(client, people["auditor"]).post(url, {**data, "actions-0-due_on": "2030-01-01"})
    assert response.status_code == 400
    assert "Keep this to 2,000 characters or fewer: it has 2,001." in response.content.decode()
    assert not world["completed"].audit.actions.exists()


def test_the_new_action_owner_list_is_surname_first_and_marked_for_the_type_ahead(client, people, world):
    people["manager"].first_name, people["manager"].last_name, people["manager"].job_title = "Daniel", "Price", "TM"
    people["manager"].save()
    page = _as(client, people["auditor"]).get(reverse("moderation:finalise", args=[world["completed"].pk]))
    html = page.content.decode()
    select = html[
        html.index('<select name="actions-0-owner"') : html.index("</select>", html.index('"actions-0-owner"'))
    ]
    assert 'data-autocomplete="staff"' in select
    assert f'<option value="{people["manager"].pk}">Price, Daniel — TM</option>' in select
    assert "js/staff-autocomplete.js" in html


@pytest.mark.parametrize("allows", [True, False])
def test_not_graded_is_the_moderators_to_give_only_where_the_programme_allows_it(client, people, allows):
    """A minimum-standards audit may be "not graded" by its auditor; its moderator may judge the same. It counts
    as agreed (no rank moved), is the final grade, and raises no Child of Concern by itself."""
    from audits.tests.factories import ProgrammeFactory

    programme = ProgrammeFactory(name="Minimum standards", slug="minimum-standards", allows_not_graded=allows)
    template = TemplateVersionFactory(programme=programme, number=1, is_current=True)
    moderation = ModerationFactory(
        moderator=people["moderator"], audit__template=template, audit__auditor=people["auditor"]
    )
    url = reverse("moderation:moderate", args=[moderation.pk])
    moderator = _as(client, people["moderator"])
    page = moderator.get(url).content.decode()
    assert ('value="not_graded"' in page) is allows

    response = moderator.post(
        url, {"grade": "not_graded", "rationale": "Not enough on file.", "feedback": "Record more.", "version": "0"}
    )
    moderation.refresh_from_db()
    audit = Audit.objects.get(pk=moderation.audit_id)
    if not allows:
        assert response.status_code == 400 and moderation.status == Moderation.Status.ASSIGNED
        return
    assert response.status_code == 302
    assert (moderation.status, moderation.grade, moderation.outcome) == ("completed", "not_graded", "agreed")
    assert moderation.get_grade_display() == "Not graded"  # a choice of the field, so every page names it
    moderation.full_clean()
    assert audit.final_grade == "not_graded"
    from actions.models import ChildOfConcern

    assert not ChildOfConcern.objects.filter(audit=audit).exists()
    result = moderator.get(reverse("moderation:moderate", args=[moderation.pk]), follow=True).content.decode()
    assert "not_graded<" not in result
