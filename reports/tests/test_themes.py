"""The report's learning themes on hand-built data with known answers: the contract's `themes` block,
the 12-month trend, the tables on the report page and the drill-down behind each figure (issue 14)."""

import datetime
import json

import pytest
from django.urls import reverse

from audits.models import Audit, Theme
from audits.tests.factories import AuditFactory
from audits.theme_services import audit_themes_set
from reports.selectors import report_figures
from reports.tests.factories import QualityFactory
from reports.themes import theme_figures, theme_trend

pytestmark = pytest.mark.django_db

OCTOBER = datetime.date(2026, 10, 1)


def ids(*names: str) -> list[int]:
    return [Theme.objects.get(name=name).pk for name in names]


def tagged(month=OCTOBER, *, improvement=(), strength=(), **kwargs) -> Audit:
    audit = AuditFactory(month=month, **kwargs)
    audit_themes_set(audit=audit, improvement=ids(*improvement), strength=ids(*strength))
    return audit


@pytest.fixture
def october():
    """Three returned audits of October, one sent back, one still a draft, and one returned in September.

    Only the three returned October audits count: Chronologies on all three (100%), SMART plans and
    Case summaries on one each (33.3%, tied, so by name), Voice of the child a strength on two (66.7%).
    """
    tagged(returned=True, improvement=["Chronologies", "SMART plans"], strength=["Voice of the child"])
    tagged(returned=True, improvement=["Chronologies"], strength=["Voice of the child", "Chronologies"])
    tagged(returned=True, improvement=["Chronologies", "Case summaries"])
    tagged(
        returned=True,
        status=Audit.Status.SENT_BACK,
        improvement=["Permanence", "Chronologies"],
        strength=["Direct work"],
    )
    tagged(improvement=["Permanence"])  # a draft
    tagged(datetime.date(2026, 9, 1), returned=True, improvement=["Permanence", "SMART plans"])


def test_the_contract_block_counts_the_returned_audits_of_the_month_only(october):
    assert report_figures(OCTOBER)["themes"] == {
        "improvement": [
            {"theme": "Chronologies", "audits": 3, "percent": 100.0},
            {"theme": "Case summaries", "audits": 1, "percent": 33.3},
            {"theme": "SMART plans", "audits": 1, "percent": 33.3},
        ],
        "strength": [
            {"theme": "Voice of the child", "audits": 2, "percent": 66.7},
            {"theme": "Chronologies", "audits": 1, "percent": 33.3},
        ],
    }


def test_the_block_follows_a_renamed_theme_and_keeps_a_retired_one():
    tagged(returned=True, improvement=["Chronologies", "Permanence"])
    chronologies = Theme.objects.get(name="Chronologies")
    chronologies.name = "Chronology"
    chronologies.save()
    Theme.objects.filter(name="Permanence").update(is_active=False)
    names = [item["theme"] for item in theme_figures(Audit.objects.filter(month=OCTOBER))["improvement"]]
    assert names == ["Chronology", "Permanence"]


def test_the_json_command_output_carries_the_block(october, capsys):
    from django.core.management import call_command

    call_command("qa_report", "--month", "2026-10", "--format", "json")
    data = json.loads(capsys.readouterr().out)
    assert data["themes"]["improvement"][0] == {"theme": "Chronologies", "audits": 3, "percent": 100.0}


def test_the_block_takes_two_queries_however_many_audits(django_assert_num_queries):
    tagged(returned=True, improvement=["Chronologies"])
    with django_assert_num_queries(2):
        theme_figures(Audit.objects.filter(month=OCTOBER))
    for _ in range(20):
        tagged(returned=True, improvement=["Chronologies", "Direct work"], strength=["Permanence"])
    with django_assert_num_queries(2):
        figures = theme_figures(Audit.objects.filter(month=OCTOBER))
    assert figures["improvement"][0] == {"theme": "Chronologies", "audits": 21, "percent": 100.0}


def test_the_trend_counts_the_top_improvement_themes_month_by_month(october, django_assert_num_queries):
    tagged(datetime.date(2025, 11, 1), returned=True, improvement=["Life story work"])
    tagged(datetime.date(2025, 10, 1), returned=True, improvement=["Direct work"])  # 13 months back: outside
    with django_assert_num_queries(1):
        trend = theme_trend(Audit.objects.all(), OCTOBER, top=3)
    assert trend["months"][0] == "2025-11" and trend["months"][-1] == "2026-10" and len(trend["months"]) == 12
    # Chronologies 3; SMART plans 2 (September and October); then Case summaries, Life story work and
    # Permanence tie on 1 (the sent-back and draft audits do not count), and the name decides.
    assert [(t["theme"], t["total"]) for t in trend["themes"]] == [
        ("Chronologies", 3),
        ("SMART plans", 2),
        ("Case summaries", 1),
    ]
    smart = trend["themes"][1]["counts"]
    assert smart[-2:] == [1, 1] and sum(smart) == 2


def test_the_report_page_lists_the_themes_each_figure_linking_to_its_audits(october, client):
    client.force_login(QualityFactory())
    page = client.get(reverse("reports:detail", kwargs={"year": 2026, "month": 10})).content.decode()
    assert "1.8 Learning themes" in page
    assert "Learning themes: areas for improvement, Oct 2026" in page
    assert "Most frequent areas for improvement over twelve months to Oct 2026" in page
    link = (
        reverse("reports:drilldown")
        + "?month=2026-10&amp;outcome=returned&amp;theme=Chronologies&amp;theme_kind=improvement&amp;programme=monthly"
    )
    assert f'<a href="{link}">' in page
    listed = client.get(link.replace("&amp;", "&"))
    assert listed.context["total"] == 3
    strengths = client.get(
        reverse("reports:drilldown") + "?month=2026-10&outcome=returned&theme=chronologies&theme_kind=strength"
    )
    assert strengths.context["total"] == 1
    # A theme without a kind lists the audits tagged with it either way, each once.
    either = client.get(reverse("reports:drilldown") + "?month=2026-10&outcome=returned&theme=Chronologies")
    assert either.context["total"] == 3


def test_a_month_without_tags_says_so_instead_of_an_empty_trend_table(client):
    AuditFactory(month=OCTOBER, returned=True)
    client.force_login(QualityFactory())
    page = client.get(reverse("reports:detail", kwargs={"year": 2026, "month": 10})).content.decode()
    assert "No returned audit of these months was tagged with an area for improvement." in page
    assert 'id="table-themes_trend"' not in page
