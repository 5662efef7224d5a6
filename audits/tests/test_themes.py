"""Learning themes: the default list, the QA team's page (add, rename, retire) as every role, and the tags' service."""

import pytest
from django.urls import reverse

from actions.tests.factories import ActionFactory
from audits.models import AuditTheme, Theme
from audits.tests.factories import AuditFactory
from audits.theme_selectors import audit_theme_ids, themes_offered
from audits.theme_services import (
    ThemeError,
    audit_themes_set,
    theme_create,
    theme_set_active,
    theme_update,
    themes_ensure,
)
from people.tests.factories import AuditorFactory, ManagerFactory, ModeratorFactory, QualityFactory, UserFactory

pytestmark = pytest.mark.django_db

SEED_THEMES = [
    "Assessment analysis",
    "Case summaries",
    "Chronologies",
    "Direct work",
    "Life story work",
    "Management oversight and supervision",
    "Permanence",
    "Risk and threshold decisions",
    "Safety and contingency plans",
    "SMART plans",
    "Voice of the child",
]


def theme(name: str) -> Theme:
    return Theme.objects.get(name=name)


# Services ---------------------------------------------------------------------------------------------------------


def test_the_seeds_themes_are_there_from_the_start_with_their_first_history_entry():
    assert sorted(Theme.objects.values_list("name", flat=True), key=str.lower) == SEED_THEMES
    assert all(t.is_active for t in Theme.objects.all())
    assert theme("Chronologies").history.count() == 1


def test_a_name_is_unique_whatever_its_case_and_spacing():
    with pytest.raises(ThemeError, match='already a theme called "Chronologies"') as error:
        theme_create(name="  chronologies ", by=None)
    assert error.value.field == "name"
    with pytest.raises(ThemeError, match="Give the theme a name"):
        theme_create(name="   ", by=None)
    created = theme_create(name="Recording  of   visits", strand="Strand 2: the basics", by=None)
    assert (created.name, created.strand) == ("Recording of visits", "Strand 2: the basics")


def test_renaming_keeps_the_row_so_tagged_audits_follow_and_history_shows_the_old_name():
    officer = QualityFactory()
    audit = AuditFactory()
    chronologies = theme("Chronologies")
    audit_themes_set(audit=audit, improvement=[chronologies.pk], strength=[])
    theme_update(theme=chronologies, name="Chronology", strand="Strand 1", by=officer)
    assert AuditTheme.objects.get(audit=audit).theme.name == "Chronology"
    latest = chronologies.history.order_by("-history_id").first()
    assert latest.history_change_reason == 'Renamed from "Chronologies"'
    assert latest.history_user == officer
    with pytest.raises(ThemeError, match="already a theme"):
        theme_update(theme=chronologies, name="permanence", strand="", by=officer)
    # Its own name in another case is not a clash.
    assert theme_update(theme=chronologies, name="CHRONOLOGY", strand="Strand 1", by=officer).name == "CHRONOLOGY"


def test_a_retired_theme_is_not_offered_on_new_audits_but_stays_on_audits_that_carry_it():
    old, new = AuditFactory(), AuditFactory()
    permanence = theme("Permanence")
    audit_themes_set(audit=old, improvement=[], strength=[permanence.pk])
    theme_set_active(theme=permanence, active=False, by=None)
    assert permanence not in themes_offered(audit=new)
    assert permanence in themes_offered(audit=old)
    assert audit_theme_ids(audit=old) == {"improvement": [], "strength": [permanence.pk]}
    # Keeping it is fine; adding it anew is refused.
    audit_themes_set(audit=old, improvement=[], strength=[permanence.pk])
    with pytest.raises(ThemeError, match="retired"):
        audit_themes_set(audit=new, improvement=[permanence.pk], strength=[])
    assert not AuditTheme.objects.filter(audit=new).exists()


def test_tags_are_replaced_exactly_and_the_moderator_confirms_every_tag_kept():
    audit = AuditFactory()
    moderator = ModeratorFactory()
    a, b, c = theme("Chronologies"), theme("Direct work"), theme("SMART plans")
    assert audit_themes_set(audit=audit, improvement=[a.pk, b.pk], strength=[b.pk])
    assert not audit_themes_set(audit=audit, improvement=[b.pk, a.pk], strength=[b.pk])
    assert audit_themes_set(audit=audit, improvement=[a.pk, c.pk], strength=[], confirmed_by=moderator)
    tags = set(AuditTheme.objects.filter(audit=audit).values_list("theme__name", "kind", "confirmed_by"))
    assert tags == {("Chronologies", "improvement", moderator.pk), ("SMART plans", "improvement", moderator.pk)}


def test_the_audits_history_shows_who_tagged_untagged_and_confirmed_each_theme(time_machine):
    """Tags are written with their history: the audit's history names the themes ticked and unticked, as strength
    or area for improvement, and the moderator's confirmation, each with who did it."""
    import datetime

    from audits.completion_selectors import audit_history

    time_machine.move_to(datetime.datetime(2026, 11, 2, 9, 0, tzinfo=datetime.UTC), tick=False)
    audit = AuditFactory()
    moderator = ModeratorFactory(first_name="Mo", last_name="Derator")
    a, b = theme("Chronologies"), theme("Direct work")
    audit_themes_set(audit=audit, improvement=[a.pk], strength=[b.pk])
    time_machine.move_to(datetime.datetime(2026, 11, 9, 9, 0, tzinfo=datetime.UTC), tick=False)
    audit_themes_set(audit=audit, improvement=[a.pk], strength=[], confirmed_by=moderator)

    entries = {
        (entry.what, change.label, change.old, change.new)
        for entry in audit_history(audit=audit)
        for change in entry.changes
        if change.subject == "Learning themes"
    }
    assert entries == {
        ("Themes tagged", "Area for improvement", "", "Chronologies"),
        ("Themes tagged", "Strength", "", "Direct work"),
        ("Themes tagged", "Strength", "Direct work", ""),
        ("Themes confirmed", "Chronologies (area for improvement)", "", "Confirmed by Mo Derator"),
    }


def test_themes_ensure_matches_case_insensitively_and_creates_the_new_ones_with_history():
    ids = themes_ensure(names=["chronologies", "Recording of visits", "RECORDING OF VISITS", " "])
    assert ids["chronologies"] == theme("Chronologies").pk
    created = Theme.objects.get(pk=ids["recording of visits"])
    assert created.name == "Recording of visits"
    assert created.history.get().history_change_reason == "Imported"
    assert Theme.objects.count() == len(SEED_THEMES) + 1


# The QA team's page -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("factory", [AuditorFactory, ModeratorFactory, ManagerFactory, UserFactory])
def test_only_the_qa_team_may_see_or_change_the_themes(client, factory):
    client.force_login(factory())
    pk = theme("Permanence").pk
    assert client.get(reverse("audits:theme_list")).status_code == 403
    assert client.get(reverse("audits:theme_edit", args=[pk])).status_code == 403
    assert client.post(reverse("audits:theme_list"), {"name": "New"}).status_code == 403
    assert client.post(reverse("audits:theme_edit", args=[pk]), {"name": "New"}).status_code == 403
    assert client.post(reverse("audits:theme_retire", args=[pk])).status_code == 403
    assert client.post(reverse("audits:theme_restore", args=[pk])).status_code == 403
    assert not Theme.objects.filter(name="New").exists() and theme("Permanence").is_active


def test_the_themes_page_requires_sign_in(client):
    response = client.get(reverse("audits:theme_list"))
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")


def test_the_qa_team_adds_renames_retires_and_brings_back_a_theme(client):
    client.force_login(QualityFactory())
    response = client.post(reverse("audits:theme_list"), {"name": "Recording of visits", "strand": "Strand 3"})
    assert response.status_code == 302
    added = theme("Recording of visits")
    response = client.post(reverse("audits:theme_list"), {"name": "recording OF visits"})
    assert response.status_code == 400
    assert "There is already a theme called &quot;Recording of visits&quot;" in response.content.decode()
    response = client.post(reverse("audits:theme_edit", args=[added.pk]), {"name": "Visits", "strand": ""})
    assert response.status_code == 302
    added.refresh_from_db()
    assert (added.name, added.strand) == ("Visits", "")
    page = client.get(reverse("audits:theme_edit", args=[added.pk])).content.decode()
    assert "Renamed from &quot;Recording of visits&quot;" in page
    client.post(reverse("audits:theme_retire", args=[added.pk]))
    added.refresh_from_db()
    assert not added.is_active
    page = client.get(reverse("audits:theme_list")).content.decode()
    assert "Retired themes" in page and "Bring back" in page
    client.post(reverse("audits:theme_restore", args=[added.pk]))
    added.refresh_from_db()
    assert added.is_active
    assert client.get(reverse("audits:theme_retire", args=[added.pk])).status_code == 405


def test_the_themes_page_counts_use_in_a_fixed_number_of_queries(client, django_assert_max_num_queries):
    client.force_login(QualityFactory())
    chronologies = theme("Chronologies")
    for _ in range(5):
        audit = AuditFactory()
        audit_themes_set(audit=audit, improvement=[chronologies.pk], strength=[chronologies.pk])
        ActionFactory(audit=audit, theme=chronologies)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("audits:theme_list"))
    row = {t.name: t for t in response.context["active"]}["Chronologies"]
    assert (row.audits_tagged, row.actions_tagged) == (5, 5)
