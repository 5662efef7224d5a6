"""The audit form's pages through the test client: who may open what, the form's behaviour,
hostile input, conflicts between tabs, and query budgets."""

import datetime
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from actions.models import Action
from audits.completion import audit_areas_ensure, audit_submit
from audits.models import Audit, SendBack
from audits.tests.completion_helpers import audit_with_areas, complete_input, form_data
from audits.tests.factories import AuditFactory
from moderation.models import Moderation
from people.tests.factories import (
    AuditorFactory,
    ManagerFactory,
    ModeratorFactory,
    QualityFactory,
    UserFactory,
)

LONDON = ZoneInfo("Europe/London")


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(datetime.datetime(2026, 11, 21, 10, 0, tzinfo=LONDON), tick=False) as traveller:
        yield traveller


@pytest.fixture
def audit():
    return audit_with_areas(areas=3, month=datetime.date(2026, 11, 1), due_on=datetime.date(2026, 11, 25))


@pytest.fixture
def submitted(audit):
    audit_submit(audit=audit, by=audit.auditor, data=complete_input(audit), expected_version=0)
    audit.refresh_from_db()
    return audit


def url(name, audit):
    return reverse(f"audits:{name}", args=[audit.pk])


def login(client, user):
    client.force_login(user)
    return client


# --- Who may open what ----------------------------------------------------------------------


def people_around(audit):
    """Everyone who might try the audit's pages, keyed by how they relate to it."""
    manager = ManagerFactory()
    audit.team.manager = manager
    audit.team.save()
    assigned_moderator = ModeratorFactory()
    Moderation.objects.update_or_create(
        audit=audit, defaults={"sample_reason": "random", "moderator": assigned_moderator}
    )
    return {
        "auditor": audit.auditor,
        "quality": QualityFactory(),
        "team_manager": manager,
        "assigned_moderator": assigned_moderator,
        "other_auditor": AuditorFactory(),
        "other_manager": ManagerFactory(),
        "other_moderator": ModeratorFactory(),
        "no_role": UserFactory(),
    }


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("auditor", 200),
        ("quality", 404),
        ("team_manager", 404),
        ("assigned_moderator", 404),
        ("other_auditor", 404),
        ("other_manager", 404),
        ("other_moderator", 404),
        ("no_role", 404),
    ],
)
def test_only_the_allocated_auditor_opens_the_form(client, audit, who, status):
    user = people_around(audit)[who]
    assert login(client, user).get(url("audit_edit", audit)).status_code == status
    response = client.post(url("audit_submit", audit), form_data(audit))
    assert response.status_code == (404 if status == 404 else 302)
    audit.refresh_from_db()
    assert (audit.status == Audit.Status.SUBMITTED) is (who == "auditor")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("auditor", 200),
        ("quality", 200),
        ("team_manager", 200),
        ("assigned_moderator", 200),
        ("other_auditor", 404),
        ("other_manager", 404),
        ("other_moderator", 404),
        ("no_role", 404),
    ],
)
def test_the_audit_and_its_history_are_read_by_its_people_only(client, submitted, who, status):
    user = people_around(submitted)[who]
    login(client, user)
    assert client.get(url("audit_detail", submitted)).status_code == status
    assert client.get(url("audit_history", submitted)).status_code == status


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("quality", 200),
        ("auditor", 403),
        ("team_manager", 403),
        ("assigned_moderator", 403),
        ("no_role", 403),
    ],
)
def test_only_the_qa_team_sends_back(client, submitted, who, status):
    user = people_around(submitted)[who]
    login(client, user)
    assert client.get(url("audit_send_back", submitted)).status_code == status
    client.post(url("audit_send_back", submitted), {"reason": "Not good enough"})
    assert SendBack.objects.filter(audit=submitted).exists() is (who == "quality")


@pytest.mark.django_db
def test_autosave_of_someone_elses_audit_is_not_found(client, audit):
    login(client, AuditorFactory())
    assert client.post(url("audit_autosave", audit), form_data(audit)).status_code == 404


@pytest.mark.django_db
def test_signed_out_visitors_are_sent_to_sign_in(client, audit):
    for name in ("audit_edit", "audit_detail", "audit_history", "audit_send_back"):
        response = client.get(url(name, audit))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


@pytest.mark.django_db
def test_autosave_after_the_session_expired_says_so_and_saves_nothing(client, audit):
    response = client.post(url("audit_autosave", audit), form_data(audit, strengths="Typed while signed out"))
    assert response.status_code == 200
    assert "you have been signed out" in response.content.decode()
    audit.refresh_from_db()
    assert audit.strengths == ""


@pytest.mark.django_db
def test_an_unknown_audit_is_not_found(client, audit):
    login(client, QualityFactory())
    assert client.get(reverse("audits:audit_detail", args=[audit.pk + 1000])).status_code == 404


# --- The form -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_form_shows_the_audits_own_practice_areas_and_when_it_was_last_saved(client, audit):
    page = login(client, audit.auditor).get(url("audit_edit", audit)).content.decode()
    for area in audit.template.areas.all():
        assert f'name="area-{area.pk}-grade"' in page
        assert area.name in page
    assert "Not saved yet" in page
    assert 'hx-trigger="input changed delay:3s' in page
    assert 'role="status"' in page


@pytest.mark.django_db
def test_save_draft_keeps_what_was_typed_without_validation(client, audit):
    data = form_data(audit, auditor_grade="", strengths="First thoughts")
    data[f"area-{audit_areas_ensure(audit=audit)[0].area_id}-grade"] = ""
    response = login(client, audit.auditor).post(url("audit_edit", audit), data, follow=True)
    page = response.content.decode()
    assert "Draft saved at 10:00" in page
    assert "First thoughts" in page
    assert "Last saved 21 Nov 2026, 10:00" in page
    audit.refresh_from_db()
    assert (audit.status, audit.strengths, audit.version) == (Audit.Status.DRAFT, "First thoughts", 1)


@pytest.mark.django_db
def test_submit_with_a_missing_field_shows_a_linked_error_summary_and_keeps_the_text(client, audit):
    area = audit_areas_ensure(audit=audit)[1]
    data = form_data(audit, strengths="Kept strengths")
    data[f"area-{area.area_id}-evidence"] = ""
    response = login(client, audit.auditor).post(url("audit_submit", audit), data)
    page = response.content.decode()
    assert response.status_code == 200
    summary = page[page.index('id="error-summary"') : page.index("</div>", page.index('id="error-summary"'))]
    assert re.search(r'<div class="alert alert-danger error-summary" role="alert" id="error-summary"', page)
    assert f'href="#id_area-{area.area_id}-evidence"' in summary
    assert f"{area.area.name}: give the evidence for the grade." in summary
    assert f'id="id_area-{area.area_id}-evidence"' in page
    assert "Kept strengths" in page
    audit.refresh_from_db()
    assert (audit.status, audit.version) == (Audit.Status.DRAFT, 0)


@pytest.mark.django_db
def test_submit_shows_every_problem_at_once(client, audit):
    data = form_data(audit, auditor_grade="inadequate", strengths="", immediate_concern=True)
    page = login(client, audit.auditor).post(url("audit_submit", audit), data).content.decode()
    assert "3 things to fix" in page
    assert "needs at least one action" in page
    assert 'href="#id_strengths"' in page
    assert 'href="#id_immediate_concern_detail"' in page


@pytest.mark.django_db
def test_submit_after_the_due_date_is_shown_as_late(client):
    audit = audit_with_areas(areas=2, month=datetime.date(2026, 10, 1), due_on=datetime.date(2026, 10, 25))
    response = login(client, audit.auditor).post(url("audit_submit", audit), form_data(audit), follow=True)
    page = response.content.decode()
    assert response.redirect_chain[-1][0] == url("audit_detail", audit)
    assert "counts as late" in page
    assert "Submitted late" in page
    audit.refresh_from_db()
    assert audit.is_late


@pytest.mark.django_db
def test_submit_on_time_is_not_late(client, audit):
    page = login(client, audit.auditor).post(url("audit_submit", audit), form_data(audit), follow=True).content.decode()
    assert "Audit submitted on 21 Nov 2026." in page
    assert "Submitted late" not in page


@pytest.mark.django_db
def test_a_second_click_on_submit_submits_once(client, audit):
    login(client, audit.auditor)
    data = form_data(audit)
    client.post(url("audit_submit", audit), data)
    response = client.post(url("audit_submit", audit), data, follow=True)
    assert "This audit has been submitted. It is read-only now." in response.content.decode()
    assert audit.history.filter(history_change_reason="Submitted").count() == 1


@pytest.mark.django_db
def test_the_form_of_a_submitted_audit_redirects_to_the_read_only_page(client, submitted):
    response = login(client, submitted.auditor).get(url("audit_edit", submitted))
    assert response.status_code == 302
    assert response["Location"] == url("audit_detail", submitted)


@pytest.mark.django_db
def test_actions_are_created_updated_and_removed_through_the_form(client, audit):
    owner = UserFactory(first_name="Olu", last_name="Owner")
    login(client, audit.auditor)
    rows = [
        {"description": "Visit weekly", "owner": owner.pk, "due_on": "2026-12-10", "in_care_plan": True},
        {"description": "Update chronology", "owner": owner.pk, "due_on": "2026-12-20"},
    ]
    client.post(url("audit_edit", audit), form_data(audit, actions=rows))
    visit, chronology = audit.actions.order_by("pk")
    assert (visit.description, visit.in_care_plan, visit.due_on) == ("Visit weekly", True, datetime.date(2026, 12, 10))

    audit.refresh_from_db()
    rows = [
        {"id": visit.pk, "description": "Visit twice weekly", "owner": owner.pk, "due_on": "2026-12-10"},
        {
            "id": chronology.pk,
            "description": "Update chronology",
            "owner": owner.pk,
            "due_on": "2026-12-20",
            "DELETE": True,
        },
    ]
    client.post(url("audit_edit", audit), form_data(audit, actions=rows))
    assert list(audit.actions.values_list("description", "in_care_plan")) == [("Visit twice weekly", False)]


@pytest.mark.django_db
def test_a_saved_due_date_comes_back_as_the_date_input_reads_it(client, audit):
    # <input type="date"> shows nothing for 15/01/2027: a saved date must come back as 2027-01-15,
    # for a complete action (an Action row) and a half-typed one (kept on the draft) alike.
    owner = UserFactory()
    rows = [
        {"description": "Visit weekly", "owner": owner.pk, "due_on": "2027-01-15"},
        {"description": "Ask the IRO", "due_on": "2027-02-01"},
    ]
    login(client, audit.auditor)
    client.post(url("audit_edit", audit), form_data(audit, actions=rows))
    page = client.get(url("audit_edit", audit)).content.decode()
    assert re.search(r'<input type="date" name="actions-0-due_on" value="2027-01-15"', page)
    assert re.search(r'<input type="date" name="actions-1-due_on" value="2027-02-01"', page)
    assert "15/01/2027" not in page


# --- Autosave -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_autosave_answers_saved_at_and_hands_the_tab_its_new_version_and_action_ids(client, audit):
    owner = UserFactory()
    rows = [{"description": "Visit weekly", "owner": owner.pk, "due_on": "2026-12-10"}, {"description": "Half typed"}]
    login(client, audit.auditor)
    response = client.post(url("audit_autosave", audit), form_data(audit, actions=rows), HTTP_HX_REQUEST="true")
    fragment = response.content.decode()
    action = audit.actions.get()
    assert "Saved at 10:00." in fragment
    assert '<input type="hidden" name="version" id="id_version" value="1" hx-swap-oob="true">' in fragment
    assert f'id="id_actions-0-id" value="{action.pk}" hx-swap-oob="true"' in fragment
    assert 'id="id_actions-1-id" value="" hx-swap-oob="true"' in fragment
    audit.refresh_from_db()
    assert audit.pending_actions[0]["description"] == "Half typed"

    # The next autosave carries the new id, so the action is updated, not created twice.
    rows[0]["id"] = action.pk
    rows[0]["description"] = "Visit weekly at home"
    data = form_data(audit, actions=rows)
    client.post(url("audit_autosave", audit), data, HTTP_HX_REQUEST="true")
    assert list(audit.actions.values_list("description", flat=True)) == ["Visit weekly at home"]


@pytest.mark.django_db
def test_a_pending_action_comes_back_on_the_next_visit_with_its_owner_chosen(client, audit):
    owner = UserFactory(first_name="Ola", last_name="Owner")
    login(client, audit.auditor)
    client.post(
        url("audit_autosave", audit), form_data(audit, actions=[{"description": "Ask the IRO", "owner": owner.pk}])
    )
    page = client.get(url("audit_edit", audit)).content.decode()
    assert "Ask the IRO</textarea>" in page
    row = page[page.index('name="actions-0-owner"') : page.index("</select>", page.index('name="actions-0-owner"'))]
    assert f'<option value="{owner.pk}" selected>Owner, Ola</option>' in row
    assert row.count(" selected") == 1
    assert re.search(r'<label\s+for="id_actions-0-owner"[^>]*>\s*Owner', page)
    assert re.search(r'<select [^>]*id="id_actions-0-owner" name="actions-0-owner">', page)


@pytest.mark.django_db
def test_the_owner_list_works_without_javascript_surname_first_in_the_order_it_is_sorted(client, audit):
    UserFactory(first_name="Zara", last_name="Hussain", job_title="Social Worker")
    UserFactory(first_name="Aisha", last_name="Khan", job_title="Advanced Practitioner")
    UserFactory(first_name="Ben", last_name="Adams", job_title="")
    page = login(client, audit.auditor).get(url("audit_edit", audit)).content.decode()
    select = re.search(r'<select [^>]*name="actions-0-owner">(.*?)</select>', page, re.S)
    labels = re.findall(r"<option [^>]*>([^<]*)</option>", select.group(1))
    assert labels[0] == "Choose an owner"
    assert labels[1:] == sorted(labels[1:], key=str.casefold)  # sorted by surname, and seen to be
    assert {"Adams, Ben", "Hussain, Zara — Social Worker", "Khan, Aisha — Advanced Practitioner"} <= set(labels)
    # Marked for the type-ahead, which is started from static files: no inline script.
    assert 'data-autocomplete="staff"' in select.group(0)
    assert "vendor/accessible-autocomplete/accessible-autocomplete.min.js" in page
    assert "js/staff-autocomplete.js" in page


@pytest.mark.django_db
def test_autosave_with_invalid_input_saves_nothing_and_says_why(client, audit):
    login(client, audit.auditor)
    response = client.post(url("audit_autosave", audit), form_data(audit, strengths="x" * 20_000))
    assert "Not saved:" in response.content.decode()
    audit.refresh_from_db()
    assert audit.version == 0


# --- Two tabs ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_save_from_an_older_tab_is_refused_and_its_text_is_kept(client, audit):
    login(client, audit.auditor)
    client.post(url("audit_edit", audit), form_data(audit, editor="tab-b", strengths="Newer text from tab B"))
    response = client.post(url("audit_edit", audit), form_data(audit, editor="tab-a", strengths="Older tab A text"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Saved elsewhere since you opened this page" in page
    assert "Older tab A text" in page
    assert '<input type="hidden" name="version" value="1" id="id_version">' in page
    audit.refresh_from_db()
    assert audit.strengths == "Newer text from tab B"

    # Saving again from tab A, now on the newer version, is a deliberate overwrite.
    audit.version = 1
    client.post(url("audit_edit", audit), form_data(audit, editor="tab-a", strengths="Older tab A text"))
    audit.refresh_from_db()
    assert audit.strengths == "Older tab A text"


@pytest.mark.django_db
def test_autosave_from_an_older_tab_reports_the_conflict(client, audit):
    login(client, audit.auditor)
    client.post(url("audit_autosave", audit), form_data(audit, editor="tab-b", strengths="B"))
    fragment = client.post(url("audit_autosave", audit), form_data(audit, editor="tab-a", strengths="A")).content
    assert b"Not saved." in fragment
    assert b"another tab or window" in fragment
    assert b"hx-swap-oob" not in fragment  # the old tab keeps its old version: it must not overwrite silently
    audit.refresh_from_db()
    assert audit.strengths == "B"


# --- Hostile or malformed input -------------------------------------------------------------


@pytest.mark.django_db
def test_a_huge_field_gets_a_field_error_not_a_500(client, audit):
    area = audit_areas_ensure(audit=audit)[0]
    data = form_data(audit)
    data[f"area-{area.area_id}-evidence"] = "x" * 20_000
    page = login(client, audit.auditor).post(url("audit_edit", audit), data).content.decode()
    assert f'href="#id_area-{area.area_id}-evidence"' in page
    assert "Keep this to 10,000 characters or fewer: it has 20,000." in page
    assert AreaGradeEvidence(audit) == [""] * 3


@pytest.mark.django_db
@pytest.mark.parametrize(
    "field",
    [
        "strengths",
        "improvements",
        "child_feedback_comment",
        "parent_feedback_comment",
        "immediate_concern_detail",
        "area-{area}-evidence",
        "area-{area}-impact",
        "actions-0-description",
    ],
)
def test_every_free_text_field_has_a_limit_with_a_message_at_the_field(client, audit, field):
    field = field.format(area=audit_areas_ensure(audit=audit)[0].area_id)
    limit = 2_000 if field.startswith("actions-") else 10_000
    data = form_data(audit, actions=[{"description": "Visit", "due_on": "2026-12-10"}])
    data[field] = "y" * (limit + 1)
    page = login(client, audit.auditor).post(url("audit_edit", audit), data).content.decode()
    message = f"Keep this to {limit:,} characters or fewer: it has {limit + 1:,}."
    assert f'href="#id_{field}"' in page
    assert re.search(rf'<p id="error_1_id_{field}"><strong>{re.escape(message)}</strong></p>', page)
    # No maxlength: a browser would silently cut a long paste; the person sees this message instead.
    assert not re.search(r"<textarea[^>]*maxlength", page), "a textarea would cut a long paste short silently"
    audit.refresh_from_db()
    assert audit.version == 0


def AreaGradeEvidence(audit):  # noqa: N802 - reads like the column it checks
    return list(audit.area_grades.order_by("pk").values_list("evidence", flat=True))


@pytest.mark.django_db
def test_html_and_script_are_stored_as_text_and_shown_escaped(client, audit):
    hostile = '<script>alert("x")</script><b>bold</b>'
    login(client, audit.auditor)
    client.post(url("audit_submit", audit), form_data(audit, strengths=hostile))
    audit.refresh_from_db()
    assert audit.strengths == hostile
    for name in ("audit_detail", "audit_history"):
        page = client.get(url(name, audit)).content.decode()
        assert hostile not in page
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;b&gt;bold&lt;/b&gt;" in page


@pytest.mark.django_db
def test_another_audits_action_id_in_the_hidden_field_is_a_field_error(client, audit):
    other = audit_with_areas(areas=1)
    theirs = Action.objects.create(
        audit=other, description="Theirs", owner=UserFactory(), due_on=datetime.date(2026, 12, 1)
    )
    rows = [{"id": theirs.pk, "description": "Hijacked", "owner": audit.auditor.pk, "due_on": "2026-12-01"}]
    page = login(client, audit.auditor).post(url("audit_edit", audit), form_data(audit, actions=rows)).content.decode()
    assert "This action is not part of this audit" in page
    theirs.refresh_from_db()
    assert theirs.description == "Theirs"
    assert not audit.actions.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("owner", ["999999", "not-a-number", "inactive"])
def test_an_owner_who_is_not_active_staff_is_a_field_error(client, audit, owner):
    if owner == "inactive":
        owner = str(UserFactory(is_active=False).pk)
    rows = [{"description": "Visit", "owner": owner, "due_on": "2026-12-01"}]
    page = login(client, audit.auditor).post(url("audit_edit", audit), form_data(audit, actions=rows)).content.decode()
    assert 'href="#id_actions-0-owner"' in page
    assert "Select a valid choice." in page
    assert not audit.actions.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "spoil",
    [
        {"actions-TOTAL_FORMS": "100000"},
        {"actions-TOTAL_FORMS": "many"},
        {"version": "latest"},
        {"auditor_grade": "brilliant"},
        {"sw_participated": "maybe"},
        {"editor": "t" * 500},
        {"actions-0-due_on": "31/02/2026", "actions-0-description": "x"},
    ],
)
def test_malformed_posts_get_errors_never_a_500(client, audit, spoil):
    data = form_data(audit, actions=[{"description": "Visit", "owner": audit.auditor.pk, "due_on": "2026-12-01"}])
    data.update(spoil)
    login(client, audit.auditor)
    for name in ("audit_edit", "audit_submit", "audit_autosave"):
        response = client.post(url(name, audit), data)
        assert response.status_code == 200
        assert b"Not saved" in response.content or b'id="error-summary"' in response.content
    audit.refresh_from_db()
    assert audit.version == 0


@pytest.mark.django_db
def test_a_post_without_the_management_form_is_an_error_not_a_500(client, audit):
    data = {k: v for k, v in form_data(audit).items() if not k.startswith("actions-")}
    response = login(client, audit.auditor).post(url("audit_edit", audit), data)
    assert response.status_code == 200
    assert b'id="error-summary"' in response.content


# --- Send-back ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_auditor_sees_why_their_audit_was_sent_back_and_resubmits(client, submitted):
    quality = QualityFactory()
    login(client, quality)
    response = client.post(url("audit_send_back", submitted), {"reason": "Impact statements are missing."}, follow=True)
    assert "Audit sent back to" in response.content.decode()

    login(client, submitted.auditor)
    page = client.get(url("audit_edit", submitted)).content.decode()
    assert "Impact statements are missing." in page
    submitted.refresh_from_db()
    client.post(url("audit_submit", submitted), form_data(submitted))
    submitted.refresh_from_db()
    assert submitted.status == Audit.Status.SUBMITTED
    assert submitted.send_backs.get().resubmitted_at is not None
    assert "Impact statements are missing." in client.get(url("audit_detail", submitted)).content.decode()


@pytest.mark.django_db
def test_send_back_needs_a_reason(client, submitted):
    login(client, QualityFactory())
    page = client.post(url("audit_send_back", submitted), {"reason": "   "}).content.decode()
    assert 'href="#id_reason"' in page
    assert not SendBack.objects.exists()


@pytest.mark.django_db
def test_send_back_of_a_draft_is_refused(client, audit):
    login(client, QualityFactory())
    response = client.get(url("audit_send_back", audit), follow=True)
    assert "Only a submitted audit can be sent back." in response.content.decode()
    client.post(url("audit_send_back", audit), {"reason": "Nope"})
    assert not SendBack.objects.exists()


# --- History --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_history_shows_drafts_submission_and_send_backs_with_what_changed(client, audit, frozen):
    login(client, audit.auditor)
    frozen.shift(datetime.timedelta(minutes=5))
    client.post(url("audit_autosave", audit), form_data(audit, auditor_grade="", strengths="Draft strengths"))
    frozen.shift(datetime.timedelta(minutes=1))
    client.post(url("audit_autosave", audit), form_data(audit, auditor_grade="", strengths="Draft strengths, more"))
    frozen.shift(datetime.timedelta(minutes=20))
    audit.refresh_from_db()
    client.post(url("audit_submit", audit), form_data(audit, strengths="Final strengths"))
    frozen.shift(datetime.timedelta(hours=2))
    login(client, QualityFactory(first_name="Quinn", last_name="Quality"))
    client.post(url("audit_send_back", audit), {"reason": "Evidence is thin."})
    page = client.get(url("audit_history", audit)).content.decode()
    headings = re.findall(r'<h2 class="h5" id="entry-\d+">([^<]+)</h2>', page)
    # Two autosaves a minute apart are one editing session; newest first.
    assert [heading.split(",")[0] for heading in headings] == [
        "Sent back: Quinn Quality",
        f"Submitted: {audit.auditor}",
        f"Draft saved: {audit.auditor}",
        "Allocated: QA Portal (automatic)",
    ]
    assert "21 Nov 2026, 12:26" in headings[0]
    assert "21 Nov 2026, 10:06" in headings[2]
    assert "Evidence is thin." in page
    assert "Draft strengths, more" in page and "Final strengths" in page
    assert page.count("Draft strengths, more") == 2  # after the session, and before the submission


# --- Query budgets --------------------------------------------------------------------------


def _audit_of_size(areas: int, actions: int):
    audit = audit_with_areas(areas=areas, month=datetime.date(2026, 11, 1), due_on=datetime.date(2026, 11, 25))
    for index in range(actions):
        Action.objects.create(
            audit=audit, description=f"Action {index}", owner=UserFactory(), due_on=datetime.date(2026, 12, 1)
        )
    audit_areas_ensure(audit=audit)
    return audit


@pytest.mark.django_db
@pytest.mark.parametrize(("areas", "actions"), [(3, 1), (12, 8)])
def test_the_form_page_query_count_does_not_grow_with_areas_or_actions(
    client, django_assert_max_num_queries, areas, actions
):
    audit = _audit_of_size(areas, actions)
    login(client, audit.auditor)
    # 13 whatever the size: the owner list is two of them (staff, and their teams for the labels), the learning
    # themes offered and ticked one.
    with django_assert_max_num_queries(13):
        response = client.get(url("audit_edit", audit))
    assert response.content.decode().count('name="actions-') >= actions


@pytest.mark.django_db
@pytest.mark.parametrize(("areas", "actions"), [(3, 1), (12, 8)])
def test_the_read_only_and_history_pages_have_fixed_query_budgets(
    client, django_assert_max_num_queries, areas, actions
):
    audit = _audit_of_size(areas, actions)
    login(client, audit.auditor)
    client.post(
        url("audit_submit", audit),
        form_data(
            audit,
            actions=[
                {"id": a.pk, "description": a.description, "owner": a.owner_id, "due_on": "2026-12-01"}
                for a in audit.actions.all()
            ],
        ),
    )
    # 12: one of them reads the audit's learning themes, two its good practice and that record's themes.
    with django_assert_max_num_queries(12):
        client.get(url("audit_detail", audit))
    # 15: the history also lists each download of the audit as a PDF (issue 14), read in one query, and the
    # good-practice record's changes with their themes (two).
    with django_assert_max_num_queries(15):
        client.get(url("audit_history", audit))


# --- The auditor's home panel ---------------------------------------------------------------


@pytest.mark.django_db
def test_home_lists_the_auditors_audits_to_complete_soonest_first(client):
    auditor = AuditorFactory()
    later = AuditFactory(auditor=auditor, month=datetime.date(2026, 11, 1), due_on=datetime.date(2026, 11, 25))
    sent_back = AuditFactory(
        auditor=auditor, month=datetime.date(2026, 10, 1), due_on=datetime.date(2026, 10, 25), status="sent_back"
    )
    AuditFactory(auditor=auditor, returned=True)
    someone_elses = AuditFactory()
    page = login(client, auditor).get(reverse("home")).content.decode()
    assert page.index(url("audit_edit", sent_back)) < page.index(url("audit_edit", later))
    assert (
        f"Revise and resubmit the audit of {sent_back.child.case_ref}</a>: due 25 Oct 2026 <strong>(sent back)" in page
    )
    assert f"Complete the audit of {later.child.case_ref}</a>: due 25 Nov 2026</li>" in page
    assert url("audit_edit", someone_elses) not in page


@pytest.mark.django_db
def test_home_panel_query_count_does_not_grow_with_open_audits(client, django_assert_max_num_queries):
    auditor = AuditorFactory()
    AuditFactory(auditor=auditor)
    login(client, auditor)
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("home"))
    for _ in range(7):
        AuditFactory(auditor=auditor)
    with django_assert_max_num_queries(len(one)):
        page = client.get(reverse("home")).content.decode()
    assert "All your audits" in page
