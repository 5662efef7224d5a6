"""Every list page answers in the same number of queries with N rows and with 3N (issue 15): columns, filters and
option lists (teams, owners, moderators) are fetched in a fixed number of queries, never one per row or option.

Each page is counted twice at each size: the first view after the data changed (the pickers' options are found
afresh, common.forms.KeptChoicesField) and the next (they come from the cache). Both must not grow with the rows.
"""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from actions.tests.factories import ActionFactory, ChildOfConcernFactory
from allocation.tests.factories import ExemptionFactory
from audits.tests.factories import AuditFactory
from common.data_version import data_version_bump
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

MONTH = datetime.date(2026, 10, 1)
N = 2
# (role, page, query): every list page of every role that has one.
LIST_PAGES = [
    ("quality", "actions:list", {"view": "", "status": ""}),
    ("quality", "actions:coc_list", {}),
    ("quality", "allocation:exemption_list", {}),
    ("quality", "allocation:returns", {"month": "2026-10"}),
    ("quality", "audits:programme_list", {}),
    ("quality", "audits:theme_list", {}),
    ("quality", "audits:template_list", {}),
    ("quality", "imports:history", {}),
    ("quality", "moderation:sample", {"month": "2026-10"}),
    ("quality", "moderation:review_list", {}),
    ("quality", "moderation:panel", {"month": "2026-10"}),
    ("quality", "reports:drilldown", {"month": "2026-10"}),
    ("quality", "search", {"q": "C0"}),
    ("auditor", "audits:my_audits", {}),
    ("auditor", "moderation:feedback", {}),
    ("auditor", "actions:list", {"view": "mine", "status": ""}),
    ("moderator", "moderation:queue", {}),
    ("manager", "actions:list", {"view": "teams", "status": ""}),
    ("manager", "actions:coc_list", {}),
]


@pytest.fixture
def people():
    return {
        "quality": QualityFactory(),
        "auditor": AuditorFactory(),
        "moderator": ModeratorFactory(),
        "manager": ManagerFactory(),
    }


def grow(people, n: int) -> None:
    """n more of everything the lists show, each in a new team with a new owner (so the pickers grow too)."""
    for _ in range(n):
        team = TeamFactory(manager=people["manager"])
        mine = {"month": MONTH, "auditor": people["auditor"], "child__team": team}
        audit = AuditFactory(returned=True, auditor_grade="inadequate", **mine)
        ActionFactory(audit=audit, owner=UserFactory())
        ActionFactory(audit=audit, owner=people["auditor"])
        ChildOfConcernFactory(audit=audit)
        moderated = {f"audit__{key}": value for key, value in mine.items()}
        ModerationFactory(moderator=people["moderator"], **moderated)
        ModerationFactory(moderator=people["moderator"], completed=True, **moderated)
        ExemptionFactory(user=AuditorFactory())


def counts(client, url: str, query: dict) -> tuple[int, int]:
    """Queries of the first view (after a write) and of the next."""
    found = []
    for _ in range(2):
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url, query)
        assert response.status_code == 200, url
        found.append(len(captured.captured_queries))
    return found[0], found[1]


@pytest.mark.parametrize(("role", "name", "query"), LIST_PAGES, ids=[f"{r}-{n}" for r, n, _ in LIST_PAGES])
def test_a_list_page_takes_the_same_queries_for_n_rows_and_3n(client, people, role, name, query):
    client.force_login(people[role])
    url = reverse(name)
    grow(people, N)
    client.get(url, query)  # the session's first save
    data_version_bump()  # as a write does: the first view counted finds the options afresh
    small = counts(client, url, query)
    grow(people, 2 * N)
    large = counts(client, url, query)
    assert large == small, (name, small, large)
    assert max(small) <= 16, small
