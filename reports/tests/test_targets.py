"""The QA team's targets and representation: the words against each target, the representation figures on
hand-built data, the targets page for every role, its errors, the cache, and the JSON left as it was."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from audits.models import Audit
from audits.selectors import ReportScope
from audits.tests.factories import AuditFactory
from caseload.tests.factories import ChildFactory
from common.data_version import data_version
from people.tests.factories import ServiceAreaFactory, TeamFactory
from reports.charts import moderator_effect, ratings_by_quarter, return_rate
from reports.models import ReportTargets
from reports.period_tables import period_report_context
from reports.presenters import report_context
from reports.representation import representation
from reports.selectors import report_figures
from reports.services import ReportError, report_targets_save
from reports.targets import Targets, at_least, below, monthly_checks, period_checks, report_targets, within
from reports.tests.factories import (
    AuditorFactory,
    ManagerFactory,
    ModeratorFactory,
    QualityFactory,
    ReportTargetsFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

OCT = datetime.date(2026, 10, 1)
NBSP = "\N{NO-BREAK SPACE}"
TARGETS_URL = reverse("reports:targets")
DETAIL = reverse("reports:detail", kwargs={"year": 2026, "month": 10})
DEMO_TARGETS = Targets(
    returns_percent=Decimal(90),
    inadequate_below_percent=Decimal(10),
    audits_per_team_month=2,
    moderator_effect_low_percent=Decimal(10),
    moderator_effect_high_percent=Decimal(15),
    actions_on_time_percent=Decimal(80),
)


def words(text: str) -> str:
    """A sentence with its no-break spaces ("82 %") as plain spaces, to compare with what a reader sees."""
    return text.replace(NBSP, " ").replace("&nbsp;", " ")


# --- The words, on figures given by hand ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("figure", "target", "sentence", "met"),
    [
        (82.0, Decimal(90), "Return rate 82 % — target 90 %, 8 points below", False),
        (89.0, Decimal(90), "Return rate 89 % — target 90 %, 1 point below", False),
        (82.5, Decimal(90), "Return rate 82.5 % — target 90 %, 7.5 points below", False),
        (90.0, Decimal(90), "Return rate 90 % — target 90 %, met", True),
        (96.3, Decimal(90), "Return rate 96.3 % — target 90 %, met", True),
        (None, Decimal(90), "Return rate not counted — target 90 %, no figure yet", None),
    ],
)
def test_a_figure_that_should_reach_its_target(figure, target, sentence, met):
    check = at_least("returns", "Return rate", figure, target)
    assert words(check.sentence) == sentence and check.met is met


@pytest.mark.parametrize(
    ("figure", "sentence", "met"),
    [
        (12.5, "Inadequate 12.5 % — target below 10 %, 2.5 points above", False),
        (10.0, "Inadequate 10 % — target below 10 %, not met: at the target", False),
        (9.9, "Inadequate 9.9 % — target below 10 %, met", True),
        (0.0, "Inadequate 0 % — target below 10 %, met", True),
    ],
)
def test_inadequate_should_stay_below_its_target(figure, sentence, met):
    check = below("inadequate", "Inadequate", figure, Decimal(10))
    assert words(check.sentence) == sentence and check.met is met


@pytest.mark.parametrize(
    ("figure", "sentence", "met"),
    [
        (8.0, "Moderator effect 8 % — target 10–15 %, 2 points below the band", False),
        (10.0, "Moderator effect 10 % — target 10–15 %, met", True),
        (15.0, "Moderator effect 15 % — target 10–15 %, met", True),
        (25.0, "Moderator effect 25 % — target 10–15 %, 10 points above the band", False),
    ],
)
def test_the_moderator_effect_should_sit_in_its_band(figure, sentence, met):
    check = within("moderator_effect", "Moderator effect", figure, Decimal(10), Decimal(15))
    assert words(check.sentence) == sentence and check.met is met


def _figures(*, returned_percent, inadequate, moderation, on_time) -> dict:
    return {
        "returns": [{"returned_percent": 50.0}, {"returned_percent": returned_percent}],
        "ratings_by_month": [{"percent": {"inadequate": 99.0}}, {"percent": {"inadequate": inadequate}}],
        "moderation": moderation,
        "actions": {"completed_on_time_percent": on_time},
    }


def test_the_monthly_report_reads_the_report_months_figures_and_a_blank_target_gives_no_words():
    moderation = {"moderated": 20, "upgraded": 1, "downgraded": 2}  # 3 of 20 changed: 15 %.
    figures = _figures(returned_percent=82.0, inadequate=12.5, moderation=moderation, on_time=75.0)
    sentences = [words(check.sentence) for check in monthly_checks(figures, None, DEMO_TARGETS, "in Oct 2026")]
    assert sentences == [
        "Return rate 82 % — target 90 %, 8 points below",
        "Inadequate 12.5 % — target below 10 %, 2.5 points above",
        "Moderator effect 15 % — target 10–15 %, met",
        "Actions completed on time 75 % — target 80 %, 5 points below",
    ]
    only_returns = Targets(returns_percent=Decimal(80))
    assert [c.key for c in monthly_checks(figures, None, only_returns, "in Oct 2026")] == ["returns"]
    assert monthly_checks(figures, None, Targets(), "in Oct 2026") == []


def test_the_period_report_reads_the_whole_periods_figures():
    figures = {
        "returns": {"returned_percent": 91.7},
        "ratings": {"percent": {"inadequate": 4.2}},
        "moderation": {"moderated": 0, "upgraded": 0, "downgraded": 0},
    }
    sentences = [words(c.sentence) for c in period_checks(figures, None, DEMO_TARGETS, "Apr 2026 to Jun 2026")]
    assert sentences == [
        "Return rate 91.7 % — target 90 %, met",
        "Inadequate 4.2 % — target below 10 %, met",
        "Moderator effect not counted — target 10–15 %, no figure yet",
    ]


# --- Representation and the audits-per-team target, on hand-built data --------------------------------------------


@pytest.fixture
def caseload():
    """Team A (North): 4 open children and 1 closed; Team B (South): 6 open; Team C (North): active, nothing yet.

    Returned in the 12 months Nov 2025 to Oct 2026: Team A 2 in Oct and 1 in Dec 2025 (and 1 in Oct 2025,
    outside them); Team B 2 in Oct and 1 in Jun 2026, and 1 in Oct still in progress (not returned).
    """
    north, south = ServiceAreaFactory(name="North"), ServiceAreaFactory(name="South")
    team_a, team_b = TeamFactory(name="Team A", service_area=north), TeamFactory(name="Team B", service_area=south)
    TeamFactory(name="Team C", service_area=north)
    a = ChildFactory.create_batch(4, team=team_a)
    ChildFactory(team=team_a, is_open=False)
    b = ChildFactory.create_batch(6, team=team_b)
    for child, month in (
        (a[0], OCT),
        (a[1], OCT),
        (a[2], datetime.date(2025, 12, 1)),
        (a[3], datetime.date(2025, 10, 1)),
    ):
        AuditFactory(child=child, month=month, returned=True)
    for child, month in ((b[0], OCT), (b[1], OCT), (b[2], datetime.date(2026, 6, 1))):
        AuditFactory(child=child, month=month, returned=True)
    AuditFactory(child=b[3], month=OCT)
    return {"north": north, "south": south}


def test_representation_counts_the_12_months_returned_audits_over_the_open_cases(caseload):
    rep = representation(OCT)
    assert (rep.first, rep.last) == (datetime.date(2025, 11, 1), OCT)
    assert (rep.overall.returned, rep.overall.open_cases, rep.overall.percent) == (6, 10, 60.0)
    teams = {t.name: (t.returned, t.open_cases, t.percent, t.returned_in_window) for t in rep.teams}
    assert teams == {"Team A": (3, 4, 75.0, 2), "Team B": (3, 6, 50.0, 2), "Team C": (0, 0, None, 0)}
    areas = {s.name: (s.returned, s.open_cases, s.percent) for s in rep.service_areas}
    assert areas == {"North": (3, 4, 75.0), "South": (3, 6, 50.0)}
    # The same returned audits the report's returns table counts over its twelve months.
    assert rep.overall.returned == sum(row["returned"] for row in report_figures(OCT)["returns"])


def test_representation_in_a_service_area_counts_only_its_teams_and_children(caseload):
    rep = representation(OCT, ReportScope.monthly(caseload["south"]))
    assert (rep.overall.returned, rep.overall.open_cases) == (3, 6)
    assert [t.name for t in rep.teams] == ["Team B"]


def test_the_audits_per_team_target_counts_the_active_teams_that_reached_it(caseload):
    figures = report_figures(OCT)
    targets = Targets(audits_per_team_month=2)
    [check] = monthly_checks(figures, representation(OCT), targets, "in Oct 2026")
    assert words(check.sentence) == (
        "Audits per team: 2 of 3 teams with 2 or more, in Oct 2026 — target 2 per team a month, 1 team below"
    )
    # Over a period, a team's returned audits over its months, on average: Team B's 3 over Jun to Oct are below 2 a
    # month, Team A's 3 (Dec 2025 and Oct) over Dec to Oct too.
    rep = representation(OCT, window_first=datetime.date(2026, 6, 1))
    assert {t.name: t.returned_in_window for t in rep.teams} == {"Team A": 2, "Team B": 3, "Team C": 0}
    [check] = period_checks(
        {"returns": {"returned_percent": None}, "ratings": {"percent": {"inadequate": None}}, "moderation": {}},
        rep,
        targets,
        "Jun 2026 to Oct 2026",
    )
    assert words(check.sentence) == (
        "Audits per team: 0 of 3 teams with 2 or more, Jun 2026 to Oct 2026 — target 2 per team a month on average, "
        "3 teams below"
    )


def test_the_report_page_shows_the_words_the_representation_and_links_to_the_audits(client, caseload):
    ReportTargetsFactory()
    client.force_login(QualityFactory())
    html = words(client.get(DETAIL).content.decode())
    assert "Return rate 80 % — target 90 %, 10 points below." in html  # 4 of 5 scheduled returned.
    assert "Inadequate 0 % — target below 10 %, met." in html
    assert (
        "Audits per team: 2 of 3 teams with 2 or more, in Oct 2026 — target 2 per team a month, 1 team below." in html
    )
    assert "The 6 audits returned from Nov 2025 to Oct 2026 represent 60 % of the 10 cases open now." in html
    assert "The dashed black line is the target return rate: 90 %." in html
    team_a = html.split('id="table-representation_by_team"', 1)[1].split("</table>", 1)[0].split("Team A", 1)[1]
    link = team_a.split('href="', 1)[1].split('"', 1)[0].replace("&amp;", "&")
    assert "month_from=2025-11" in link and "month_to=2026-10" in link and "team=Team+A" in link
    assert client.get(link).context["total"] == 3
    assert f'href="{TARGETS_URL}"' in html


def test_the_period_report_shows_the_words_and_the_representation_to_its_last_month(client, caseload):
    ReportTargetsFactory()
    context = period_report_context(datetime.date(2026, 8, 1), OCT)
    assert context["representation"].overall.returned == 6
    assert [c.key for c in context["target_checks"]] == ["returns", "inadequate", "audits_per_team", "moderator_effect"]
    client.force_login(QualityFactory())
    html = words(client.get(reverse("reports:period") + "?from_month=2026-08&to_month=2026-10").content.decode())
    assert "Return rate 80 % — target 90 %, 10 points below." in html
    assert "Representation by team: audits in the 12 months to Oct 2026 over open cases" in html


def test_the_report_with_representation_reads_in_the_same_number_of_queries_whatever_the_rows(
    client, caseload, django_assert_max_num_queries
):
    ReportTargetsFactory()
    client.force_login(QualityFactory())
    client.get(reverse("home"))  # the session's idle expiry refreshed, as on any page in a minute
    with django_assert_max_num_queries(44) as small:
        client.get(DETAIL)
    for n in range(4):
        team = TeamFactory(name=f"More {n}", service_area=caseload["south"])
        for child in ChildFactory.create_batch(3, team=team):
            AuditFactory(child=child, month=OCT, returned=True)
    with django_assert_max_num_queries(44) as large:
        client.get(DETAIL)
    assert len(large.captured_queries) == len(small.captured_queries)


def test_the_report_json_has_no_target_or_representation_keys_and_does_not_change_with_targets(client, caseload):
    client.force_login(QualityFactory())
    url = reverse("reports:json", kwargs={"year": 2026, "month": 10})
    before = json.loads(client.get(url).content)
    period_url = reverse("reports:period_json") + "?from_month=2026-08&to_month=2026-10"
    period_before = json.loads(client.get(period_url).content)
    ReportTargetsFactory()
    assert json.loads(client.get(url).content) == before
    assert json.loads(client.get(period_url).content) == period_before
    assert not any("target" in key or "representation" in key for key in (*before, *period_before))


# --- The charts ----------------------------------------------------------------------------------------------------


def test_the_charts_draw_the_targets_and_say_them(caseload):
    figures = report_figures(OCT)
    labels = [row["month"] for row in figures["returns"]]
    first = datetime.date(2025, 10, 1)
    chart = return_rate(figures, labels, first, DEMO_TARGETS)
    assert f"Target: 90{NBSP}%" in str(chart.svg) and "target return rate: 90" in chart.description
    assert "Target" not in str(return_rate(figures, labels, first, Targets()).svg)
    quarter = ratings_by_quarter(figures, DEMO_TARGETS)
    assert "Inadequate below 10" in str(quarter.svg) and "below 10" in quarter.target
    rows = [{"upgraded_percent": 5.0, "downgraded_percent": 7.5, "inadequate_downgraded_percent": None}] * 5
    effect = moderator_effect({"moderator_effect": rows}, labels[-5:], DEMO_TARGETS)
    assert "Changed by the moderator" in str(effect.svg)
    assert "Target band: from 10" in str(effect.svg) and "Target band: to 15" in str(effect.svg)
    assert "target band" in effect.description


def test_a_chart_with_only_its_target_line_has_nothing_to_show():
    figures = {"returns": [{"month": "2026-10", "returned_percent": None}]}
    assert not return_rate(figures, ["Oct 2026"], None, DEMO_TARGETS).has_data


# --- The targets page: every role, errors, history, the cache ------------------------------------------------------


@pytest.mark.parametrize("factory", [AuditorFactory, ModeratorFactory, ManagerFactory, UserFactory])
def test_only_the_qa_team_may_see_or_change_the_targets(client, factory):
    client.force_login(factory())
    assert client.get(TARGETS_URL).status_code == 403
    assert client.post(TARGETS_URL, {"returns_percent": "90"}).status_code == 403
    assert not ReportTargets.objects.exists()


def test_signed_out_visitors_are_sent_to_sign_in(client):
    for response in (client.get(TARGETS_URL), client.post(TARGETS_URL, {"returns_percent": "90"})):
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert not ReportTargets.objects.exists()


def test_the_qa_team_sets_the_targets_with_history(client):
    user = QualityFactory()
    client.force_login(user)
    assert client.get(TARGETS_URL).status_code == 200
    data = {
        "returns_percent": "90",
        "inadequate_below_percent": "10",
        "audits_per_team_month": "2",
        "moderator_effect_low_percent": "10",
        "moderator_effect_high_percent": "15",
        "actions_on_time_percent": "",
    }
    response = client.post(TARGETS_URL, data)
    assert response.status_code == 302 and response["Location"] == TARGETS_URL
    assert report_targets() == Targets(Decimal(90), Decimal(10), 2, Decimal(10), Decimal(15), None)
    targets = ReportTargets.objects.get()
    assert targets.updated_by == user and targets.history.count() == 1
    page = client.get(TARGETS_URL).content.decode()
    assert "Last saved" in page and 'value="90.0"' in page


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"returns_percent": "120"}, "returns_percent", "Enter a percentage from 0 to 100."),
        ({"inadequate_below_percent": "-1"}, "inadequate_below_percent", "Enter a percentage from 0 to 100."),
        ({"actions_on_time_percent": "1000"}, "actions_on_time_percent", "Enter a percentage from 0 to 100."),
        ({"returns_percent": "ninety"}, "returns_percent", "Enter a number, for example 90."),
        ({"returns_percent": "90.25"}, "returns_percent", "at most one decimal place"),
        ({"audits_per_team_month": "0"}, "audits_per_team_month", "Enter a whole number from 1 to 99"),
        ({"moderator_effect_low_percent": "10"}, "moderator_effect_high_percent", "Give both ends"),
        (
            {"moderator_effect_low_percent": "15", "moderator_effect_high_percent": "10"},
            "moderator_effect_high_percent",
            "must not be below its lower end",
        ),
    ],
)
def test_a_refused_target_is_shown_at_its_field_and_nothing_is_saved(client, data, field, message):
    client.force_login(QualityFactory())
    response = client.post(TARGETS_URL, data)
    assert response.status_code == 400
    form = response.context["form"]
    assert any(message in error for error in form.errors[field]), form.errors
    html = response.content.decode()
    assert "There is a problem" in html and f'href="#id_{field}"' in html
    assert not ReportTargets.objects.exists()


def test_the_service_refuses_half_a_band():
    with pytest.raises(ReportError) as refused:
        report_targets_save(
            by=None,
            returns_percent=None,
            inadequate_below_percent=None,
            audits_per_team_month=None,
            moderator_effect_low_percent=None,
            moderator_effect_high_percent=Decimal(15),
            actions_on_time_percent=None,
        )
    assert refused.value.field == "moderator_effect_low_percent"


def test_saving_targets_moves_the_data_version_so_the_report_never_shows_old_ones(client, caseload):
    client.force_login(QualityFactory())
    assert "No targets are set." in client.get(DETAIL).content.decode()
    version = data_version()
    client.post(TARGETS_URL, {"returns_percent": "80"})
    assert data_version() > version
    html = words(client.get(DETAIL).content.decode())
    assert "Return rate 80 % — target 80 %, met." in html
    client.post(TARGETS_URL, {"returns_percent": "95"})
    assert "Return rate 80 % — target 95 %, 15 points below." in words(client.get(DETAIL).content.decode())
    assert report_context(OCT)["targets"].returns_percent == Decimal(95)


def test_the_command_sets_and_shows_the_targets_and_refuses_a_bad_one(capsys):
    call_command("report_targets", "--returns", "90", "--moderator-effect", "10", "15")
    assert report_targets() == Targets(
        returns_percent=Decimal(90), moderator_effect_low_percent=Decimal(10), moderator_effect_high_percent=Decimal(15)
    )
    call_command("report_targets", "--audits-per-team", "2", "--clear", "returns")
    assert report_targets() == Targets(
        audits_per_team_month=2, moderator_effect_low_percent=Decimal(10), moderator_effect_high_percent=Decimal(15)
    )
    assert "Audits per team per month: 2" in capsys.readouterr().out
    with pytest.raises(CommandError, match="Return rate"):
        call_command("report_targets", "--returns", "101")
    assert Audit.objects.count() == 0
