"""The report's learning beyond the contract's block (issue 14), on hand-built data with known answers: themes by
team and by service area, by improvement-plan strand, the good practice recorded ("What made the difference"),
the executive summary draft, in the monthly and the period report, web and PDF; each figure's drill-down."""

import datetime
import re
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audits.good_practice_services import good_practice_record
from audits.models import Audit, Theme
from audits.tests.factories import AuditFactory
from audits.theme_services import audit_themes_set, theme_update
from caseload.tests.factories import ChildFactory
from people.tests.factories import ServiceAreaFactory, TeamFactory
from reports.narrative import executive_summary_draft
from reports.pdf import render_report_body
from reports.period_pdf import render_period_body_for
from reports.period_tables import PERIOD_TABLES
from reports.presenters import report_context
from reports.selectors import report_figures
from reports.tables import TABLES
from reports.tests.factories import QualityFactory
from reports.themes import good_practice_entries, theme_figures, theme_groups, theme_strands

pytestmark = pytest.mark.django_db

OCTOBER = datetime.date(2026, 10, 1)
SEPTEMBER = datetime.date(2026, 9, 1)
DETAIL = reverse("reports:detail", kwargs={"year": 2026, "month": 10})
PERIOD = reverse("reports:period") + "?from_month=2026-09&to_month=2026-10"


def ids(*names: str) -> list[int]:
    return [Theme.objects.get(name=name).pk for name in names]


def tagged(team, month=OCTOBER, *, improvement=(), strength=(), **kwargs) -> Audit:
    audit = AuditFactory(month=month, child=ChildFactory(team=team), **kwargs)
    audit_themes_set(audit=audit, improvement=ids(*improvement), strength=ids(*strength))
    return audit


@pytest.fixture
def teams():
    north, south = ServiceAreaFactory(name="North"), ServiceAreaFactory(name="South")
    return {
        "Alpha": TeamFactory(name="Alpha", service_area=north),
        "Beta": TeamFactory(name="Beta", service_area=north),
        "Gamma": TeamFactory(name="Gamma", service_area=south),
    }


@pytest.fixture
def october(teams):
    """October's returned audits: Alpha two (Chronologies on both, SMART plans on one), Beta one (Chronologies,
    Permanence), Gamma one (SMART plans, Case summaries; Direct work a strength). A sent-back Gamma audit and a
    draft carry Permanence and do not count. September: Chronologies once, Case summaries three times.

    Strands: "Planning" holds SMART plans and Permanence; "Records" holds Chronologies and Case summaries.
    """
    alpha, beta, gamma = teams["Alpha"], teams["Beta"], teams["Gamma"]
    a1 = tagged(alpha, returned=True, improvement=["Chronologies", "SMART plans"], strength=["Voice of the child"])
    tagged(alpha, returned=True, improvement=["Chronologies"])
    tagged(beta, returned=True, improvement=["Chronologies", "Permanence"], auditor_grade="outstanding")
    tagged(gamma, returned=True, improvement=["SMART plans", "Case summaries"], strength=["Direct work"])
    tagged(gamma, returned=True, status=Audit.Status.SENT_BACK, improvement=["Permanence"])
    tagged(gamma, improvement=["Permanence"])
    tagged(alpha, SEPTEMBER, returned=True, improvement=["Chronologies"])
    for _ in range(3):
        tagged(gamma, SEPTEMBER, returned=True, improvement=["Case summaries"])
    for name, strand in (
        ("SMART plans", "Planning"),
        ("Permanence", "Planning"),
        ("Chronologies", "Records"),
        ("Case summaries", "Records"),
    ):
        theme = Theme.objects.get(name=name)
        theme_update(theme=theme, name=name, strand=strand, by=None)
    return a1


def test_themes_by_team_and_service_area_count_the_returned_audits_in_one_query(october, django_assert_num_queries):
    with django_assert_num_queries(1):
        groups = theme_groups(Audit.objects.filter(month=OCTOBER))
    assert groups["themes"] == ["Chronologies", "SMART plans", "Case summaries", "Permanence"]
    assert groups["team"] == [
        {"name": "Alpha", "counts": {"Chronologies": 2, "SMART plans": 1, "Case summaries": 0, "Permanence": 0}},
        {"name": "Beta", "counts": {"Chronologies": 1, "SMART plans": 0, "Case summaries": 0, "Permanence": 1}},
        {"name": "Gamma", "counts": {"Chronologies": 0, "SMART plans": 1, "Case summaries": 1, "Permanence": 0}},
    ]
    assert groups["service_area"] == [
        {"name": "North", "counts": {"Chronologies": 3, "SMART plans": 1, "Case summaries": 0, "Permanence": 1}},
        {"name": "South", "counts": {"Chronologies": 0, "SMART plans": 1, "Case summaries": 1, "Permanence": 0}},
    ]
    # The top two only: a team with neither is left out.
    top_two = theme_groups(Audit.objects.filter(month=OCTOBER), top=2)
    assert top_two["themes"] == ["Chronologies", "SMART plans"]
    assert [row["name"] for row in top_two["team"]] == ["Alpha", "Beta", "Gamma"]
    assert theme_groups(Audit.objects.filter(month=OCTOBER, team__name="Beta"), top=1)["team"] == [
        {"name": "Beta", "counts": {"Chronologies": 1}}
    ]


def test_strands_count_each_audit_once_by_kind_in_two_queries(october, django_assert_num_queries):
    with django_assert_num_queries(2):
        strands = theme_strands(Audit.objects.filter(month=OCTOBER))
    assert strands == [
        # Records: Chronologies on three audits, Case summaries on one more (Gamma's): four audits.
        {"strand": "Records", "themes": ["Case summaries", "Chronologies"], "improvement": 4, "strength": 0},
        # Planning: SMART plans on two audits, Permanence on Beta's; the sent-back and draft ones do not count.
        {"strand": "Planning", "themes": ["Permanence", "SMART plans"], "improvement": 3, "strength": 0},
    ]
    Theme.objects.filter(name="Direct work").update(strand="Planning")
    planning = theme_strands(Audit.objects.filter(month=OCTOBER))[1]
    assert planning["strength"] == 1 and planning["themes"] == ["Direct work", "Permanence", "SMART plans"]


def test_good_practice_entries_are_the_good_audits_without_the_child_in_a_fixed_number_of_queries(
    october, django_assert_num_queries
):
    quality = QualityFactory()
    beta = Audit.objects.get(month=OCTOBER, team__name="Beta")
    with django_assert_num_queries(2):
        assert good_practice_entries(Audit.objects.filter(month=OCTOBER)) == []
    good_practice_record(audit=october, text="Time with the family.", theme_ids=ids("Direct work"), by=quality)
    good_practice_record(audit=beta, text="Persistence.", theme_ids=ids("Permanence", "Chronologies"), by=quality)
    with django_assert_num_queries(2):
        entries = good_practice_entries(Audit.objects.filter(month=OCTOBER))
    assert entries == [
        {
            "audit_id": october.pk,
            "month": "2026-10",
            "month_label": "Oct 2026",
            "team": "Alpha",
            "service_area": "North",
            "grade": "Good",
            "text": "Time with the family.",
            "themes": ["Direct work"],
        },
        {
            "audit_id": beta.pk,
            "month": "2026-10",
            "month_label": "Oct 2026",
            "team": "Beta",
            "service_area": "North",
            "grade": "Outstanding",
            "text": "Persistence.",
            "themes": ["Chronologies", "Permanence"],
        },
    ]
    # Moderated down to Requires Improvement later: no longer listed.
    Audit.objects.filter(pk=beta.pk).update(final_grade="requires_improvement")
    assert [e["team"] for e in good_practice_entries(Audit.objects.filter(month=OCTOBER))] == ["Alpha"]
    assert good_practice_entries(Audit.objects.filter(month=SEPTEMBER)) == []


def test_the_summary_draft_names_the_top_areas_for_improvement_and_the_movers(october):
    figures = report_figures(OCTOBER)
    draft = executive_summary_draft(figures, theme_figures(Audit.objects.filter(month=SEPTEMBER)))
    assert draft.split("\n\n") == [
        "4 audits of October 2026 were returned: 4 graded Good or Outstanding and 0 Inadequate.",
        "Chronologies was the most frequent area for improvement (3 audits, up from 1), followed by "
        "SMART plans (2, none in September) and Case summaries (1, down from 3).",
        "The biggest rise was in Chronologies: 3 audits, 2 more than in September.",
        "The biggest fall was in Case summaries: 1 audit, 2 fewer than in September.",
        "The most frequent strength was Direct work (1 audit).",
    ]


def test_the_summary_draft_of_a_month_without_tags_says_so():
    figures = report_figures(OCTOBER)
    empty = {"improvement": [], "strength": []}
    assert executive_summary_draft(figures, empty).split("\n\n") == [
        "No audit of October 2026 has been returned yet.",
        "No returned audit of October 2026 was tagged with an area for improvement.",
    ]


def test_the_theme_tables_are_numbered_in_the_reports_lists():
    names = [build.__name__ for build in TABLES]
    assert names[17:] == [
        "themes_improvement",
        "themes_strength",
        "themes_trend",
        "themes_by_team",
        "themes_by_service_area",
        "themes_by_strand",
    ]
    assert [build.__name__ for build in PERIOD_TABLES][10:15] == [
        "themes_improvement",
        "themes_strength",
        "themes_by_team",
        "themes_by_service_area",
        "themes_by_strand",
    ]


def _links(html: str) -> list[str]:
    return [unescape(href) for href in re.findall(r'href="(/reports/audits/\\?[^"]+)"', html)]


def test_the_monthly_report_shows_the_tables_each_figure_linked_to_its_audits(october, client):
    client.force_login(QualityFactory())
    html = client.get(DETAIL).content.decode()
    assert "Table 21: Most frequent areas for improvement by team, Oct 2026: audits tagged" in html
    assert "Table 22: Most frequent areas for improvement by service area, Oct 2026" in html
    assert "Table 23: Learning themes by improvement-plan strand, Oct 2026: audits tagged" in html
    tables = report_context(OCTOBER)["tables"]
    alpha = tables["themes_by_team"].rows[0]
    assert alpha.label == "Alpha" and [c.value for c in alpha.cells] == [2, 1, 0, 0]
    links = _links(html)
    alpha_chron = next(u for u in links if "team=Alpha" in u and "theme=Chronologies" in u)
    assert "month=2026-10" in alpha_chron and "theme_kind=improvement" in alpha_chron
    assert client.get(alpha_chron).context["total"] == 2
    north = next(u for u in links if "service_area=North" in u and "theme=Chronologies" in u)
    assert client.get(north).context["total"] == 3
    records = next(u for u in links if "strand=Records" in u and "theme_kind=improvement" in u)
    assert client.get(records).context["total"] == 4
    planning = next(u for u in links if "strand=Planning" in u and "theme_kind=strength" in u)
    assert client.get(planning).context["total"] == 0


def test_the_good_practice_section_lists_the_text_without_the_child_and_links_on_the_page_only(october, client):
    good_practice_record(
        audit=october, text="Time <b>with</b> the family.", theme_ids=ids("Direct work"), by=QualityFactory()
    )
    client.force_login(QualityFactory())
    html = client.get(DETAIL).content.decode()
    section = html[html.index('id="good-practice"') : html.index('id="part-2"')]
    assert "1.9 What made the difference" in section
    assert "Time &lt;b&gt;with&lt;/b&gt; the family." in section and "Direct work" in section
    assert "Alpha" in section and "Oct 2026" in section
    assert october.child.case_ref not in section
    assert reverse("audits:audit_detail", args=[october.pk]) in section
    pdf = render_report_body(month=OCTOBER).html
    pdf_section = pdf[pdf.index('id="good-practice"') : pdf.index('id="part-2"')]
    assert "Time &lt;b&gt;with&lt;/b&gt; the family." in pdf_section
    assert "<a " not in pdf_section and october.child.case_ref not in pdf_section
    # The draft is offered on the page, not printed.
    assert "Chronologies was the most frequent area for improvement" in html
    assert "Chronologies was the most frequent area for improvement" not in pdf


def test_the_period_report_shows_the_themes_and_the_good_practice_web_and_pdf(october, client):
    good_practice_record(audit=october, text="Relational practice.", theme_ids=[], by=QualityFactory())
    client.force_login(QualityFactory())
    html = client.get(PERIOD).content.decode()
    assert "3. What are we learning?" in html
    assert "Table 11: Learning themes: areas for improvement, Sep 2026 to Oct 2026" in html
    assert "Table 13: Most frequent areas for improvement by team, Sep 2026 to Oct 2026" in html
    assert "Table 15: Learning themes by improvement-plan strand, Sep 2026 to Oct 2026" in html
    links = _links(html)
    gamma = next(u for u in links if "team=Gamma" in u and "theme=Case+summaries" in u)
    assert "month_from=2026-09" in gamma and "month_to=2026-10" in gamma
    assert client.get(gamma).context["total"] == 4
    records = next(u for u in links if "strand=Records" in u and "theme_kind=improvement" in u)
    assert client.get(records).context["total"] == 8
    assert "Relational practice." in html and reverse("audits:audit_detail", args=[october.pk]) in html
    body, _context = render_period_body_for(SEPTEMBER, OCTOBER)
    section = body.html[body.html.index('id="good-practice"') :]
    assert "Relational practice." in section and "<a " not in section
    assert october.child.case_ref not in section


def test_the_period_report_scoped_to_a_service_area_counts_its_audits_only(october, client):
    client.force_login(QualityFactory())
    html = client.get(PERIOD + "&service_area=South").content.decode()
    tables = re.search(r'id="table-themes_by_team"(.*?)</table>', html, re.S).group(1)
    assert "Gamma" in tables and "Alpha" not in tables


def test_the_pages_query_counts_stay_flat_with_more_tags_and_good_practice(october, teams, client):
    client.force_login(QualityFactory())
    with CaptureQueriesContext(connection) as monthly:
        client.get(DETAIL)
    with CaptureQueriesContext(connection) as period:
        client.get(PERIOD)
    quality = QualityFactory()
    for n in range(6):
        team = TeamFactory(name=f"Team {n}", service_area=teams["Alpha"].service_area)
        audit = tagged(team, returned=True, improvement=["Life story work", "Chronologies"], strength=["Direct work"])
        good_practice_record(audit=audit, text=f"Practice {n}.", theme_ids=ids("Direct work"), by=quality)
    Theme.objects.filter(name="Life story work").update(strand="Permanence planning")
    client.force_login(QualityFactory())
    with CaptureQueriesContext(connection) as monthly_more:
        html = client.get(DETAIL).content.decode()
    with CaptureQueriesContext(connection) as period_more:
        client.get(PERIOD)
    assert "Practice 5." in html and "Permanence planning" in html
    assert len(monthly_more) == len(monthly)
    assert len(period_more) == len(period)


def test_the_narrative_page_offers_the_draft_beside_the_executive_summary(october, client):
    client.force_login(QualityFactory())
    page = client.get(reverse("reports:narrative", kwargs={"year": 2026, "month": 10})).content.decode()
    assert "A draft to start from" in page
    assert "Chronologies was the most frequent area for improvement (3 audits, up from 1)" in page


def test_recording_good_practice_shows_at_once_in_a_report_already_cached(october, client):
    client.force_login(QualityFactory())
    assert "Seen at once." not in client.get(DETAIL).content.decode()
    good_practice_record(audit=october, text="Seen at once.", theme_ids=ids("Direct work"), by=QualityFactory())
    client.force_login(QualityFactory())
    assert "Seen at once." in client.get(DETAIL).content.decode()
