"""Search by child reference, as every role: each finds only what their scope holds, and nothing reveals the rest."""

import re

import pytest
from django.urls import reverse

from actions.tests.factories import ActionFactory, ChildOfConcernFactory
from audits.tests.factories import AuditFactory
from caseload.tests.factories import ChildFactory
from moderation.tests.factories import ModerationFactory
from people.tests.factories import (
    AuditorFactory,
    ManagerFactory,
    ModeratorFactory,
    QualityFactory,
    TeamFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

SEARCH = reverse("search")


@pytest.fixture
def world(today):
    """Child C100001 in the manager's team: an audit by `auditor`, moderated by `moderator`, an action owned by
    `owner`, and a Child of Concern. Child C200002 in another team, with the same three things."""
    manager, auditor, moderator, owner = ManagerFactory(), AuditorFactory(), ModeratorFactory(), UserFactory()
    team = TeamFactory(name="Hillside", manager=manager)
    ours = ChildFactory(case_ref="C100001", team=team)
    audit = AuditFactory(child=ours, auditor=auditor, returned=True, auditor_grade="inadequate")
    ModerationFactory(audit=audit, moderator=moderator)
    action = ActionFactory(audit=audit, owner=owner, description="See the child alone")
    concern = ChildOfConcernFactory(audit=audit)
    theirs = ChildFactory(case_ref="C200002", team=TeamFactory(name="Riverside"))
    other_audit = AuditFactory(child=theirs, returned=True, auditor_grade="inadequate")
    ActionFactory(audit=other_audit, description="Elsewhere")
    ChildOfConcernFactory(audit=other_audit)
    return {
        "quality": QualityFactory(),
        "manager": manager,
        "auditor": auditor,
        "moderator": moderator,
        "owner": owner,
        "nobody": UserFactory(),
        "audit": audit,
        "action": action,
        "concern": concern,
    }


def _found(response) -> dict[str, list]:
    results = response.context.get("results") or {}
    return {kind: [row.pk for row in results.get(kind, [])] for kind in ("audits", "actions", "concerns")}


# Who finds what of child C100001: the QA team and the team's manager everything; the auditor and the
# moderator the audit and its actions (as the tracker shows them to them); the action's owner the action.
EXPECTED = {
    "quality": {"audits", "actions", "concerns"},
    "manager": {"audits", "actions", "concerns"},
    "auditor": {"audits", "actions"},
    "moderator": {"audits", "actions"},
    "owner": {"actions"},
    "nobody": set(),
}


@pytest.mark.parametrize("who", list(EXPECTED))
def test_each_role_finds_only_what_their_scope_holds(client, world, who):
    client.force_login(world[who])
    response = client.get(SEARCH, {"q": "c100001"})
    assert response.status_code == 200
    found = _found(response)
    expected = {
        "audits": [world["audit"].pk] if "audits" in EXPECTED[who] else [],
        "actions": [world["action"].pk] if "actions" in EXPECTED[who] else [],
        "concerns": [world["concern"].pk] if "concerns" in EXPECTED[who] else [],
    }
    assert found == expected
    body = response.content.decode()
    if "audits" in EXPECTED[who]:
        assert f'href="{reverse("audits:audit_detail", args=[world["audit"].pk])}"' in body
    if "actions" in EXPECTED[who]:
        assert f'href="{reverse("actions:detail", args=[world["action"].pk])}"' in body
    if "concerns" in EXPECTED[who]:
        assert f'href="{reverse("actions:coc_detail", args=[world["concern"].pk])}"' in body
    if not EXPECTED[who]:
        assert "No results for" in body


@pytest.mark.parametrize("who", list(EXPECTED))
def test_each_role_finds_each_link_opens_for_them(client, world, who):
    client.force_login(world[who])
    body = client.get(SEARCH, {"q": "100001"}).content.decode()
    links = re.findall(r'href="(/(?:audits/\d+|actions/\d+|actions/concerns/\d+)/)"', body)
    assert len(links) == len(EXPECTED[who])
    for link in links:
        assert client.get(link).status_code == 200, link


def _normalised(response, reference: str) -> str:
    """The page with the searched words and the per-request CSRF tokens taken out."""
    body = response.content.decode().replace(reference, "REFERENCE")
    return re.sub(r'(csrfmiddlewaretoken" value="|X-CSRFToken": ")[^"]+', r"\1TOKEN", body)


@pytest.mark.parametrize("who", ["manager", "auditor", "moderator", "owner", "nobody"])
def test_a_child_outside_the_scope_reads_exactly_as_one_that_does_not_exist(client, world, who):
    client.force_login(world[who])
    outside = client.get(SEARCH, {"q": "C200002"})
    missing = client.get(SEARCH, {"q": "C999999"})
    assert _found(outside) == _found(missing) == {"audits": [], "actions": [], "concerns": []}
    assert _normalised(outside, "C200002") == _normalised(missing, "C999999")
    assert "No results for" in outside.content.decode()


def test_the_qa_team_finds_the_other_teams_child_too(client, world):
    client.force_login(world["quality"])
    found = _found(client.get(SEARCH, {"q": "C200002"}))
    assert all(len(rows) == 1 for rows in found.values())


def test_an_empty_search_shows_the_form_and_searches_nothing(client, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(world["quality"])
    with CaptureQueriesContext(connection) as captured:
        response = client.get(SEARCH, {"q": "   "})
    assert response.status_code == 200 and "results" not in response.context
    assert 'id="search-reference"' in response.content.decode()
    tables = ("audits_audit", "actions_action", "actions_childofconcern")
    assert not [q["sql"] for q in captured.captured_queries if any(t in q["sql"] for t in tables)]


def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = client.get(SEARCH, {"q": "C100001"})
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_the_search_box_is_in_the_header_for_everyone_signed_in(client, world):
    for who in EXPECTED:
        client.force_login(world[who])
        body = client.get(reverse("home")).content.decode()
        assert f'action="{SEARCH}"' in body and 'role="search"' in body, who
        assert '<label class="visually-hidden" for="nav-search">Child reference</label>' in body


def test_the_search_costs_the_same_queries_however_many_rows_match(client, world, django_assert_max_num_queries):
    client.force_login(world["quality"])
    client.get(SEARCH, {"q": "C"})
    with django_assert_max_num_queries(12) as small:
        client.get(SEARCH, {"q": "C"})
    for _ in range(5):
        audit = AuditFactory(returned=True, auditor_grade="inadequate")
        ActionFactory.create_batch(2, audit=audit)
        ChildOfConcernFactory(audit=audit)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(SEARCH, {"q": "C"})
    assert len(response.context["results"]["audits"]) == 7


def test_a_broad_search_shows_at_most_the_limit_of_each_kind_and_says_so(client, world, monkeypatch):
    monkeypatch.setattr("actions.views.SEARCH_LIMIT", 1)
    client.force_login(world["quality"])
    response = client.get(SEARCH, {"q": "C"})
    assert all(len(rows) == 1 for rows in _found(response).values())
    assert "Only the first 1 of each kind are shown" in response.content.decode()
