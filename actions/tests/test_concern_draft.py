"""A Child of Concern links to its audit for those who may read it, and the team's response can be saved as a draft."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from actions import services
from actions.models import ChildOfConcern
from actions.tasks import actions_daily
from actions.tests.factories import ChildOfConcernFactory
from people.tests.factories import ManagerFactory, QualityFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db

D = datetime.date


@pytest.fixture
def manager():
    return ManagerFactory(username="manager", email="tm@example.org")


@pytest.fixture
def concern(today, manager):
    return ChildOfConcernFactory(audit__child__team=TeamFactory(manager=manager), response_due_on=D(2026, 11, 24))


def _detail(client, concern):
    return client.get(reverse("actions:coc_detail", args=[concern.pk])).content.decode()


# --- The link to the audit ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["quality", "manager"])
def test_the_concern_links_to_its_audit_for_those_who_may_read_it(client, concern, manager, who):
    client.force_login({"quality": QualityFactory(), "manager": manager}[who])
    audit_url = reverse("audits:audit_detail", args=[concern.audit.pk])
    assert f'href="{audit_url}"' in _detail(client, concern)
    assert client.get(audit_url).status_code == 200  # the link leads somewhere they may go


def test_no_link_to_an_audit_the_person_may_not_read(client, concern, manager, monkeypatch):
    # Concerns and audits have separate scopes; the link follows the audit's, whatever the concern's says.
    from actions import views
    from audits.models import Audit

    monkeypatch.setattr(views, "audits_visible_to", lambda user: Audit.objects.none())
    client.force_login(manager)
    body = _detail(client, concern)
    assert "Child of Concern" in body
    assert reverse("audits:audit_detail", args=[concern.audit.pk]) not in body


# --- The draft: the service ---------------------------------------------------------------------------------------


def test_a_draft_keeps_the_text_and_the_concern_still_awaits_a_response(concern, manager):
    services.child_of_concern_save_draft(
        concern=concern, by=manager, safety="  Visited on Monday  ", service_offer="", next_steps=""
    )
    concern.refresh_from_db()
    assert concern.status == ChildOfConcern.Status.AWAITING_RESPONSE
    assert concern.safety_response == "Visited on Monday" and concern.service_offer_response == ""
    assert concern.draft_saved_by == manager and concern.draft_saved_at is not None
    assert concern.responded_at is None and concern.responded_by is None


def test_sending_the_response_after_a_draft_clears_the_draft_mark(concern, manager):
    services.child_of_concern_save_draft(concern=concern, by=manager, safety="Seen", service_offer="", next_steps="")
    services.child_of_concern_respond(
        concern=concern, by=manager, safety="Seen alone", service_offer="CP plan fits", next_steps="RCPC 3 Dec"
    )
    concern.refresh_from_db()
    assert concern.status == ChildOfConcern.Status.RESPONDED
    assert concern.draft_saved_at is None and concern.draft_saved_by is None
    assert concern.safety_response == "Seen alone"


def test_a_draft_needs_some_text_the_right_person_and_a_concern_awaiting_a_response(concern, manager):
    with pytest.raises(services.ConcernError) as empty:
        services.child_of_concern_save_draft(concern=concern, by=manager, safety=" ", service_offer="", next_steps="")
    assert empty.value.field == "safety"
    with pytest.raises(PermissionDenied):
        services.child_of_concern_save_draft(
            concern=concern, by=concern.audit.auditor, safety="a", service_offer="", next_steps=""
        )
    services.child_of_concern_respond(concern=concern, by=manager, safety="a", service_offer="b", next_steps="c")
    with pytest.raises(services.ConcernError, match="not awaiting"):
        services.child_of_concern_save_draft(concern=concern, by=manager, safety="x", service_offer="", next_steps="")
    concern.refresh_from_db()
    assert concern.safety_response == "a" and concern.draft_saved_at is None


def test_a_draft_does_not_stop_the_reminder_and_the_escalation(time_machine, concern, manager):
    QualityFactory(username="qa")
    services.child_of_concern_save_draft(concern=concern, by=manager, safety="Seen", service_offer="", next_steps="")
    time_machine.move_to(datetime.datetime(2026, 11, 26, 7, 0, tzinfo=datetime.UTC), tick=False)
    actions_daily()
    subjects = [email.subject for email in mail.outbox]
    assert any(s.startswith("Child of Concern response due") for s in subjects)
    assert any(s.startswith("Escalation: Child of Concern response overdue") for s in subjects)


# --- The draft: the pages -----------------------------------------------------------------------------------------


def test_the_team_saves_a_draft_comes_back_and_sends_it(client, concern, manager):
    client.force_login(manager)
    draft = reverse("actions:coc_draft", args=[concern.pk])
    response = client.post(draft, {"respond-safety": "Visited today", "respond-service_offer": ""}, follow=True)
    body = response.content.decode()
    assert "Draft saved, not sent" in body
    assert "Visited today</textarea>" in body  # the form comes back with the draft in it
    assert "Draft, not sent." in body and 'formaction="' + draft + '"' in body

    respond = reverse("actions:coc_respond", args=[concern.pk])
    client.post(
        respond,
        {"respond-safety": "Visited today", "respond-service_offer": "Plan fits", "respond-next_steps": "1 Dec"},
    )
    concern.refresh_from_db()
    assert concern.status == ChildOfConcern.Status.RESPONDED and concern.draft_saved_at is None


def test_an_empty_draft_gets_a_message_at_the_field(client, concern, manager):
    client.force_login(manager)
    response = client.post(reverse("actions:coc_draft", args=[concern.pk]), {"respond-safety": ""})
    body = response.content.decode()
    assert response.status_code == 200 and 'href="#id_respond-safety"' in body
    assert "Write at least one part of the response before saving a draft." in body
    concern.refresh_from_db()
    assert concern.draft_saved_at is None


def test_the_qa_team_sees_a_draft_as_a_draft_not_a_response(client, concern, manager):
    services.child_of_concern_save_draft(
        concern=concern, by=manager, safety="Visited today", service_offer="", next_steps=""
    )
    client.force_login(QualityFactory())
    body = _detail(client, concern)
    assert "The team's draft response" in body and "This is a draft the team has not sent, not a response." in body
    assert "Visited today" in body
    assert 'id="form-review"' not in body  # nothing to review until it is sent
    listing = client.get(reverse("actions:coc_list")).content.decode()
    assert "Awaiting response" in listing and "Draft saved, not sent" in listing


@pytest.mark.parametrize("who", ["quality", "auditor", "other_manager", "nobody"])
def test_only_the_teams_manager_may_save_a_draft(client, concern, who):
    person = {
        "quality": QualityFactory,
        "auditor": lambda: concern.audit.auditor,
        "other_manager": ManagerFactory,
        "nobody": UserFactory,
    }[who]()
    client.force_login(person)
    response = client.post(reverse("actions:coc_draft", args=[concern.pk]), {"respond-safety": "x"})
    assert response.status_code == (403 if who == "quality" else 404)
    concern.refresh_from_db()
    assert concern.draft_saved_at is None
